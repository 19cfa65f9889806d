/* app.js: progressive enhancement only; every page works without it.
 * - search suggestions as the visitor types (GET /api/v1/suggest)
 * Filter selects do not submit on change: a keyboard user arrowing through
 * the options would reload the page at each step (WCAG 3.2.2); the filter
 * button applies them. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (input && window.fetch) {
    var list = document.getElementById("q-suggest");
    var timer = 0, active = -1, seq = 0;
    var lang = document.documentElement.lang === "en" ? "&lang=en" : "";
    var close = function () {
      list.hidden = true; list.innerHTML = ""; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    var render = function (items) {
      list.innerHTML = "";
      items.forEach(function (it, i) {
        // An option holds text only: a link inside would be a second,
        // nested control for screen readers.
        var li = document.createElement("li");
        li.id = "q-opt-" + i; li.setAttribute("role", "option");
        li.dataset.href = it.url + (lang ? "?lang=en" : "");
        li.textContent = it.name; list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    };
    var ask = function () {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 2) { close(); return; }
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q) + lang)
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) { if (mine === seq) render(d.items || []); })
        .catch(close);
    };
    var move = function (d) {
      var opts = list.querySelectorAll("li");
      if (!opts.length) return;
      if (active >= 0) opts[active].removeAttribute("aria-selected");
      active = (active + d + opts.length) % opts.length;
      opts[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[active].id);
    };
    input.addEventListener("input", function () {
      clearTimeout(timer); timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Escape" && !list.hidden) {
        // Close the list only; a search input would also clear the text.
        e.preventDefault(); close();
      }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location = list.querySelectorAll("li")[active].dataset.href;
      }
    });
    // mousedown comes before the input's blur closes the list.
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li");
      if (li) { e.preventDefault(); window.location = li.dataset.href; }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
})();
