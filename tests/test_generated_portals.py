"""The seeded portal generator (testbed.generated) and the 200-seed crawl.

The generator's layout axes are drawn from the seed one by one and its shapes come from real
portals, not from the crawler's readers; so the crawl test can disagree with the crawler. A
failing seed prints its number, its layout and the command that serves it. For the per-axis
figures run ``pytest -s tests/test_generated_portals.py -k crawl`` (or
``python -m testbed.generator --report 1-200``).
"""
from __future__ import annotations

import itertools
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from testbed.generated.layout import AXES, draw_layout
from testbed.generated.report import (
    axis_table, batches, check_args, failure_message, seed_result, serve, stop_all,
)
from testbed.generated.style import GeneratedStyle
from testbed.server import Request, make_style
from govaudit import api
from tests.conftest import metadata_wrong, run_cli

SEEDS = range(1, int(os.environ.get("GOVAUDIT_GENERATED_SEEDS", "200")) + 1)
BATCH = 50
BASE = "http://127.0.0.1:8000"


def bound(seed: int, **layout) -> GeneratedStyle:
    style = GeneratedStyle.build(seed, layout=layout or None)
    style.bind(BASE + "/")
    return style


def get(style: GeneratedStyle, url: str, method: str = "GET", body: bytes = b""):
    u = urlsplit(url)
    query = dict(p.split("=", 1) for p in u.query.split("&") if "=" in p)
    return style.handle(Request(method, u.path, query, {"host": u.netloc}, body))


def text(style: GeneratedStyle, resp) -> str:
    data = resp.data()
    return data.decode("utf-8") if style.layout["encoding"] == "utf8" or "json" in resp.content_type \
        else data.decode("gb18030")


# -- the generator ----------------------------------------------------------------------------
def test_same_seed_same_portal_and_key():
    for seed in (1, 7, 200):
        a, b = bound(seed), bound(seed)
        assert a.layout == b.layout
        assert a.answer_key() == b.answer_key()
        for node in a.truth.section.walk():
            ra, rb = get(a, node.url), get(b, node.url)
            assert (ra and ra.data()) == (rb and rb.data())
    assert bound(1).answer_key() != bound(2).answer_key()


def test_same_seed_same_key_in_another_process():
    """No dependence on hash randomisation or process state: a fresh interpreter with another
    PYTHONHASHSEED builds the same answer key."""
    import subprocess
    import sys

    code = ("import json; from testbed.generated.style import GeneratedStyle as G; s = G.build(5); "
            f"s.bind('{BASE}/'); print(json.dumps(s.answer_key(), ensure_ascii=False, sort_keys=True))")
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert json.loads(out) == json.loads(json.dumps(bound(5).answer_key(), ensure_ascii=False))


def test_every_value_of_every_axis_occurs_over_200_seeds():
    seen = defaultdict(set)
    for seed in range(1, 201):
        for axis, value in draw_layout(seed).items():
            seen[axis].add(value)
    assert {axis: set(values) for axis, values in AXES.items()} == dict(seen)


def test_axes_are_drawn_independently():
    # fixing one axis changes no other axis
    for seed in (3, 50):
        base = draw_layout(seed)
        for axis, values in AXES.items():
            for v in values:
                changed = {k for k, x in draw_layout(seed, **{axis: v}).items() if x != base[k]}
                assert changed <= {axis}
    # and over seeds 1-200 no value of one axis forces the value of another
    layouts = [draw_layout(s) for s in range(1, 201)]
    for a, b in itertools.permutations(AXES, 2):
        for v in AXES[a]:
            others = {lay[b] for lay in layouts if lay[a] == v}
            assert len(others) >= 2, f"{a}={v} always comes with {b}={others}"


