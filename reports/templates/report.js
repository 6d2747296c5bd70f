/* govaudit report: filter, sort and page the findings; filter and sort the fleet table.
   Plain script, no library, nothing loaded from anywhere. */
(function () {
  "use strict";
  var PAGE = +((document.querySelector("[data-page-size]") || {}).dataset || {}).pageSize || 50;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  each(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
  each(document.querySelectorAll(".no-js-note"), function (el) { el.hidden = true; });

  /* -- per-site report: finding lists ---------------------------------------------------- */
  // Each section shows PAGE cards; the first page is in the HTML, the rest comes as compact JSON
  // (reports/site.py payload) and is built into the same markup as the page is turned.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function node(n, S) {
    if (typeof n === "number") { return el("span", "ev-scalar", S[n]); }
    var kind = n[0], e;
    if (kind === "a") { e = el("a", n[3] ? "mono" : null, S[n[1]]); e.setAttribute("href", S[n[2]]); return e; }
    if (kind === "m") { return el("span", "ev-scalar mono", S[n[1]]); }
    if (kind === "e") { return el("span", "muted", S[n[1]]); }
    if (kind === "d") {
      e = el("dl", "ev-dict");
      n[1].forEach(function (it) { e.appendChild(el("dt", null, S[it[0]])); var dd = el("dd"); dd.appendChild(node(it[1], S)); e.appendChild(dd); });
      return e;
    }
    e = el("ol", "ev-list");
    n[1].forEach(function (c) { var li = el("li"); li.appendChild(node(c, S)); e.appendChild(li); });
    return e;
  }
  function row(tbody, label, content, cls) {
    var tr = el("tr"), th = el("th", null, label), td = el("td", cls || null);
    th.scope = "row";
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    tr.appendChild(th); tr.appendChild(td); tbody.appendChild(tr);
  }
  function build(c, S) {
    // [i, cls, rule, category, column, outcome label, status label, first seen, failure title, outcome, change,
    //  message, title, url, has href, snapshot, banner, status text, steps, evidence, source,
    //  clause text, rationale, how to fix]
    var a = el("article", S[c[1]]), h = el("header", "finding-head"), t, tb, cell, frag;
    a.dataset.i = c[0]; a.dataset.rule = S[c[2]]; a.dataset.category = S[c[3]]; a.dataset.column = S[c[4]];
    a.dataset.outcome = S[c[5]]; a.dataset.status = S[c[6]]; a.dataset.seen = S[c[7]];
    h.appendChild(el("span", "code", S[c[2]])); h.appendChild(el("span", "finding-title", S[c[8]]));
    h.appendChild(el("span", "badge outcome-badge outcome-" + S[c[9]], S[c[5]]));
    if (S[c[10]]) { h.appendChild(el("span", "badge change-" + S[c[10]], S[c[6]])); }
    a.appendChild(h);
    if (S[c[11]]) { a.appendChild(el("p", "message", S[c[11]])); }
    t = el("table", "meta"); tb = el("tbody"); t.appendChild(tb);
    row(tb, "栏目", S[c[4]]);
    if (S[c[12]]) { row(tb, "标题", S[c[12]]); }
    if (c[14]) { cell = el("a", null, S[c[13]]); cell.setAttribute("href", S[c[13]]); }
    else if (S[c[13]]) { cell = el("span", "mono", S[c[13]]); } else { cell = "—"; }
    row(tb, "现网页面", cell, "url");
    frag = document.createDocumentFragment();
    if (S[c[16]]) { frag.appendChild(el("span", "snap-banner", S[c[16]])); }
    if (S[c[15]]) { frag.appendChild(document.createTextNode(" ")); cell = el("a", null, "查看页面快照"); cell.setAttribute("href", S[c[15]]); frag.appendChild(cell); }
    else { frag.appendChild(el("span", "muted", "（未保存页面快照）")); }
    row(tb, "抓取时原样", frag);
    row(tb, "状态", S[c[17]]);
    a.appendChild(t);
    if (c[18].length) {
      var st = el("div", "steps"), ol = el("ol");
      st.appendChild(el("h5", null, "判定过程"));
      c[18].forEach(function (x) { ol.appendChild(el("li", null, S[x])); });
      st.appendChild(ol); a.appendChild(st);
    }
    var ev = el("div", "evidence");
    ev.appendChild(el("h5", null, "证据"));
    if (c[19].length) {
      t = el("table", "ev-table"); tb = el("tbody"); t.appendChild(tb);
      c[19].forEach(function (r) { row(tb, S[r[0]], node(r[1], S)); });
      ev.appendChild(t);
    } else { ev.appendChild(el("p", "empty", "无证据记录。")); }
    a.appendChild(ev);
    var src = el("p", "source");
    src.appendChild(el("span", "label", "依据："));
    src.appendChild(document.createTextNode(S[c[20]]));
    a.appendChild(src);
    var why = el("details", "rule-why"), dl = el("dl", "rule-dl");
    why.appendChild(el("summary", null, "条文、为何要求与整改方法"));
    [[21, "条文"], [22, "为何要求"], [23, "整改方法"]].forEach(function (p) {
      if (S[c[p[0]]]) { dl.appendChild(el("dt", null, p[1])); dl.appendChild(el("dd", null, S[c[p[0]]])); }
    });
    why.appendChild(dl); a.appendChild(why);
    if (printing) { why.open = true; }
    return a;
  }

  var lists = [];
  each(document.querySelectorAll("section.finding-list"), function (sec) {
    var box = sec.querySelector(".cards");
    if (!box) { return; }
    var items = Array.prototype.map.call(box.children, function (e) {
      return { el: e, i: +e.dataset.i, rule: e.dataset.rule, category: e.dataset.category, column: e.dataset.column,
               outcome: e.dataset.outcome, status: e.dataset.status, seen: e.dataset.seen };
    });
    var data = sec.querySelector("script.more-cards");
    if (data) {
      var P = JSON.parse(data.textContent), S = P.s;
      P.c.forEach(function (c) {
        items.push({ el: null, raw: c, S: S, i: c[0], rule: S[c[2]], category: S[c[3]], column: S[c[4]],
                     outcome: S[c[5]], status: S[c[6]], seen: S[c[7]] });
      });
    }
    lists.push({ sec: sec, box: box, cards: items, match: items, page: 0, all: false,
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
      var it = l.match[i];
      if (!it.el) { it.el = build(it.raw, it.S); }
      frag.appendChild(it.el);
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
  var keyOf = { "规则": function (c) { return ("000000" + c.i).slice(-7); },
                "类别": function (c) { return c.category; }, "栏目": function (c) { return c.column; },
                "结论": function (c) { return c.outcome; }, "状态": function (c) { return c.status; },
                "首次发现": function (c) { return c.seen || "9999"; } };

  function apply() {
    var want = {};
    each(form.querySelectorAll("select[data-facet]"), function (s) { if (s.value) { want[s.dataset.facet] = s.value; } });
    var key = keyOf[form.querySelector("select[data-sort]").value] || keyOf["规则"];
    var total = 0;
    lists.forEach(function (l) {
      l.match = l.cards.filter(function (c) {
        for (var f in want) { if (c[f] !== want[f]) { return false; } }
        return true;
      });
      l.match.sort(function (a, b) {
        var ka = key(a), kb = key(b);
        return ka < kb ? -1 : ka > kb ? 1 : a.i - b.i;
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
  var printing = false;
  window.addEventListener("beforeprint", function () {
    printing = true;
    lists.forEach(function (l) { l.all = true; render(l); });
    each(document.querySelectorAll("details"), function (d) { d.dataset.wasOpen = d.open ? "1" : ""; d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    printing = false;
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
