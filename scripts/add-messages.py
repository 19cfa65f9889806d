#!/usr/bin/env python3
"""add-messages.py: merge messages into themes/default/messages/{vi,en}.json.

Usage: add-messages.py FILE.tsv   (lines: key<TAB>vi text<TAB>en text)
A development helper: the catalogues stay sorted and valid JSON."""
import json, sys

def main(path):
    base = 'themes/default/messages/'
    vi = json.load(open(base + 'vi.json'))
    en = json.load(open(base + 'en.json'))
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        key, v, e = line.split('\t')
        vi[key], en[key] = v, e
    for name, d in (('vi', vi), ('en', en)):
        with open(base + name + '.json', 'w', encoding='utf-8') as f:
            json.dump(d, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write('\n')

if __name__ == '__main__':
    main(sys.argv[1])
