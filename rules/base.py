"""Rule, Finding, Outcome, Severity, Context and the artifacts a rule reads.

Rules are pure: ``check(site, ctx)`` reads stored artifacts (:class:`SiteArtifacts`) and an
injected :class:`Context` (today, the working-day calendar, thresholds) and yields findings.
They never import Scrapy, never fetch, never read the clock.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable

from rules.workdays import WorkCalendar


class Outcome(StrEnum):
    FAIL = "fail"
    REVIEW = "review"          # uncertain input: a person must look (never a silent pass)
    PASS = "pass"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"            # the rule itself raised: nothing was assessed (never a pass)


class Severity(StrEnum):
    VETO = "veto"              # 单项否决 (国办秘函〔2019〕19号)
    DEDUCT = "deduct"          # 扣分
    ADVISORY = "advisory"      # 提示, no score effect


@dataclass
class Finding:
    code: str
    name: str
    outcome: Outcome
    severity: Severity
    site: str
    url: str | None
    message: str
    column: str | None = None
    title: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    #: what the finding is about, when the URL alone does not say (e.g. a link target)
    subject: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across runs: the same problem on the same page has the same fingerprint."""
        basis = "\x1f".join([self.code, self.site, self.url or "", self.subject or ""])
        return f"{self.code}:{hashlib.sha1(basis.encode()).hexdigest()[:16]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "outcome": str(self.outcome),
            "severity": str(self.severity), "site": self.site, "url": self.url,
            "column": self.column, "title": self.title, "message": self.message,
            "evidence": self.evidence, "fingerprint": self.fingerprint,
        }


@dataclass
class SiteArtifacts:
    """Everything stored about one site in one run, as plain rows (see store)."""

    site: str
    name: str | None
    family: str | None
    documents: list[dict]
    columns: list[dict]
    entries: list[dict]
    fetches: list[dict]
    links: list[dict]
    #: home-page availability probes of every run (None: take the crawl's own home fetches)
    probes: list[dict] | None = None
    #: returns a stored body by hash (for rules that read page text, e.g. footers)
    body: Callable[[str | None], bytes | None] = lambda sha: None
    #: what the link checker saw of each target (``link_observations``, records parsed; empty
    #: for runs stored before observations were recorded): rules.links judges them
    link_observations: list[dict] = field(default_factory=list)
    #: documents of this run judged from an earlier run's stored copy (``store.carried``:
    #: incremental runs; empty when every document was read in this run)
    carried: list[dict] = field(default_factory=list)

    def fetch_of(self, url: str) -> dict | None:
        """The last fetch of ``url`` (as requested or as finally served)."""
        found = None
        for f in self.fetches:
            if f["url"] == url or f["final_url"] == url:
                found = f
        return found

    def column_names(self, doc: dict) -> list[str]:
        return list(doc.get("columns") or [])


@dataclass
class Context:
    today: date
    calendar: WorkCalendar
    thresholds: dict[str, Any]
    #: where site profiles are read from (None: ``data/sites``)
    sites_dir: Path | None = None


class Rule:
    """One check. A subclass sets ``code`` (and ``requires``) and implements :meth:`check`; the rest
    of its description is its entry in ``data/rules.toml``, set on it by ``rules.registry.register``."""

    code: ClassVar[str]
    name: ClassVar[str]                 # kebab-case noun naming the failing state
    title: ClassVar[str]                # Chinese, the passing state
    failure_title: ClassVar[str]        # Chinese, the failing state
    severity: ClassVar[Severity]
    source: ClassVar[str]               # citation, Chinese, with the clause
    source_id: ClassVar[str]            # key in data/sources.toml
    rationale: ClassVar[str]            # why it matters (Chinese)
    how_to_fix: ClassVar[str]           # Chinese
    requires: ClassVar[tuple[str, ...]] = ("documents",)
    status: ClassVar[str] = "preview"   # set from data/rules.toml when registered

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, outcome: Outcome, site: SiteArtifacts, url: str | None, message: str,
                **kw: Any) -> Finding:
        return Finding(self.code, self.name, outcome, self.severity, site.site, url, message, **kw)

    @classmethod
    def meta(cls) -> dict[str, Any]:
        return {
            "code": cls.code, "name": cls.name, "title": cls.title,
            "failure_title": cls.failure_title, "severity": str(cls.severity),
            "source": cls.source, "source_id": cls.source_id, "rationale": cls.rationale,
            "how_to_fix": cls.how_to_fix, "requires": list(cls.requires), "status": cls.status,
        }
