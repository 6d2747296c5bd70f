"""The outbound request policy (crawler.outbound) and <base href> handling, with an injected
resolver: no lookup and no connection is made by these tests."""
from __future__ import annotations

import pytest

from crawler.outbound import OutboundPolicy, address_kind
from crawler.profiles.extract import absolute_links, page_base

# a made-up DNS: names a hostile page could use, mapped to where they would lead
FAKE_DNS = {
    "www.example-gov.cn": ["203.0.113.10"],          # TEST-NET-3 is "reserved" for ipaddress;
    "portal.gov.cn": ["1.2.3.4"],                    # a plain public address
    "metadata.evil.cn": ["169.254.169.254"],
    "intranet.evil.cn": ["10.0.0.1"],
    "rebind.evil.cn": ["1.2.3.5", "127.0.0.1"],      # one public, one loopback address
    "v6local.evil.cn": ["fe80::1"],
    "multicast.evil.cn": ["224.0.0.1"],
}


class Resolver:
    def __init__(self):
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return FAKE_DNS.get(host, [])


@pytest.mark.parametrize("addr, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("100.64.0.1", "private"), ("fd00::1", "private"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("0.0.0.0", "unspecified"),
    ("::ffff:169.254.169.254", "link-local"),
    ("1.2.3.4", None), ("114.114.114.114", None), ("2400:3200::1", None),
])
def test_address_kinds(addr, kind):
    import ipaddress

    assert address_kind(ipaddress.ip_address(addr)) == kind


def test_public_site_refuses_internal_targets():
    r = Resolver()
    p = OutboundPolicy(["http://portal.gov.cn/"], resolver=r)
    assert p.check("http://portal.gov.cn/xxgk/index.html") is None
    assert p.check("https://portal.gov.cn/a.pdf") is None
    refused = {
        "http://169.254.169.254/latest/meta-data/": "link-local",
        "http://[::ffff:169.254.169.254]/": "link-local",
        "http://10.0.0.1/admin/": "private",
        "http://192.168.0.1:8080/": "private",
        "http://127.0.0.1:6379/": "loopback",
        "http://localhost/": None,            # resolved by the fake DNS: nothing -> allowed
        "http://metadata.evil.cn/": "link-local",
        "http://intranet.evil.cn/x": "private",
        "http://rebind.evil.cn/": "loopback",     # any internal address refuses the name
        "http://v6local.evil.cn/": "link-local",
        "http://multicast.evil.cn/": "multicast",
        "http://0.0.0.0/": "unspecified",
    }
    for url, kind in refused.items():
        why = p.check(url)
        if kind is None:
            assert why is None, url
        else:
            assert why and kind in why, (url, why)
    for url in ("file:///etc/passwd", "ftp://10.0.0.1/", "gopher://x/", "javascript:alert(1)"):
        assert "not http(s)" in p.check(url)
    # the refusals are recorded, the resolver was asked for names only (literals are not looked up)
    assert {r["url"] for r in p.refused} >= {"http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"}
    assert "169.254.169.254" not in r.asked and "metadata.evil.cn" in r.asked
    assert p.summary()["resolved"]["metadata.evil.cn"] == ["169.254.169.254"]


def test_site_on_loopback_allows_loopback_only():
    """The testbed: a site on 127.0.0.1 may link other loopback addresses (other test
    servers), never the metadata service or the intranet."""
    p = OutboundPolicy(["http://127.0.0.1:8000/"], resolver=Resolver())
    assert p.check("http://127.0.0.1:8000/a.html") is None
    assert p.check("http://127.0.0.2:9000/ext.html") is None
    assert "link-local" in p.check("http://169.254.169.254/")
    assert "private" in p.check("http://10.0.0.1/")


def test_intranet_site_and_operator_ranges():
    p = OutboundPolicy(["http://10.1.2.3/"], resolver=Resolver())
    assert p.check("http://10.9.9.9/") is None            # the site's own kind of network
    assert "link-local" in p.check("http://169.254.169.254/")
    assert "loopback" in p.check("http://127.0.0.1/")
    p = OutboundPolicy(["http://portal.gov.cn/"], allow=["192.168.10.0/24"], resolver=Resolver())
    assert p.check("http://192.168.10.7/") is None
    assert "private" in p.check("http://192.168.11.7/")


def test_base_href_leaving_the_site_is_ignored():
    page = "http://127.0.0.1:8000/art/2025/1/1/a.html"
    assert page_base(page, "http://169.254.169.254/") == page
    assert page_base(page, "//10.0.0.1/") == page
    assert page_base(page, "javascript:alert(1)") == page
    assert page_base(page, "/static/") == "http://127.0.0.1:8000/static/"
    assert page_base(page, "http://127.0.0.1:8000/x/") == "http://127.0.0.1:8000/x/"
    html = ('<html><head><base href="http://169.254.169.254/"></head><body>'
            '<img src="latest/logo.png"><a href="files/a.pdf">附件</a></body></html>')
    urls = {link.url for link in absolute_links(page, html)}
    assert urls == {"http://127.0.0.1:8000/art/2025/1/1/latest/logo.png",
                    "http://127.0.0.1:8000/art/2025/1/1/files/a.pdf"}


def test_judged_address_is_pinned_for_the_connection():
    """The address the policy judged is the one Scrapy connects to (its DNS cache), so a name
    cannot resolve to a public address for the check and to a private one for the connection."""
    from scrapy.resolver import dnscache

    from crawler.outbound import pin_dns

    p = OutboundPolicy(["http://portal.gov.cn/"], resolver=Resolver())
    assert p.check("http://portal.gov.cn/a.html") is None
    pin_dns(p, "portal.gov.cn")
    assert dnscache["portal.gov.cn"] == "1.2.3.4"
