"""The rooms keep to themselves: rules/ and reports/ never import Scrapy or networking code,
the packages that must not meet import nothing of each other, nothing below govaudit/ imports
it, and no module imports itself back through another (no import cycles)."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: every package of the product; govaudit/ (the API and the command line) sits on top
ROOMS = ("crawler", "store", "rules", "reports", "testbed", "fleet", "data")
PACKAGES = ("govaudit", *ROOMS)


def test_rules_and_reports_do_not_import_scrapy():
    code = (
        "import sys, rules.runner, rules.registry, reports.render\n"
        "rules.registry.all_rules()\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported: {out.stdout}"


def test_the_page_reading_process_loads_no_database_code():
    """What the crawl's page-reading process runs (its loop, the link crawl's page reading, the
    portal crawl's checks and reading, a body's stored form) imports the store's light top level
    only: no ``sqlite_utils``, no ``store.db`` (~13 MiB of that process's memory), no Scrapy,
    and not the crawler side's asyncio (~2.8 MiB)."""
    code = (
        "import sys, crawler.readerproc, crawler.linkcheck.page, crawler.profiles.reading, store\n"
        "store.pack_body(b'x')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlite_utils', 'scrapy', 'twisted', 'asyncio')"
        " or m in ('store.db', 'crawler.reader')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"imported: {out.stdout}"
    # the audit's snapshot writer (another process) reads bodies without the database code either
    code = ("import sys, fleet.publish, store; store.BodyReader\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlite_utils' or m == 'store.db')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"imported: {out.stdout}"
    # and the database code is still there for whoever asks for it
    code = "import sys, store; print(store.Store.__module__, 'sqlite_utils' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["store.db", "True"]


def _imports(package: str) -> dict[str, set[str]]:
    """Top-level packages each module of ``package`` imports (module path -> names), imports
    inside functions included."""
    out: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(ROOT))] = names
    return out


def test_packages_that_must_not_meet():
    """The simulator never reaches into the product (it plants its answer key with its own
    date oracle); the rules and reports never import the simulator; the acquisition code
    never imports the simulator (the demo and serve-testbed live in govaudit/demo.py)."""
    forbidden = {"testbed": {"crawler", "rules", "reports"}, "rules": {"testbed", "reports"},
                 "reports": {"testbed", "crawler"}, "crawler": {"testbed"}}
    bad = [(module, sorted(names & forbidden[pkg])) for pkg in forbidden
           for module, names in _imports(pkg).items() if names & forbidden[pkg]]
    assert not bad, bad


def test_no_room_imports_the_api():
    """govaudit/ (API and command line) is the top: no room below imports it."""
    bad = [module for pkg in ROOMS for module, names in _imports(pkg).items() if "govaudit" in names]
    assert not bad, bad


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(packages=PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports (at the top or inside a function). An
    import names the longest module that exists: ``from a.b import c`` is ``a.b.c`` when c is
    a module, else ``a.b``; relative imports are resolved against the importing module."""
    files = {_module_name(p): p for pkg in packages for p in (ROOT / pkg).rglob("*.py")}

    def module_of(name: str) -> str | None:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in files:
                return ".".join(parts[:i])
        return None

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {m for a in node.names if (m := module_of(a.name))}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
                deps |= {m for a in node.names if (m := module_of(f"{base}.{a.name}") or module_of(base))}
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles():
    """The finder itself: a planted cycle (a -> b -> c -> a) is found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_import_graph_sees_imports_inside_functions():
    graph = import_graph()
    # govaudit/cli.py imports govaudit.demo inside cmd_demo as well as at the top
    assert "govaudit.api" in graph["govaudit.cli"]
    # crawler/run.py chains the link checker; fleet/publish.py imports the rules' runner in a function
    assert "crawler.linkcheck.checker" in graph["crawler.run"]
    assert "rules.runner" in graph["fleet.publish"]


def test_no_import_cycles():
    """No module imports itself back through others, not even inside a function."""
    found = cycles(import_graph())
    graph = import_graph()
    assert not found, [{m: sorted(graph[m] & set(c)) for m in c} for c in found]


def test_link_judgement_is_free_of_the_crawler():
    """Link verdicts live in rules/links.py and are read by LK001–LK003 without the crawler
    (the store reader reaches them through rules/runner.py)."""
    mods = _imports("rules")
    for module in ("rules/links.py", "rules/checks/lk001_broken_link.py",
                   "rules/checks/lk002_broken_attachment.py", "rules/checks/lk003_mislinked.py"):
        assert "crawler" not in mods[module], module


# -- the store's room and the neutral text helpers (issue 12: one way into the store) -----------------
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _packages() -> list[str]:
    """The product's top-level packages (every folder with an ``__init__.py`` but the tests)."""
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench"))


def _module_imports(package: str) -> dict[str, set[str]]:
    """Full module names each module of ``package`` imports, wherever the import sits (module
    level or inside a function): ``from rules.workdays import X`` gives ``rules.workdays``."""
    import ast

    out: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        out[str(path.relative_to(ROOT))] = names
    return out


def _meets(names: set[str], packages: set[str], allowed: set[str] = frozenset()) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in packages and n not in allowed)


def test_store_imports_no_other_room():
    """The store knows the schema and nothing of who reads or writes it."""
    forbidden = {"crawler", "rules", "reports", "testbed", "fleet"}
    bad = {m: _meets(names, forbidden) for m, names in _module_imports("store").items() if _meets(names, forbidden)}
    assert not bad, bad


def test_pagetext_imports_no_project_package():
    """The text helpers shared by the page objects and the rules are pure: no project package."""
    forbidden = set(_packages()) - {"pagetext"}
    assert {"crawler", "rules", "store"} <= forbidden        # the scan sees the tree
    bad = {m: _meets(names, forbidden) for m, names in _module_imports("pagetext").items() if _meets(names, forbidden)}
    assert not bad, bad


def test_rules_and_reports_keep_to_their_side():
    """Rules read the store (one interface: ``Store.artifacts`` / ``site_history``) and the
    neutral text helpers, never the crawler; reports read the result document: nothing of the
    crawler, the store or the rules but the working-day calendar (the ledger's 整改期限)."""
    rules = {m: _meets(n, {"crawler", "testbed", "reports", "fleet"}) for m, n in _module_imports("rules").items()}
    assert not any(rules.values()), {m: v for m, v in rules.items() if v}
    reports = {m: _meets(n, {"crawler", "rules", "store", "testbed", "fleet"}, {"rules.workdays"})
               for m, n in _module_imports("reports").items()}
    assert not any(reports.values()), {m: v for m, v in reports.items() if v}


def test_testbed_stands_apart_from_the_product():
    forbidden = {"crawler", "rules", "reports", "store", "fleet"}
    bad = {m: _meets(n, forbidden) for m, n in _module_imports("testbed").items() if _meets(n, forbidden)}
    assert not bad, bad


#: a statement of SQL in a string: what only the store may hold
SQL_TEXT = __import__("re").compile(
    r"\b(select\s+[\w*(\[].*?\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|update\s+\[?\w+\]?\s+set\b|delete\s+from\b"
    r"|create\s+(unique\s+)?(table|index)\b|drop\s+table\b|alter\s+table\b|pragma\s+\w+)", 2 | 16)   # I | S
#: code that reaches past the store's methods into its connection
RAW_ACCESS = (".db.execute", ".db.query", ".db[", ".db.conn", "sqlite3", "sqlite_utils")


def _sql_outside_store() -> list[tuple[str, int, str]]:
    import ast

    found = []
    for package in _packages():
        if package == "store":
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            text = path.read_text("utf-8")
            tree = ast.parse(text)
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                          and node.body and isinstance(node.body[0], ast.Expr)
                          and isinstance(node.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and id(node) not in docstrings and SQL_TEXT.search(node.value):
                    found.append((rel, node.lineno, node.value[:60]))
            for n, line in enumerate(text.splitlines(), 1):
                found += [(rel, n, pattern) for pattern in RAW_ACCESS if pattern in line]
    return found


def test_no_sql_outside_the_store():
    """Every SQL statement lives in ``store/``: the crawler (through its item pipeline), the link
    checker, the fleet, the rules and the reports call the store's named methods."""
    assert not _sql_outside_store()


def test_the_sql_scan_sees_what_it_looks_for(tmp_path, monkeypatch):
    """The scan above finds each kind of thing it forbids (else it could pass on anything)."""
    pkg = tmp_path / "somepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        '"""A docstring may say: select url from links."""\n'
        'def f(store, run):\n'
        '    store.db.execute("update columns set entries = 0 where run_id = ?", [run])\n'
        '    return list(store.db.query(f"select * from [{run}] where x = 1"))\n'
        'def g(s):\n'
        '    return s.db["runs"].get(1)\n'
        'import sqlite3\n'
        'SQL = "insert or ignore into links (url) values (?)"\n')
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = _sql_outside_store()
    kinds = {k for _, _, k in found}
    assert {".db.execute", ".db.query", ".db[", "sqlite3"} <= kinds
    texts = [k for _, _, k in found if k not in RAW_ACCESS]
    assert any(t.startswith("update columns") for t in texts)
    assert any(t.startswith("insert or ignore") for t in texts)
    assert any(t.startswith("select * from") for t in texts)
    assert not any("docstring" in t for t in texts)
