"""LK002 broken-attachment: an attachment (PDF, DOC/DOCX, XLS/XLSX, OFD, WPS, ZIP…) cannot be
downloaded, or what is served is not a file of its type (附件无法下载、附件过小、附件类型不符)."""
from __future__ import annotations

from rules.base import Severity
from rules.checks.lk001_broken_link import LinkAvailability
from rules.registry import register


@register
class BrokenAttachment(LinkAvailability):
    code = "LK002"
    name = "broken-attachment"
    title = "附件可正常下载"
    failure_title = "附件无法下载或文件无效"
    severity = Severity.DEDUCT
    source = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》“可用性”（附件失效）"
    source_id = "jc19-links"
    rationale = ("政策文件的附件是公开内容的一部分；附件链接失效、下载到的是几个字节的空文件，"
                 "或下载到的是错误提示网页而不是文件，公众就无法获取该信息。")
    how_to_fix = ("重新上传附件并核对下载地址；确认服务器返回的是完整文件（文件头与扩展名一致），"
                  "而不是错误提示页面或空文件。")
    kinds = ("file",)
    what = "附件"
