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
