"""Small but real files of each attachment type, served by every testbed style
(a PDF that starts with ``%PDF-1.4``, OOXML/OFD as ZIP, old Office/WPS as OLE2, JPEG, PNG)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from html import escape

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/kswps",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "png": "image/png",
}


#: attachment states a truth can plant (``corpus.Attachment.state``)
ATTACHMENT_STATES = ("ok", "missing", "tiny", "wrong_type", "octet")


def attachment_response(att, text: str, error_page, headers: dict | None = None):
    """How every style answers an attachment download, by the attachment's planted state:
    ``ok`` a real file of its type (``headers``, e.g. Content-Disposition, added), ``missing``
    None (the style's 404), ``tiny`` two bytes, ``wrong_type`` the style's HTML ``error_page``
    (a Response), ``octet`` a real file served as ``application/octet-stream`` with no file
    name (a near miss for LK002: generic type, real content)."""
    from testbed.server import Response

    state = getattr(att, "state", "ok")
    ctype = CONTENT_TYPES.get(att.ext, "application/octet-stream")
    if state == "missing":
        return None
    if state == "tiny":
        return Response(200, b"\r\n", ctype)
    if state == "wrong_type":
        return error_page
    if state == "octet":
        return Response(200, file_bytes(att.ext, text), "application/octet-stream")
    return Response(200, file_bytes(att.ext, text), ctype, dict(headers or {}))


# -- small real files ---------------------------------------------------------------------

def file_bytes(ext: str, text: str) -> bytes:
    """A small but well-formed file of the given type (magic bytes are what checkers read)."""
    if ext == "pdf":
        return _pdf()
    if ext in ("doc", "xls", "wps"):
        return OLE_EMPTY
    if ext == "jpg":
        return JPEG
    if ext == "png":
        return PNG
    members = {
        "docx": {"[Content_Types].xml": _CT_DOCX, "word/document.xml":
                 f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                 f"<w:body><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:body></w:document>"},
        "xlsx": {"[Content_Types].xml": _CT_XLSX, "xl/workbook.xml":
                 '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'},
        "ofd": {"OFD.xml": '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
                           "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
                "Doc_0/Document.xml": '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>'},
    }.get(ext, {"readme.txt": text})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data.encode("utf-8"))
    return buf.getvalue()


_CT_DOCX = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>')
_CT_XLSX = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>')


def _pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _ole_empty() -> bytes:
    """An empty but valid OLE2 compound file (header, one FAT sector, one directory sector)."""
    free, end, fat, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
                            0, 1, 1, 0, 0x1000, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    fat_sector = struct.pack("<128I", fat, end, *[free] * 126)
    name = "Root Entry".encode("utf-16-le") + b"\0\0"
    root = (name.ljust(64, b"\0") + struct.pack("<HBB3I", len(name), 5, 1, nostream, nostream, nostream)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", end, 0))
    unused = b"\0" * 64 + struct.pack("<HBB3I", 0, 0, 0, nostream, nostream, nostream) + b"\0" * 48
    return header + fat_sector + root + unused * 3


def _jpeg() -> bytes:
    """A 1x1 grey baseline JPEG (one-symbol Huffman tables, a single all-zero block)."""
    def seg(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload
    one = bytes([1] + [0] * 15)
    return (b"\xFF\xD8" + seg(0xDB, b"\0" + b"\x01" * 64)
            + seg(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
            + seg(0xC4, b"\x00" + one + b"\x00") + seg(0xC4, b"\x10" + one + b"\x00")
            + seg(0xDA, b"\x01\x01\x00\x00\x3F\x00") + b"\x3F" + b"\xFF\xD9")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x10\x2e")) + chunk(b"IEND", b""))


OLE_EMPTY, JPEG, PNG = _ole_empty(), _jpeg(), _png()
