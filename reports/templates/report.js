/* govaudit report: filter, sort and page the findings; filter and sort the fleet table.
   Plain script, no library, nothing loaded from anywhere. */
(function () {
  "use strict";
  var PAGE = 50;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  each(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
  each(document.querySelectorAll(".no-js-note"), function (el) { el.hidden = true; });

  /* -- per-site report: finding lists ---------------------------------------------------- */
  var lists = [];
  each(document.querySelectorAll("section.finding-list"), function (sec) {
    var box = sec.querySelector(".cards");
    if (!box) { return; }
    var cards = Array.prototype.slice.call(box.children);
    var tpl = sec.querySelector("template.more-cards");
    if (tpl) { cards = cards.concat(Array.prototype.slice.call(tpl.content.children)); }
    lists.push({ sec: sec, box: box, cards: cards, match: cards, page: 0, all: false,
                 info: sec.querySelector(".pager-info"), shown: sec.querySelector(".shown-count"),
                 pager: sec.querySelector(".pager") });
  });

  function render(l) {
    var pages = Math.max(1, Math.ceil(l.match.length / PAGE));
    if (l.page >= pages) { l.page = pages - 1; }
    var start = l.all ? 0 : l.page * PAGE;
    var stop = l.all ? l.match.length : Math.min(l.match.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = start; i < stop; i++) {
      var c = l.match[i];
      if (c.ownerDocument !== document) { document.adoptNode(c); }  // same node, now live
      frag.appendChild(c);
    }
    while (l.box.firstChild) { l.box.removeChild(l.box.firstChild); }
    l.box.appendChild(frag);
    if (l.shown) { l.shown.textContent = String(l.match.length); }
    if (l.info) {
      l.info.textContent = l.match.length ? ("第 " + (start + 1) + "–" + stop + " 项，共 " + l.match.length + " 项") : "无符合筛选条件的项";
    }
    if (l.pager) {
      l.pager.hidden = l.match.length <= PAGE;
      l.pager.querySelector("[data-page=prev]").disabled = l.page === 0;
      l.pager.querySelector("[data-page=next]").disabled = l.page >= pages - 1;
    }
  }

  var form = document.getElementById("filters");
  var result = document.getElementById("filter-result");
  // sort options are named in Chinese (the page shows no identifiers)
  var keyOf = { "规则": function (c) { return ("000000" + c.dataset.i).slice(-7); },
                "类别": function (c) { return c.dataset.category; }, "栏目": function (c) { return c.dataset.column; },
                "结论": function (c) { return c.dataset.outcome; }, "状态": function (c) { return c.dataset.status; },
                "首次发现": function (c) { return c.dataset.seen || "9999"; } };

  function apply() {
    var want = {};
    each(form.querySelectorAll("select[data-facet]"), function (s) { if (s.value) { want[s.dataset.facet] = s.value; } });
    var key = keyOf[form.querySelector("select[data-sort]").value] || keyOf["规则"];
    var total = 0;
    lists.forEach(function (l) {
      l.match = l.cards.filter(function (c) {
        for (var f in want) { if (c.dataset[f] !== want[f]) { return false; } }
        return true;
      });
      l.match.sort(function (a, b) {
        var ka = key(a), kb = key(b);
        return ka < kb ? -1 : ka > kb ? 1 : (+a.dataset.i) - (+b.dataset.i);
      });
      l.page = 0;
      total += l.match.length;
      render(l);
    });
    if (result) { result.textContent = "符合筛选条件的共 " + total + " 项。"; }
  }

  lists.forEach(function (l) {
    if (l.pager) {
      l.pager.addEventListener("click", function (e) {
        var act = e.target && e.target.dataset ? e.target.dataset.page : null;
        if (!act) { return; }
        l.page += act === "next" ? 1 : -1;
        if (l.page < 0) { l.page = 0; }
        render(l);
        l.sec.scrollIntoView();
      });
    }
    render(l);
  });
  if (form) {
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
  }
  // print everything that matches the filters, then go back to pages
  window.addEventListener("beforeprint", function () {
    lists.forEach(function (l) { l.all = true; render(l); });
    each(document.querySelectorAll("details"), function (d) { d.dataset.wasOpen = d.open ? "1" : ""; d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    lists.forEach(function (l) { l.all = false; render(l); });
    each(document.querySelectorAll("details"), function (d) { d.open = d.dataset.wasOpen === "1"; });
  });

  /* -- fleet index: filter and sort the site table ---------------------------------------- */
  var fleet = document.getElementById("fleet-filters");
  var table = document.querySelector("table.fleet-table");
  if (fleet && table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var fleetResult = document.getElementById("fleet-result");
    var fleetApply = function () {
      var want = {};
      each(fleet.querySelectorAll("select[data-facet]"), function (s) { if (s.value) { want[s.dataset.facet] = s.value; } });
      var by = fleet.querySelector("select[data-sort]").value;
      var shown = rows.filter(function (r) {
        var ok = true;
        for (var f in want) { if (r.dataset[f] !== want[f]) { ok = false; } }
        r.hidden = !ok;
        return ok;
      });
      var sorted = rows.slice().sort(function (a, b) {
        if (by === "得分") { return (+a.dataset.scoreSort) - (+b.dataset.scoreSort) || (+a.dataset.rank) - (+b.dataset.rank); }
        if (by === "名称") { return a.dataset.name.localeCompare(b.dataset.name, "zh-CN"); }
        return (+a.dataset.rank) - (+b.dataset.rank);
      });
      sorted.forEach(function (r) { body.appendChild(r); });
      if (fleetResult) { fleetResult.textContent = "显示 " + shown.length + " 个站点，共 " + rows.length + " 个。"; }
    };
    fleet.addEventListener("change", fleetApply);
    fleet.addEventListener("reset", function () { setTimeout(fleetApply, 0); });
  }
}());
