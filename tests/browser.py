"""Real headless Chromium (Debian ``chromium`` + ``chromium-driver``) driven by selenium, with
axe-core (npm package, installed by ``.ci/run`` under ``.cache/npm``) injected into pages."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(os.environ.get("GOVAUDIT_AXE_JS", ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
ARTIFACTS = Path(os.environ.get("GOVAUDIT_TEST_ARTIFACTS", ROOT / "tests" / "artifacts"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600"]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return "chromium / chromium-driver not installed (apt-get install chromium chromium-driver; .ci/run does)"
    if not AXE.is_file():
        return f"axe-core not found at {AXE} (npm install axe-core; .ci/run does)"
    return None


class Browser:
    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="govaudit-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = shutil.which("chromium")
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
        # axe-core on a shared 2-core machine can take a while: a slow answer is not a failure
        self.driver.set_script_timeout(300)
        self.driver.set_page_load_timeout(300)

    def open(self, path: Path) -> None:
        self.driver.get(Path(path).resolve().as_uri())

    def console_errors(self) -> list[dict]:
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def axe(self) -> list[dict]:
        """Serious and critical axe-core violations on the current page."""
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));")
        return [v for v in result if v.get("impact") in ("serious", "critical")]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
