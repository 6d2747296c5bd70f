"""Reading a page whose declared charset is wrong (store.decode): the text is right and the
encoding used is said. Pages are written by hand in the encodings real portals serve."""
from __future__ import annotations

from store.decode import decode_page

TEXT = "<html><head><title>关于做好2025年政府信息公开工作的通知</title></head><body>索引号：11370000/2025-00001</body></html>"


def test_declared_charset_that_decodes_is_kept():
    assert decode_page(TEXT.encode("utf-8"), "utf-8") == (TEXT, "utf-8", None)
    assert decode_page(TEXT.encode("gbk"), "gbk") == (TEXT, "gbk", None)


def test_gbk_declared_utf8():
    text, enc, note = decode_page(TEXT.encode("gbk"), "utf-8")
    assert text == TEXT and enc == "gb18030" and note.startswith("declared utf-8 does not decode")


def test_utf8_declared_gbk():
    # these UTF-8 bytes also decode as GBK (into nonsense): they must be read as UTF-8
    body = "关于印发通知".encode("utf-8")
    assert body.decode("gbk") != "关于印发通知"
    text, enc, note = decode_page(body, "gbk")
    assert (text, enc) == ("关于印发通知", "utf-8") and "bytes are UTF-8" in note


def test_page_cut_inside_a_character_keeps_its_encoding():
    body = TEXT.encode("utf-8")
    cut = body[:body.index("通知".encode("utf-8")) + 2]      # the middle of 通
    text, enc, note = decode_page(cut, "utf-8", truncated=True)
    assert enc == "utf-8" and note is None and text.endswith("工作的")
