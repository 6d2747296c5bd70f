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
