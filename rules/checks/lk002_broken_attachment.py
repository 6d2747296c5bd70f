"""LK002 broken-attachment: an attachment (PDF, DOC/DOCX, XLS/XLSX, OFD, WPS, ZIP…) cannot be
downloaded, or what is served is not a file of its type (附件无法下载、附件过小、附件类型不符)."""
from __future__ import annotations

from rules.base import Severity
from rules.checks.lk001_broken_link import LinkAvailability
from rules.registry import register


@register
class BrokenAttachment(LinkAvailability):
    code = "LK002"
    kinds = ("file",)
    what = "附件"
