"""rules/ and reports/ never import Scrapy or networking code."""
import subprocess
import sys


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
    """Top-level packages each module of ``package`` imports (module path -> names)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(root))] = names
    return out


def test_packages_that_must_not_meet():
    """The simulator never reaches into the product (it plants its answer key with its own
    date oracle); the rules and reports never import the simulator; the acquisition code
    imports the simulator nowhere but in the command line (demo, serve-testbed)."""
    forbidden = {"testbed": {"crawler", "rules", "reports"}, "rules": {"testbed", "reports"},
                 "reports": {"testbed", "crawler"}, "crawler": {"testbed"}}
    allowed = {"crawler/cli.py"}
    bad = [(module, sorted(names & forbidden[pkg])) for pkg in forbidden
           for module, names in _imports(pkg).items() if names & forbidden[pkg] and module not in allowed]
    assert not bad, bad
