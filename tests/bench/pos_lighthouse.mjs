// pos_lighthouse.mjs: helpers of tests/bench/pos_lighthouse.sh, run from
// tests/bench (where node_modules holds lighthouse and chrome-launcher).
//
//   node pos_lighthouse.mjs flags
//       the flags chrome-launcher gives the Chrome it starts for Lighthouse,
//       one a line (the script starts Chromium itself, with these).
//   node pos_lighthouse.mjs summary BOOTH_ID RUN.json...
//       checks each Lighthouse report (no runtime error, the app fetched
//       its device and its booth's stock, i.e. it reached the PIN screen)
//       and prints key=value lines: each run's metrics, then the median of
//       each metric over the runs, and the throttling Lighthouse used.
// Exit status 1, with the reason on stderr, when a report is not usable.
import { readFileSync } from 'node:fs';

const [cmd, ...args] = process.argv.slice(2);

function fail(msg) {
  process.stderr.write(`pos_lighthouse.mjs: ${msg}\n`);
  process.exit(1);
}

if (cmd === 'flags') {
  const { Launcher } = await import('chrome-launcher');
  process.stdout.write(Launcher.defaultFlags().join('\n') + '\n');
  process.exit(0);
}
if (cmd !== 'summary' || args.length < 2) fail('usage: flags | summary BOOTH_ID RUN.json...');

const booth = args[0];
const METRICS = [
  // key, audit id, unit
  ['fcp', 'first-contentful-paint'],
  ['lcp', 'largest-contentful-paint'],
  ['tti', 'interactive'],
  ['tbt', 'total-blocking-time'],
  ['si', 'speed-index'],
  ['bytes', 'total-byte-weight'],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const runs = [];
for (const file of args.slice(1)) {
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
  if (r.runtimeError) fail(`${file}: runtime error ${r.runtimeError.code}: ${r.runtimeError.message}`);
  const row = { file };
  for (const [key, id] of METRICS) {
    const a = r.audits[id];
    if (!a || typeof a.numericValue !== 'number') {
      fail(`${file}: audit ${id} has no value (${a?.errorMessage || a?.scoreDisplayMode || 'missing'})`);
    }
    row[key] = a.numericValue;
  }
  const reqs = r.audits['network-requests']?.details?.items || [];
  const ok = (re) => reqs.some((q) => re.test(new URL(q.url).pathname) && q.statusCode === 200);
  if (!ok(/^\/api\/v1\/pos\/device$/)) fail(`${file}: the app did not fetch /api/v1/pos/device (not registered)`);
  if (!ok(new RegExp(`^/api/v1/locations/${booth}/stock$`))) {
    fail(`${file}: the app did not fetch its booth's stock (catalog not loaded)`);
  }
  row.requests = reqs.length;
  row.score = Math.round((r.categories.performance?.score ?? 0) * 100);
  const lcpEl = r.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node;
  row.lcp_element = lcpEl ? `${lcpEl.selector} "${(lcpEl.nodeLabel || '').slice(0, 60)}"` : 'unknown';
  row.version = r.lighthouseVersion;
  row.bindex = r.environment?.benchmarkIndex ?? 0;
  row.throttling = r.configSettings.throttling;
  row.method = r.configSettings.throttlingMethod;
  row.form = r.configSettings.formFactor;
  row.screen = r.configSettings.screenEmulation;
  runs.push(row);
}

const out = [];
runs.forEach((row, i) => {
  out.push(`run${i + 1}=` + ['fcp', 'lcp', 'tti', 'tbt', 'si', 'bytes', 'requests', 'score']
    .map((k) => `${k}:${Math.round(row[k])}`).join(' '));
});
for (const k of ['fcp', 'lcp', 'tti', 'tbt', 'si', 'bytes', 'requests', 'score']) {
  out.push(`${k}=${Math.round(median(runs.map((r) => r[k])))}`);
  out.push(`${k}_all=${runs.map((r) => Math.round(r[k])).join(', ')}`);
}
// the run whose TTI is the median one, for the LCP element
const mid = [...runs].sort((a, b) => a.tti - b.tti)[runs.length >> 1];
const t = runs[0].throttling;
// the name of the profile in Lighthouse's constants (mobileSlow4G: its
// default for mobile, "Slow 4G"), or "custom"
const { throttling: profiles } = await import('lighthouse/core/config/constants.js');
const profile = Object.keys(profiles).find((k) =>
  typeof profiles[k] === 'object' && JSON.stringify(profiles[k]) === JSON.stringify(t)) || 'custom';
out.push(`lcp_element=${mid.lcp_element.replace(/\n/g, ' ')}`);
out.push(`version=${runs[0].version}`);
out.push(`benchmark_index=${Math.round(median(runs.map((r) => r.bindex)))}`);
out.push(`method=${runs[0].method}`);
out.push(`form=${runs[0].form}`);
out.push(`screen=${runs[0].screen.width}x${runs[0].screen.height} @${runs[0].screen.deviceScaleFactor}x`);
out.push(`profile=${profile}`);
out.push(`rtt=${t.rttMs}`);
out.push(`kbps=${t.throughputKbps}`);
out.push(`cpu=${t.cpuSlowdownMultiplier}`);
out.push(`runs=${runs.length}`);
process.stdout.write(out.join('\n') + '\n');