def _snapshot(style: GeneratedStyle) -> dict[str, bytes]:
    """Every page a reader meets: home (and its nav frame), every column page, every document."""
    key = style.answer_key()
    urls = [BASE + "/", BASE + "/include/topnav.html", *(n["url"] for n in key["tree"]),
            *(d["url"] for d in key["documents"])]
    if style.layout["pager"] == "index_links":        # and every list page
        urls += [urljoin(n["url"], f"index_{p}.{style.layout['ext']}") for n in key["tree"] if n["kind"] == "list"
                 for p in range(2, (len(n["documents"]) + 1) // 2 + 1)]
    return {u: (r.data() if (r := get(style, u)) else b"") for u in urls}


def test_every_axis_value_changes_the_portal():
    """No axis is silently ignored: with a layout where none is moot (a metadata table, static
    pages), each other value of each axis serves different pages."""
    base_layout = dict(meta_layout="table", pager="index_links")
    base = _snapshot(bound(4, **base_layout))
    for axis, values in AXES.items():
        for v in values:
            layout = {**base_layout, axis: v}
            if draw_layout(4, **layout) == draw_layout(4, **base_layout):
                continue
            assert _snapshot(bound(4, **layout)) != base, f"{axis}={v} changes nothing"


def test_bad_layout_value_is_refused():
    with pytest.raises(ValueError):
        draw_layout(1, pager="nonsense")


def test_make_style_and_scale():
    small, big = make_style("generated", seed=9), make_style("generated", seed=9, scale=3)
    assert small.layout == big.layout
    n_small = [len(n.docs) for n in small.truth.section.walk() if n.kind == "list" and n.name != "通知公告"]
    n_big = [len(n.docs) for n in big.truth.section.walk() if n.kind == "list"]
    assert all(2 <= n <= 5 for n in n_small) and sum(n_big) > 2 * sum(n_small)


def test_every_portal_names_a_character_outside_gb2312():
    """So ``encoding=gbk_as_gb2312`` always matters: each publisher holds one."""
    for seed in range(1, 201):
        for d in bound(seed).truth.docs:
            with pytest.raises(UnicodeEncodeError):
                d.publisher.encode("gb2312")
            d.publisher.encode("gbk")


def test_tree_depth_and_kinds_follow_the_layout():
    for seed in range(1, 201):
        style = bound(seed)
        key = style.answer_key()
        tree = key["tree"]
        depth = int(style.layout["depth"])
        lists = [n for n in tree if n["kind"] == "list"]
        # the deepest list sits under `depth` category pages (the section counted)
        assert max(len(n["path"]) for n in lists) == depth
        assert {n["name"] for n in tree if n["kind"] == "single"} == {"政府信息公开指南", "政府信息公开制度", "机构职能"}
        assert tree[0]["name"] == style.layout["entry_text"] and tree[0]["path"] == []
        listed = {u for n in lists for u in n["documents"]}
        assert listed == {d["url"] for d in key["documents"]}
        for d in key["documents"]:
            assert sorted(d["columns"]) == sorted(n["name"] for n in lists if d["url"] in n["documents"])
        assert (style.layout["cross_list"] == "yes") == any(len(d["columns"]) > 1 for d in key["documents"])


def test_the_doc_lists_every_axis_value():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "testbed-generator.md").read_text("utf-8")
    for axis, values in AXES.items():
        assert f"| `{axis}` | {', '.join(values)} |" in doc, axis


@pytest.mark.parametrize("seed", range(1, 201, 7))
def test_every_page_of_the_key_is_served_with_its_truth(seed):
    """Each tree URL answers 200 on its own host; each document page names its title, and its
    metadata values unless the layout shows only <meta>; the home page links the section."""
    style = bound(seed)
    key = style.answer_key()
    for node in key["tree"]:
        resp = get(style, node["url"])
        assert resp is not None and resp.status == 200, node
    for d in key["documents"]:
        resp = get(style, d["url"])
        assert resp is not None and resp.status == 200
        page = text(style, resp)
        assert f'content="{d["title"]}"' in page.replace("&quot;", '"')
        if style.layout["meta_layout"] != "meta_only":
            for f in ("index_no", "publisher", "doc_no", "validity"):
                if d[f] and (f != "validity" or style.layout["labels"] != "zibo"):
                    assert d[f] in page, (f, d[f])
        else:
            assert d["index_no"] is None and d["doc_no"] is None
    home = text(style, get(style, BASE + "/"))
    if style.layout["entry_link"] == "iframe":
        home += text(style, get(style, BASE + "/include/topnav.html"))
    targets = re.findall(r"""(?:href|value|data-url)="([^"]+)"|url: "([^"]+)"|location\.href='([^']+)'""", home)
    assert key["section"] in {urljoin(BASE + "/", "".join(t).replace("&amp;", "&")) for t in targets}
    sec = urlsplit(key["section"])
    if style.layout["section_host"] == "other":
        assert sec.netloc != urlsplit(BASE).netloc
        assert get(style, BASE + sec.path) is None          # not served on the home host


def _list_urls(style: GeneratedStyle, node_url: str, html: str) -> set[str]:
    """Document URLs a list's rows link, read from the list page and every page or endpoint
    answer its pager leads to (the generator's own shapes, for the consistency check only)."""
    pager, found = style.layout["pager"], set()

    def links(fragment: str, base: str) -> None:
        if '<div class="right">' in fragment:                # the list, not the sibling nav
            fragment = fragment[fragment.index('<div class="right">'):]
        for href in re.findall(r'href="([^"]+)"', fragment):
            href = href.replace("&amp;", "&")
            if re.search(r"/(t\d{8}_|art_|content_)\d+", href):
                found.add(urljoin(base, href))

    links(html, node_url)
    sec = f"http://{style.sec_netloc}"
    col = int(re.search(r'id="(?:unit_|page_|static_)?(\d+)"', html).group(1)) if pager in ("jpaas_json",) else None
    node = next(n for n in style.truth.section.walk() if n.url == node_url)
    if pager == "trs_create":
        n = int(re.search(r"createPageHTML\((\d+),", html).group(1))
        for i in range(1, n):
            links(text(style, get(style, urljoin(node_url, f"index_{i}.{style.layout['ext']}"))), node_url)
    elif pager in ("index_links", "query_page"):
        for href in set(re.findall(r'href="((?:index_\d+\.\w+)|(?:\?page=\d+))"', html)):
            links(text(style, get(style, urljoin(node_url, href))), node_url)
    elif pager == "post_form":
        n = int(re.search(r"共(\d+)页", html).group(1))
        for p in range(2, n + 1):
            links(text(style, get(style, node_url, "POST", f"pageNo={p}".encode())), node_url)
    elif pager == "jpaas_json":
        total = int(re.search(r'count="(\d+)"', html).group(1))
        for p in range(1, total + 1):
            resp = get(style, f"{sec}/api-gateway/jpaas-publish-server/front/page/build/unit?pageId={col}"
                       f'&parseType=bulidstatic&paramJson={{"pageNo":{p},"pageSize":"2"}}')
            links(json.loads(resp.data())["data"]["html"], node_url)
    elif pager == "datastore_wrapped":
        total = int(re.search(r"totalRecord: (\d+)", html).group(1))
        resp = get(style, f"{sec}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord={total}&perpage=1",
                   "POST", f"columnid={node.id}".encode())
        links(text(style, resp), node_url)
    elif pager == "datastore_bare":
        url = sec + re.search(r"dataUrl: '([^']+)'", html).group(1)
        while url:
            answer = text(style, get(style, url))
            links(answer.split("<recordset>")[1], node_url)
            nxt = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', answer)
            url = sec + nxt.group(1).replace("&amp;", "&") if nxt else None
    elif pager == "static_dynamic":
        count = int(re.search(r"recordCount: '(\d+)'", html).group(1))
        for p in range(1, count + 1):
            resp = get(style, f"{sec}/fjdzapp/search", "POST", f"channelid=263&classsql=chnlid={node.id}&page={p}&prepage=1".encode())
            found |= {row["url"] for row in json.loads(resp.data())["data"]}
    return found


@pytest.mark.parametrize("seed", range(1, 201, 3))
def test_every_list_leads_to_exactly_its_documents(seed):
    style = bound(seed)
    for node in [n for n in style.answer_key()["tree"] if n["kind"] == "list"]:
        html = text(style, get(style, node["url"]))
        if not node["documents"]:
            assert "暂无信息" in html
            continue
        assert _list_urls(style, node["url"], html) == set(node["documents"]), (seed, node["name"], style.layout["pager"])


# -- the crawl --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Every seed served at small size, crawled in batches of 50 (one ``check`` each)."""
    tmp = tmp_path_factory.mktemp("generated")
    tbs = serve(SEEDS)
    try:
        keys = {s: tb.answer_key() for s, tb in tbs.items()}
        stored: dict[str, dict] = {}
        for i, group in enumerate(batches(list(SEEDS), BATCH)):
            db = tmp / f"batch{i}.db"
            proc = run_cli(*check_args([tbs[s].url for s in group], db, tmp / f"out{i}", concurrency=16))
            assert proc.returncode == 0, proc.stderr[-3000:]
            stored.update({d["url"]: d for d in api.export(db, what="documents").rows})
        yield keys, stored
    finally:
        stop_all(tbs.values())


def test_crawl_finds_every_document_of_every_seed_with_every_field_right(crawled):
    keys, stored = crawled
    results, failures = [], []
    for seed, key in keys.items():
        r = seed_result(seed, key, stored)
        results.append(r)
        total, wrong = metadata_wrong(key["documents"], list(stored.values()))
        missing = [d["url"] for d in key["documents"] if d["url"] not in stored]
        if missing or wrong:
            failures.append(failure_message(r))
    table = axis_table(results)
    print("\n" + table)
    shown = 15
    more = f"\n… and {len(failures) - shown} more" if len(failures) > shown else ""
    assert not failures, (f"{len(failures)} of {len(keys)} seeds failed:\n" + "\n".join(failures[:shown]) + more +
                          "\n" + table.split("\n")[0])
