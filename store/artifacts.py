"""The rules' one way into the store: everything stored about one site in one run
(:meth:`ArtifactReader.artifacts`, the fields of ``rules.base.SiteArtifacts``) and what earlier
runs said of the site (:meth:`ArtifactReader.site_history`). Plain rows and values: the store
knows nothing of the rules."""
from __future__ import annotations


class ArtifactReader:
    """Mixed into :class:`store.Store`."""

    def artifacts(self, run_id: int, site: str) -> dict:
        """One site of one run: ``site``, ``name``, ``family``, ``documents``, ``columns``,
        ``entries``, ``fetches``, ``links``, ``probes`` (every run's home-page probes, AV001),
        ``link_observations``, ``carried`` (documents judged from an earlier run's stored copy) and
        ``body`` (a function: body hash -> bytes)."""
        info = self.site_info(site) or {}
        return {
            "site": site, "name": info.get("name"), "family": info.get("family"),
            "documents": self.documents(run_id, site),
            "columns": self.table_rows("columns", run_id, site),
            "entries": self.table_rows("entries", run_id, site),
            "fetches": self.compact_fetches(run_id, site),
            "links": self.compact_table_rows("links", run_id, site),
            "probes": self.probes(site),
            "body": self.body,
            "link_observations": self.compact_link_observations(run_id, site),
            "carried": self.carried(run_id, site),
        }

    def site_history(self, site: str, before: int) -> list[dict]:
        """The earlier runs that audited ``site``, newest first: ``id``, ``as_of``,
        ``started_at``, the fingerprints open (fail or review) in it (``open``), and the
        ``score`` and ``verdict`` of its result document."""
        runs = [dict(r) for r in self.db.query(
            "select runs.id, runs.as_of, runs.started_at, json_extract(results.doc, '$.score.score') as score, "
            "json_extract(results.doc, '$.score.verdict') as verdict from runs join results "
            "on results.run_id = runs.id where results.site = ? and runs.id < ? order by runs.id desc",
            [site, before])]
        by_id = {r["id"]: {**r, "open": set()} for r in runs}
        if by_id:
            marks = ",".join("?" * len(by_id))
            for row in self.db.query(
                    f"select run_id, fingerprint from findings where site = ? and run_id in ({marks}) "
                    f"and outcome in ('fail', 'review')", [site, *by_id]):
                by_id[row["run_id"]]["open"].add(row["fingerprint"])
        return list(by_id.values())
