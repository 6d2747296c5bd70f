"""Snapshots of stored pages cannot act (issue 11): opened in real headless Chromium, a hostile
page's meta refresh, scripts, form and remote loads do nothing, and the bytes as fetched are
kept beside it. The "attacker" is a canary server on loopback: any request it gets is a load
the snapshot let through."""
from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest

from fleet.publish import write_snapshots
from store import Store
from testbed.server import Request, Response, Style, Testbed

webdriver = pytest.importorskip("selenium.webdriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromedriver not installed (.ci/run installs them)")


class Canary(Style):
    name = "canary"

    def __init__(self):
        super().__init__(None)

    def handle(self, req: Request) -> Response:
        return Response(200, "<html><head><title>CANARY</title></head><body>canary</body></html>")


def hostile_page(attacker: str, charset: str = "utf-8") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}">'
            f'<meta http-equiv="refresh" content="0;url={attacker}refresh">'
            f'<meta http-equiv="Refresh" content="1; URL={attacker}refresh2">'
            f'<title>关于印发某办法的通知</title>'
            f'<link rel="stylesheet" href="{attacker}style.css">'
            f'<script src="{attacker}script.js"></script>'
            f'<script>document.title="PWNED";window.pwned=1;location.href="{attacker}script-nav";</script>'
            f'</head><body onload="document.title=\'PWNED\'"><h1>关于印发某办法的通知</h1>'
            f'<img src="{attacker}pixel.png" alt="">'
            f'<iframe src="{attacker}frame.html"></iframe>'
            f'<object data="{attacker}object.swf"></object>'
            f'<form id="f" action="{attacker}post" method="post"><input name="q" value="x">'
            f'<button id="b" type="submit">提交</button></form>'
            f'<a id="a" href="{attacker}click" target="_top">链接</a>'
            f'</body></html>').encode(charset)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-proxy-server", "--disable-background-networking"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def snapshot_of(tmp_path: Path, body: bytes, content_type: str) -> tuple[Path, str]:
    store = Store(tmp_path / "s.db")
    sha = store.add_fetch(1, "http://127.0.0.1/", "http://127.0.0.1/a.html", status=200, body=body,
                          content_type=content_type)
    store.commit()
    doc = {"findings": [{"code": "TM001", "evidence": {"body_sha": sha}}]}
    write_snapshots(store, doc, tmp_path)
    assert doc["findings"][0]["evidence"]["snapshot"] == f"snapshots/{sha}.html"
    return tmp_path / "snapshots" / f"{sha}.html", sha


def test_snapshot_is_inert_in_chromium(tmp_path, browser):
    with Testbed(Canary()) as canary:
        body = hostile_page(canary.url)
        page, sha = snapshot_of(tmp_path, body, "text/html; charset=utf-8")
        # the bytes as fetched are beside the snapshot, byte for byte
        raw = (page.parent / f"{sha}.body.txt").read_bytes()
        assert raw == body and hashlib.sha1(raw).hexdigest() == sha
        browser.get(page.as_uri())
        time.sleep(3)      # longer than both refresh delays: give them the chance to fire
        assert browser.current_url == page.as_uri()
        assert browser.title.startswith("网页快照")
        assert browser.execute_script("return window.pwned") is None
        frame = browser.find_element("tag name", "iframe")
        browser.switch_to.frame(frame)
        assert browser.find_element("tag name", "h1").text == "关于印发某办法的通知"
        assert browser.execute_script("return window.pwned") is None
        assert browser.title != "PWNED"
        for el in ("b", "a"):              # clicking the form's button or a link goes nowhere
            try:
                browser.find_element("id", el).click()
            except Exception:
                pass
        time.sleep(1)
        browser.switch_to.default_content()
        assert browser.current_url == page.as_uri()
        hits = list(canary.requests)
    assert hits == [], f"the snapshot made requests: {hits}"


def test_snapshot_decodes_a_mislabelled_page(tmp_path):
    """A GBK page declared UTF-8 shows as Chinese in the snapshot, and says how it was read;
    the stored bytes are unchanged."""
    body = ('<html><head><meta charset="utf-8"><title>政府信息公开</title></head>'
            '<body><p>关于做好政府信息公开工作的通知</p></body></html>').encode("gbk")
    page, sha = snapshot_of(tmp_path, body, "text/html; charset=utf-8")
    text = page.read_text("utf-8")
    assert "关于做好政府信息公开工作的通知" in text and "gb18030" in text
    assert (page.parent / f"{sha}.body.txt").read_bytes() == body
