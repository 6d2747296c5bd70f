"""Fleet runs (``fleet/``: nightly batches, recheck, scale-out) as named methods of
:class:`store.Store` (mixed in): batches and their runs, what an assessment needs to know of a
site's run, and the copies and deletions a ``recheck --open-only`` run starts from."""
from __future__ import annotations

import json

from store.schema import now_iso

#: the tables holding one run's rows (cleared when an interrupted batch run is crawled again)
RUN_TABLES = ("fetches", "columns", "entries", "documents", "links", "link_checks", "link_observations",
              "findings", "results")
#: what a ``recheck --open-only`` run copies from the site's last run (fetches apart)
CARRIED = ("columns", "entries", "documents", "links", "link_checks")


class FleetRecords:
    """Mixed into :class:`store.Store` (needs ``self.db``)."""

    # -- batches and their runs -----------------------------------------------------------------
    def running_batch(self) -> dict | None:
        """The newest batch left ``running`` (by a crash), or None."""
        rows = list(self.db.query("select * from batches where status = 'running' order by id desc limit 1"))
        return rows[0] if rows else None

    def start_batch(self, sites_file: str, as_of: str) -> int:
        table = self.db["batches"]
        table.insert({"started_at": now_iso(), "sites_file": sites_file, "as_of": as_of, "status": "running"})
        return table.last_pk

    def finish_batch(self, batch: int, summary: dict) -> None:
        self.db["batches"].update(batch, {"finished_at": now_iso(), "status": "finished",
                                          "summary": json.dumps(summary, ensure_ascii=False)})

    def batch_runs(self, batch: int) -> dict[str, dict]:
        """The batch's runs by site."""
        return {r["site"]: r for r in self.db.query("select * from runs where batch = ?", [batch])}

    def start_site_run(self, command: str, target: str, as_of: str, version: str, site: str,
                       batch: int | None = None) -> int:
        """A run of one site (a batch's, or a recheck's)."""
        table = self.db["runs"]
        table.insert({"started_at": now_iso(), "command": command, "target": target, "as_of": as_of,
                      "version": version, "status": "running", "batch": batch, "site": site})
        return table.last_pk

    def restart_run(self, run_id: int) -> None:
        """An interrupted run crawled again under the same id: its partial rows cleared."""
        for t in RUN_TABLES:
            self.db.execute(f"delete from [{t}] where run_id = ?", [run_id])
        self.db.execute("update runs set status = 'running', started_at = ?, stats = null where id = ?",
                        [now_iso(), run_id])

    def set_run_stats(self, run_id: int, stats: dict) -> None:
        self.db["runs"].update(run_id, {"stats": json.dumps(stats, ensure_ascii=False)})

    # -- what a run holds ---------------------------------------------------------------------------
    def unusable_entries(self, run_id: int, site: str) -> list[dict]:
        """The site's home page and section rows whose status is neither ok nor pending."""
        return list(self.db.query(
            "select role, status, note from columns where run_id = ? and site = ? and role in ('home', 'section') "
            "and status not in ('ok', 'pending')", [run_id, site]))

    def has_fetches(self, run_id: int, site: str | None = None) -> bool:
        sql, params = "select 1 from fetches where run_id = ?", [run_id]
        if site:
            sql, params = sql + " and site = ?", params + [site]
        return bool(list(self.db.query(sql + " limit 1", params)))

    def count(self, table: str, run_id: int, site: str | None = None) -> int:
        """Rows of ``table`` (fetches, documents, …) in a run, or one site of it."""
        sql, params = f"select count(*) from [{table}] where run_id = ?", [run_id]
        if site:
            sql, params = sql + " and site = ?", params + [site]
        return self.db.execute(sql, params).fetchone()[0]

    def batch_counts(self, run_ids: list[int]) -> dict[str, int]:
        """A batch's figures: pages fetched (304s apart), 304s, documents, documents new to the store."""
        marks = ",".join("?" * len(run_ids))

        def q(sql: str) -> int:
            return self.db.execute(sql, run_ids).fetchone()[0]

        return {
            "pages_fetched": q(f"select count(*) from fetches where run_id in ({marks}) and status is not null "
                               "and status != 304"),
            "not_modified": q(f"select count(*) from fetches where run_id in ({marks}) and status = 304"),
            "documents": q(f"select count(*) from documents where run_id in ({marks})"),
            "new_documents": q(
                f"select count(*) from documents d where d.run_id in ({marks}) and not exists "
                "(select 1 from documents p where p.url = d.url and p.site = d.site and p.run_id < d.run_id)"),
        }

    def result_doc(self, run_id: int, site: str) -> dict | None:
        rows = list(self.db.query("select doc from results where run_id = ? and site = ?", [run_id, site]))
        return json.loads(rows[0]["doc"]) if rows else None

    # -- recheck --open-only ------------------------------------------------------------------------
    def last_audited_run(self, site: str) -> dict | None:
        """The newest finished run with a result for ``site``."""
        rows = list(self.db.query(
            "select r.* from runs r join results s on s.run_id = r.id where s.site = ? "
            "and r.status = 'finished' order by r.id desc limit 1", [site]))
        return rows[0] if rows else None

    def carry_run(self, src: int, dst: int, site: str) -> None:
        """Copy the site's rows of run ``src`` into run ``dst``; each copied fetch keeps the run
        it was made in (``copied_from``). The home page's fetches are not copied (it is fetched
        again: a copied home fetch would count twice as an AV001 probe)."""
        for table in CARRIED:
            cols = [c for c in self.db[table].columns_dict if c != "run_id"]
            names = ", ".join(f"[{c}]" for c in cols)
            self.db.execute(f"insert or ignore into [{table}] (run_id, {names}) select ?, {names} "
                            f"from [{table}] where run_id = ? and site = ?", [dst, src, site])
        cols = [c for c in self.db["fetches"].columns_dict if c not in ("id", "run_id", "copied_from")]
        names = ", ".join(f"[{c}]" for c in cols)
        self.db.execute(f"insert into fetches (run_id, copied_from, {names}) select ?, coalesce(copied_from, run_id), "
                        f"{names} from fetches where run_id = ? and site = ? and kind != 'home' order by id",
                        [dst, src, site])

    def document_urls(self, run_id: int, site: str) -> set[str]:
        return {r["url"] for r in self.db.query("select url from documents where run_id = ? and site = ?",
                                                [run_id, site])}

    def listed_urls(self, run_id: int, site: str) -> set[str]:
        """Every document URL a list row of the site names."""
        return {r["doc_url"] for r in self.db.query("select doc_url from entries where run_id = ? and site = ?",
                                                    [run_id, site])}

    def forget_page(self, run_id: int, url: str, rows: bool = False) -> None:
        """What a page fetched again will say anew: its fetches and links (``rows``: and its list rows)."""
        self.db.execute("delete from fetches where run_id = ? and url = ?", [run_id, url])
        self.db.execute("delete from links where run_id = ? and page_url = ?", [run_id, url])
        if rows:
            self.db.execute("delete from entries where run_id = ? and column_url = ?", [run_id, url])

    def keep_links_to(self, run_id: int, targets: set[str]) -> None:
        """Only the run's links whose target is in ``targets`` stay."""
        self.db.execute(f"delete from links where run_id = ? and url not in ({','.join('?' * len(targets))})",
                        [run_id, *sorted(targets)])

    def clear_link_checks(self, run_id: int) -> None:
        self.db.execute("delete from link_checks where run_id = ?", [run_id])
