"""The store's database: the schema's migrations, :class:`Store` and :class:`BodyReader`.

Imported on first use of ``store.Store`` (``store/__init__.py``): the crawl's page-reading
process needs only the light part of the package and never loads ``sqlite_utils``.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
import zlib
from dataclasses import asdict
from pathlib import Path
from collections.abc import Mapping
from typing import IO, Any, Callable, Iterable, Iterator

import sqlite_utils
from sqlite_utils.migrations import Migrations

from store.artifacts import ArtifactReader
from store.crawl import CrawlRecords
from store.fleet import FleetRecords
from store.bodies import BodyLookups, BodyReader  # noqa: F401  (re-exported)
from store.schema import CST, DOC_FIELDS, now_iso, pack_body, sha1, today_cst  # noqa: F401

#: what opening or writing a file that is not a usable govaudit database raises (a foreign or
#: damaged file, a full disk): callers catch it without touching SQLite themselves
DatabaseError = sqlite3.DatabaseError

migrations = Migrations("govaudit")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "command": str,
            "target": str, "as_of": str, "version": str, "status": str, "stats": str,
        },
        pk="id",
    )
    db["sites"].create(
        {"url": str, "name": str, "family": str, "first_seen": str, "last_run": int}, pk="url"
    )
    db["bodies"].create({"sha": str, "size": int, "data": bytes}, pk="sha")
    db["fetches"].create(
        {
            "id": int, "run_id": int, "site": str, "url": str, "method": str, "req_body": str,
            "status": int, "final_url": str, "redirects": str, "fetched_at": str,
            "elapsed_ms": int, "content_type": str, "size": int, "body_sha": str,
            "error": str, "blocked": str, "kind": str,
        },
        pk="id",
    )
    db["fetches"].create_index(["run_id", "url"])
    db["columns"].create(
        {
            "run_id": int, "site": str, "url": str, "name": str, "parent": str, "role": str,
            "entries": int, "placeholder": int, "status": str, "note": str,
        },
        pk=("run_id", "url"),
    )
    db["entries"].create(
        {
            "run_id": int, "site": str, "column_url": str, "doc_url": str, "title": str,
            "date": str, "date_raw": str, "position": int,
        },
        pk=("run_id", "column_url", "doc_url"),
    )
    doc_cols: dict[str, Any] = {"run_id": int, "site": str, "url": str}
    for f in DOC_FIELDS + ("category",):
        doc_cols.update({f: str, f + "_raw": str, f + "_source": str})
    doc_cols.update(
        {
            "columns": str, "column_name": str, "body_text": str, "attachments": str,
            "related": str, "deleted": int, "uncertain": str, "fetched_at": str,
            "body_sha": str, "status": int,
        }
    )
    db["documents"].create(doc_cols, pk=("run_id", "url"))
    db["links"].create(
        {"run_id": int, "site": str, "page_url": str, "url": str, "text": str, "tag": str},
        pk=("run_id", "page_url", "url", "text"),
    )
    db["links"].create_index(["run_id", "url"])
    db["findings"].create(
        {
            "run_id": int, "site": str, "code": str, "name": str, "outcome": str,
            "severity": str, "url": str, "column": str, "title": str, "message": str,
            "evidence": str, "fingerprint": str, "change": str,
        },
        pk=("run_id", "fingerprint"),
    )
    db["results"].create({"run_id": int, "site": str, "doc": str}, pk=("run_id", "site"))


@migrations()
def m003_probes(db: sqlite_utils.Database) -> None:
    """Home-page availability probes (AV001), independent of crawl runs."""
    db["probes"].create(
        {"id": int, "site": str, "url": str, "probed_at": str, "status": int, "latency_ms": int,
         "ok": int, "error": str, "blocked": str},
        pk="id",
    )
    db["probes"].create_index(["site", "probed_at"])


@migrations()
def m002_link_checks(db: sqlite_utils.Database) -> None:
    """Link checking (``crawler.linkcheck``): one result per target URL per run, kept across
    runs for the time-to-live policy (``checked_at`` is when the target was really fetched;
    ``origin`` fetch | crawl | cache). Each run's result is also copied onto its ``links`` rows
    for the rules: ``check_class`` on every row, ``check_detail`` (the JSON of
    ``link_checks.detail``) on the first row of each target."""
    db["link_checks"].create(
        {"run_id": int, "site": str, "url": str, "checked_at": str, "class": str, "origin": str,
         "confirmed": str, "detail": str},
        pk=("run_id", "url"),
    )
    db["link_checks"].create_index(["url", "run_id"])
    db["links"].add_column("check_class", str)
    db["links"].add_column("check_detail", str)


@migrations()
def m004_site_profile(db: sqlite_utils.Database) -> None:
    """The site profile file (``data/sites/<host>.toml``) a crawl used, on the site row."""
    db["sites"].add_column("profile", str)


@migrations()
def m005_column_section(db: sqlite_utils.Database) -> None:
    """The section page each column was found on (multi-organ hubs: one section per organ)."""
    db["columns"].add_column("section", str)


@migrations()
def m006_column_tree(db: sqlite_utils.Database) -> None:
    """The column tree as discovery read it (``crawler.discovery``).

    ``kind``: what the page holds (section | category | list | single | endpoint | other |
    unknown); ``reason``: why it was classified so (in Chinese: auditors read it in the report);
    ``path``: JSON list of names from the section down to this column (法定主动公开内容 › 财政信息
    › 部门预算); ``depth``: levels below the section; ``parent_url``: the page it was found on;
    ``rows_stated``: the row total the list page states (pager/API), when it states one;
    ``pages_stated`` / ``pages_read``: list pages (or list requests) the pager announces and
    those read with rows."""
    for name, type_ in (("kind", str), ("reason", str), ("path", str), ("depth", int),
                        ("parent_url", str), ("rows_stated", int), ("pages_stated", int),
                        ("pages_read", int)):
        db["columns"].add_column(name, type_)


@migrations()
def m007_fetch_body_notes(db: sqlite_utils.Database) -> None:
    """What was done to a fetched body (issue 11). ``truncated``: the cap in bytes when the
    body was cut there (``crawler.middlewares.BodyCapMiddleware``; the body stored is the
    first ``truncated`` bytes); ``encoding``: the character encoding the page was read with,
    and ``encoding_note`` why, when it is not the one the page declared; ``refresh``: the
    page's ``<meta http-equiv="refresh">`` (delay and target) when it was not followed."""
    for name, type_ in (("truncated", int), ("encoding", str), ("encoding_note", str), ("refresh", str)):
        db["fetches"].add_column(name, type_)


@migrations()
def m008_audits(db: sqlite_utils.Database) -> None:
    """Every audit of a run is kept (issue 11): ``audits`` (one row per ``check``/``audit``,
    with its as-of date), and each audit's result documents and findings beside the run's
    latest ones (``results`` / ``findings`` keep meaning "the latest audit of the run")."""
    db["audits"].create({"id": int, "run_id": int, "as_of": str, "made_at": str, "codes": str,
                         "version": str}, pk="id")
    db["audits"].create_index(["run_id"])
    db["audit_results"].create({"audit_id": int, "run_id": int, "site": str, "doc": str},
                               pk=("audit_id", "site"))
    db["audit_findings"].create(
        {"audit_id": int, "run_id": int, "site": str, "code": str, "name": str, "outcome": str,
         "severity": str, "url": str, "column": str, "title": str, "message": str,
         "evidence": str, "fingerprint": str, "change": str},
        pk=("audit_id", "fingerprint"))


@migrations()
def m009_http_validators(db: sqlite_utils.Database) -> None:
    """Incremental crawling (``fleet.incremental``): the validators of each document URL's
    last full fetch (``ETag`` / ``Last-Modified``, the body's hash, when and in which run it was
    fetched), so the next run can ask with ``If-None-Match`` / ``If-Modified-Since``; and an
    index to find a URL's stored document in earlier runs."""
    db["validators"].create(
        {"url": str, "site": str, "etag": str, "last_modified": str, "body_sha": str,
         "fetched_at": str, "run_id": int},
        pk="url",
    )
    db["documents"].create_index(["url", "run_id"])
    # a recheck run carries the previous run's fetches forward: the run they were made in
    db["fetches"].add_column("copied_from", int)


@migrations()
def m010_fleet_batches(db: sqlite_utils.Database) -> None:
    """Fleet runs (``govaudit nightly``): a batch is one nightly run over a sites file; each
    site of it is a run (``runs.batch``). ``status`` running | finished; a batch left
    ``running`` by a crash is resumed by the next nightly run."""
    db["batches"].create(
        {"id": int, "started_at": str, "finished_at": str, "sites_file": str, "as_of": str,
         "status": str, "summary": str},
        pk="id",
    )
    db["runs"].add_column("batch", int)
    db["runs"].add_column("site", str)


@migrations()
def m020_link_observations(db: sqlite_utils.Database) -> None:
    """What the link checker saw of each target (``rules.links`` judges it, at crawl time and
    again at every audit with that audit's thresholds). ``observation``: the JSON record of the
    answer judged last (status, headers that matter, content type, first bytes' format, size,
    hops, timing, anti-bot and not-found signs, the comparison with the host's not-found page);
    ``first``: the first failure's record when the target was checked again; ``kind`` (file |
    image | page | resource), ``tag``, ``internal``, ``offline`` (the machine could not reach
    the internet), ``retries`` (transient failures asked again), ``previous_class`` (the
    previous run's class, which confirms a failure). A result reused from an earlier run
    (``origin`` cache in ``link_checks``) gets that run's row; one without (stored before this
    migration) keeps its stored class."""
    db["link_observations"].create(
        {"run_id": int, "site": str, "url": str, "observed_at": str, "kind": str, "tag": str,
         "internal": int, "offline": int, "retries": int, "previous_class": str,
         "observation": str, "first": str},
        pk=("run_id", "url"),
    )


@migrations()
def m011_run_site_indexes(db: sqlite_utils.Database) -> None:
    """Per-site reads of a run (the rules load one site at a time) through an index: without
    one, every site's read walked the whole run's rows (12 sites x 80,000 links at 10^4
    documents was a fifth of ``govaudit audit``; bench/scale.py)."""
    for table in ("links", "fetches", "entries", "documents"):
        db[table].create_index(["run_id", "site"], if_not_exists=True)
    # the rows listing a document (its columns, at the end of a crawl): without it SQLite walks
    # the run's whole entries key for every document (10^4 documents: 14.5 s; 10^5: ~100x that)
    db["entries"].create_index(["run_id", "doc_url", "column_url"], if_not_exists=True)


# -- incremental crawling: the revisit window (store/incremental.py) ------------------------
from store.incremental import RevisitQueries, m021_revisits  # noqa: E402

migrations()(m021_revisits)


@migrations()
def m012_fetches_body_index(db: sqlite_utils.Database) -> None:
    """The fetches of a body (a finding's snapshot names the page it was judged on by its hash,
    ``Store.first_fetch_of_body``; a 304 points at the stored body's fetch): without an index each
    lookup walked every fetch of the store (at 10^5 documents 90% of ``govaudit audit``)."""
    db["fetches"].create_index(["body_sha"], if_not_exists=True)


@migrations()
def m022_findings_site_index(db: sqlite_utils.Database) -> None:
    """A site's findings of a run through an index (``Store.replace_findings`` deletes them
    before the audit writes them again; ``Store.site_history`` reads the open ones): without one
    each site's delete walked every finding of the run (12 sites x 120,000 findings at 10^5
    documents)."""
    db["findings"].create_index(["run_id", "site"], if_not_exists=True)


TREE_FIELDS = ("kind", "reason", "path", "depth", "parent_url", "rows_stated", "pages_stated", "pages_read")


class Store(CrawlRecords, FleetRecords, ArtifactReader, RevisitQueries, BodyLookups):
    """Thin read/write layer over the audit database."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.db = sqlite_utils.Database(conn)
        migrations.apply(self.db)
        self._sql: dict[tuple, str] = {}

    def close(self) -> None:
        self.db.conn.close()

    # -- runs -------------------------------------------------------------------------
    def start_run(self, command: str, target: str, as_of: str | None, version: str) -> int:
        table = self.db["runs"]
        table.insert(
            {
                "started_at": now_iso(), "command": command, "target": target,
                "as_of": as_of, "version": version, "status": "running",
            }
        )
        self.db.conn.commit()
        return table.last_pk

    def finish_run(self, run_id: int, status: str, stats: dict | None = None) -> None:
        self.db["runs"].update(
            run_id,
            {"finished_at": now_iso(), "status": status,
             "stats": json.dumps(stats or {}, ensure_ascii=False)},
        )
        self.db.conn.commit()

    def run(self, run_id: int) -> dict:
        return self.db["runs"].get(run_id)

    def run_row(self, run_id: int) -> dict | None:
        """The run with this id, or None (``run`` raises for an unknown id)."""
        rows = list(self.db.query("select * from runs where id = ?", [run_id]))
        return rows[0] if rows else None

    def reopen_run(self, run_id: int) -> None:
        """Mark an unfinished run running again (a resumed crawl continues it)."""
        self.db["runs"].update(run_id, {"status": "running"})
        self.commit()

    def home_page_read(self, run_id: int, site: str) -> bool:
        """Whether the run read ``site``'s home page (HTTP 200, not blocked, no error)."""
        return bool(list(self.db.query(
            "select 1 from fetches where run_id = ? and site = ? and kind = 'home' and status = 200 "
            "and blocked is null and error is null limit 1", [run_id, site])))

    def latest_run(self, site: str | None = None, before: int | None = None) -> dict | None:
        """The newest run (optionally one that stored documents or fetches for ``site``)."""
        where, params = [], []
        if before is not None:
            where.append("id < ?")
            params.append(before)
        if site is not None:
            where.append("id in (select distinct run_id from fetches where site = ?)")
            params.append(site)
        sql = "select * from runs" + (" where " + " and ".join(where) if where else "")
        rows = list(self.db.query(sql + " order by id desc limit 1", params))
        return rows[0] if rows else None

    # -- bodies and fetches -----------------------------------------------------------
    def put_body(self, data: bytes, sha: str | None = None, packed: bytes | None = None) -> str:
        """Keep a body once by its SHA-1 (``sha``: already computed by the caller; ``packed``:
        its compressed bytes from :func:`pack_body`, with its ``sha``)."""
        sha = sha or sha1(data)
        self.db.conn.execute(
            "insert or ignore into bodies (sha, size, data) values (?, ?, ?)",
            (sha, len(data), packed if packed is not None else zlib.compress(data, 6)),
        )
        return sha

    def stored_bodies(self, shas: Iterable[str]) -> set[str]:
        """Which of the body hashes ``shas`` the store holds."""
        shas, found = list(shas), set()
        for i in range(0, len(shas), 500):
            part = shas[i:i + 500]
            found.update(r[0] for r in self.db.conn.execute(
                f"select sha from bodies where sha in ({', '.join('?' * len(part))})", part))
        return found

    def add_fetch(self, run_id: int, site: str, url: str, *, status: int | None,
                  body: bytes | None = None, method: str = "GET", req_body: str | None = None,
                  final_url: str | None = None, redirects: list | None = None,
                  elapsed_ms: int | None = None, content_type: str | None = None,
                  error: str | None = None, blocked: str | None = None, kind: str = "page",
                  fetched_at: str | None = None, notes: dict | None = None,
                  body_sha: str | None = None, body_packed: bytes | None = None) -> str | None:
        """``notes``: m007's columns (truncated, encoding, encoding_note, refresh); ``body_sha``:
        the body's hash when the caller has it, ``body_packed`` its compressed bytes
        (:func:`pack_body`, made with that hash)."""
        if body_packed is not None and not body_sha:
            raise ValueError("body_packed needs the body_sha it was made with")
        sha = self.put_body(body, body_sha, body_packed) if body is not None else None
        self._write("insert", "fetches", {
            "run_id": run_id, "site": site, "url": url, "method": method,
            "req_body": req_body, "status": status, "final_url": final_url or url,
            "redirects": json.dumps(redirects or [], ensure_ascii=False),
            "fetched_at": fetched_at or now_iso(), "elapsed_ms": elapsed_ms,
            "content_type": content_type, "size": len(body) if body is not None else None,
            "body_sha": sha, "error": error, "blocked": blocked, "kind": kind,
            **{k: v for k, v in (notes or {}).items()
               if k in ("truncated", "encoding", "encoding_note", "refresh")},
        })
        return sha

    def _write(self, verb: str, table: str, row: dict, pk: tuple[str, ...] = (), many: list | None = None) -> None:
        """One prepared INSERT (``verb="insert"``) or upsert (``verb="upsert"``: insert, or update
        the given columns of the row with the same ``pk``, leaving the others as they were — what
        sqlite-utils' upsert does, without its per-call table introspection, which cost more than
        the write itself on every crawled page). ``many``: rows with ``row``'s keys (executemany)."""
        keys = tuple(row)
        sql = self._sql.get((verb, table, keys, pk))
        if sql is None:
            cols = ", ".join(f"[{k}]" for k in keys)
            sql = f"insert into [{table}] ({cols}) values ({', '.join('?' * len(keys))})"
            if verb == "upsert":
                sets = ", ".join(f"[{k}] = excluded.[{k}]" for k in keys if k not in pk)
                sql += f" on conflict ({', '.join(pk)}) do " + (f"update set {sets}" if sets else "nothing")
            self._sql[(verb, table, keys, pk)] = sql
        if many is not None:
            self.db.conn.executemany(sql, [tuple(r[k] for k in keys) for r in many])
        else:
            self.db.conn.execute(sql, tuple(row.values()))

    def fetches(self, run_id: int, site: str | None = None, method: str | None = None) -> Iterator[dict]:
        sql, params = "select * from fetches where run_id = ?", [run_id]
        if site:
            sql += " and site = ?"
            params.append(site)
        if method:
            sql += " and method = ?"
            params.append(method)
        yield from self.db.query(sql + " order by id", params)

    # -- site structure ---------------------------------------------------------------
    def upsert_site(self, url: str, name: str | None, family: str | None, run_id: int,
                    profile: str | None = None) -> None:
        """``profile``: the site profile file the crawl used (``data/sites/<host>.toml``)."""
        existing = list(self.db.query("select first_seen from sites where url = ?", [url]))
        self.db["sites"].upsert(
            {"url": url, "name": name, "family": family, "last_run": run_id, "profile": profile,
             "first_seen": existing[0]["first_seen"] if existing else now_iso()},
            pk="url",
        )

    def add_column(self, run_id: int, site: str, url: str, name: str, parent: str | None,
                   role: str, entries: int = 0, placeholder: bool = False,
                   status: str = "ok", note: str | None = None, section: str | None = None,
                   **tree) -> None:
        """Insert or update a column. ``section``: the 政府信息公开 section page it was found on
        (for a section, the hub that listed it); kept when a later update does not give it.
        ``tree``: the column-tree fields of migration m006 (kind, reason, path, depth,
        parent_url, rows_stated, pages_stated, pages_read); ``path`` is a list of names."""
        row = {"run_id": run_id, "site": site, "url": url, "name": name, "parent": parent,
               "role": role, "entries": entries, "placeholder": int(placeholder),
               "status": status, "note": note}
        if section is not None:
            row["section"] = section
        for key, value in tree.items():
            if key not in TREE_FIELDS:
                raise TypeError(f"unknown column field {key!r}")
            if value is not None:
                row[key] = json.dumps(value, ensure_ascii=False) if key == "path" else value
        self.db["columns"].upsert(row, pk=("run_id", "url"))

    def set_column_status(self, run_id: int, url: str, status: str, note: str | None) -> None:
        """Mark a column's state (e.g. a later list request was blocked) without touching its
        other fields."""
        self.db.execute("update columns set status = ?, note = ? where run_id = ? and url = ?",
                        [status, note, run_id, url])

    def add_entries(self, run_id: int, site: str, column_url: str, rows: Iterable[dict]) -> None:
        rows = [{"run_id": run_id, "site": site, "column_url": column_url, **r} for r in rows]
        by_keys: dict[tuple, list[dict]] = {}
        for r in rows:
            by_keys.setdefault(tuple(r), []).append(r)
        for group in by_keys.values():
            self._write("upsert", "entries", group[0], ("run_id", "column_url", "doc_url"), many=group)

    def add_document(self, run_id: int, site: str, doc, columns: list[str],
                     fetched_at: str, body_sha: str | None, status: int | None) -> None:
        """``doc``: a document as the page objects read it (``crawler.items.Document``: each of
        ``DOC_FIELDS`` and ``category`` a value with ``value``, ``raw`` and ``source``;
        attachments and related links as dataclasses)."""
        row: dict[str, Any] = {"run_id": run_id, "site": site, "url": doc.url}
        for f in DOC_FIELDS + ("category",):
            v = getattr(doc, f)
            row.update({f: v.value, f + "_raw": v.raw, f + "_source": v.source})
        row.update(
            {
                "columns": json.dumps(columns, ensure_ascii=False),
                "column_name": doc.column_name, "body_text": doc.body_text,
                "attachments": json.dumps([asdict(a) for a in doc.attachments], ensure_ascii=False),
                "related": json.dumps([asdict(link) for link in doc.related], ensure_ascii=False),
                "deleted": int(doc.deleted), "uncertain": doc.uncertain,
                "fetched_at": fetched_at, "body_sha": body_sha, "status": status,
            }
        )
        self._write("upsert", "documents", row, ("run_id", "url"))

    def add_links(self, run_id: int, site: str, page_url: str, links: Iterable) -> None:
        # plain INSERT OR IGNORE (a link row already stored for this run and page is the same
        # link): an upsert costs two statements per row, and this runs for every crawled page
        self.db.conn.executemany(
            "insert or ignore into links (run_id, site, page_url, url, text, tag) values (?, ?, ?, ?, ?, ?)",
            [(run_id, site, page_url, l.url, l.text[:200], l.tag) for l in links])

    def put_link_observation(self, run_id: int, site: str, url: str, *, observed_at: str, kind: str,
                             tag: str | None, internal: bool, offline: bool, observation: dict,
                             first: dict | None, retries: int, previous_class: str | None) -> None:
        """What the link checker saw of one target (migration m020)."""
        self.db.execute(
            "insert or replace into link_observations (run_id, site, url, observed_at, kind, tag, internal, "
            "offline, retries, previous_class, observation, first) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, site, url, observed_at, kind, tag, int(internal), int(offline), retries, previous_class,
             json.dumps(observation, ensure_ascii=False),
             json.dumps(first, ensure_ascii=False) if first else None])

    def copy_link_observation(self, from_run: int, to_run: int, site: str, url: str) -> None:
        """A result reused from an earlier run (time to live): its observation comes along."""
        self.db.execute(
            "insert or replace into link_observations (run_id, site, url, observed_at, kind, tag, internal, "
            "offline, retries, previous_class, observation, first) select ?, ?, url, observed_at, kind, tag, "
            "internal, offline, retries, previous_class, observation, first from link_observations "
            "where run_id = ? and url = ?", [to_run, site, from_run, url])

    def link_observations(self, run_id: int, site: str) -> list[dict]:
        """The link checker's observations of one site's targets, their records parsed."""
        rows = self.db.query("select * from link_observations where run_id = ? and site = ?", [run_id, site])
        return [{**r, "observation": json.loads(r["observation"]),
                 "first": json.loads(r["first"]) if r["first"] else None} for r in rows]

    def commit(self) -> None:
        self.db.conn.commit()

    def _connection(self) -> sqlite3.Connection:
        return self.db.conn

    # -- reading back -----------------------------------------------------------------
    def sites(self, run_id: int) -> list[str]:
        return [r["site"] for r in self.db.query(
            "select distinct site from fetches where run_id = ? order by site", [run_id])]

    def site_info(self, url: str) -> dict | None:
        rows = list(self.db.query("select * from sites where url = ?", [url]))
        return rows[0] if rows else None

    def table_rows(self, table: str, run_id: int, site: str | None = None) -> list[dict]:
        sql, params = f"select * from [{table}] where run_id = ?", [run_id]
        if site:
            sql += " and site = ?"
            params.append(site)
        return list(self.db.query(sql, params))

    def documents(self, run_id: int, site: str | None = None) -> list[dict]:
        rows = self.table_rows("documents", run_id, site)
        for r in rows:
            for k in ("columns", "attachments", "related"):
                r[k] = json.loads(r[k] or "[]")
        return rows

    # -- findings and results ---------------------------------------------------------
    def replace_findings(self, run_id: int, site: str, findings: Iterable[dict],
                         audit_id: int | None = None, audit_listed: Iterable[dict] | None = None) -> None:
        """The run's findings of ``site`` replaced by ``findings`` (``findings``: the latest audit
        of the run); with ``audit_id``, those of ``audit_listed`` (a subset of ``findings``, by
        identity; all of them when None) also kept as that audit's (``audit_findings``). Each
        finding's evidence is serialised once for both tables, and the rows are written as
        prepared statements, one finding at a time (no list of rows is held)."""
        cols = self._columns("findings")
        keys = [k for k in cols if k not in ("run_id", "evidence")]
        ins = (f"insert or replace into findings ({', '.join(f'[{k}]' for k in cols)}) "
               f"values ({', '.join('?' * len(cols))})")
        acols = self._columns("audit_findings")
        akeys = [k for k in acols if k not in ("audit_id", "run_id", "evidence")]
        ains = (f"insert or replace into audit_findings ({', '.join(f'[{k}]' for k in acols)}) "
                f"values ({', '.join('?' * len(acols))})")
        in_audit = None if audit_listed is None else {id(f) for f in audit_listed}
        execute = self.db.conn.execute
        with self.db.conn:
            execute("delete from findings where run_id = ? and site = ?", [run_id, site])
            for f in findings:
                values = {"run_id": run_id, "evidence": json.dumps(f.get("evidence") or {}, ensure_ascii=False)}
                values.update((k, _cell(f.get(k))) for k in keys)
                execute(ins, [values[k] for k in cols])
                if audit_id is not None and (in_audit is None or id(f) in in_audit):
                    values.update((k, _cell(f.get(k))) for k in akeys if k not in values)
                    values["audit_id"] = audit_id
                    execute(ains, [values[k] for k in acols])

    def _columns(self, table: str) -> list[str]:
        """A table's columns, in order (read once per store)."""
        key = ("columns", table)
        if key not in self._sql:
            self._sql[key] = [r[1] for r in self.db.conn.execute(f"pragma table_info([{table}])")]
        return self._sql[key]

    def findings(self, run_id: int, site: str | None = None) -> list[dict]:
        rows = self.table_rows("findings", run_id, site)
        for r in rows:
            r["evidence"] = json.loads(r["evidence"] or "{}")
        return rows

    def result_docs(self, run_id: int) -> list[dict]:
        """The stored result documents of a run, one per site (in site order)."""
        return [json.loads(r["doc"]) for r in self.db.query(
            "select doc from results where run_id = ? order by site", [run_id])]

    def save_result(self, run_id: int, site: str, doc: dict, audit_id: int | None = None) -> None:
        """The run's result document for ``site`` (``results``: the latest audit of the run);
        with ``audit_id`` also kept as that audit's (``audit_results``).

        Stored as the text of ``json.dumps(doc, ensure_ascii=False)``, serialised once for both
        rows, piece by piece (:func:`json_pieces`) into a temporary file. A large document
        (over ``STREAM_MIN`` bytes) is never held as one string: it is copied into a zero-filled
        value of its size through SQLite's incremental BLOB I/O and made text again inside
        SQLite, and the audit's row is copied from the run's there. The result document of the
        largest site at 10^5 documents is 51 MB; as one string bound to an INSERT it was held
        four times over (the string, its UTF-8 copy, SQLite's bound copy and the record)."""
        self.result_saver(run_id, site, doc, audit_id)()

    def result_saver(self, run_id: int, site: str, doc: dict, audit_id: int | None = None) -> Callable[[], None]:
        """:meth:`save_result` in two steps: ``doc`` serialised now (the text it has now) into a
        temporary file, stored when the function returned is called (once). Between the two the
        caller can let the document go: making the stored value text again (the ``cast``) holds
        the value twice inside SQLite for a moment (~100 MB for the largest site at 10^5
        documents), which need not come on top of the document and its report."""
        tmp = tempfile.TemporaryFile()
        try:
            for piece in json_pieces(doc):
                tmp.write(piece.encode("utf-8"))
        except BaseException:
            tmp.close()
            raise

        def store() -> None:
            with tmp:
                self._store_result(run_id, site, tmp, audit_id)

        return store

    def _store_result(self, run_id: int, site: str, tmp: IO[bytes], audit_id: int | None) -> None:
        conn = self.db.conn
        size = tmp.tell()
        tmp.seek(0)
        text = tmp.read().decode("utf-8") if size <= STREAM_MIN else None
        with conn:
            conn.execute("delete from results where run_id = ? and site = ?", [run_id, site])
            if audit_id is not None:
                conn.execute("delete from audit_results where audit_id = ? and site = ?", [audit_id, site])
            if text is not None:
                conn.execute("insert into results (run_id, site, doc) values (?, ?, ?)", [run_id, site, text])
                if audit_id is not None:
                    conn.execute("insert into audit_results (audit_id, run_id, site, doc) values (?, ?, ?, ?)",
                                 [audit_id, run_id, site, text])
                return
            rowid = conn.execute("insert into results (run_id, site, doc) values (?, ?, zeroblob(?))",
                                 [run_id, site, size]).lastrowid
            tmp.seek(0)
            with conn.blobopen("results", "doc", rowid) as blob:
                while chunk := tmp.read(1 << 20):
                    blob.write(chunk)
            conn.execute("update results set doc = cast(doc as text) where rowid = ?", [rowid])
            if audit_id is not None:
                conn.execute("insert into audit_results (audit_id, run_id, site, doc) "
                             "select ?, run_id, site, doc from results where rowid = ?", [audit_id, rowid])

    # -- audits (each kept, m008) ----------------------------------------------------
    def start_audit(self, run_id: int, as_of: str, codes: list[str] | None, version: str) -> int:
        table = self.db["audits"]
        table.insert({"run_id": run_id, "as_of": as_of, "made_at": now_iso(),
                      "codes": json.dumps(codes) if codes else None, "version": version})
        self.db.conn.commit()
        return table.last_pk

    def audit(self, audit_id: int) -> dict | None:
        rows = list(self.db.query("select * from audits where id = ?", [audit_id]))
        return rows[0] if rows else None

    def audits(self, run_id: int | None = None) -> list[dict]:
        sql, params = "select * from audits", []
        if run_id is not None:
            sql, params = sql + " where run_id = ?", [run_id]
        return list(self.db.query(sql + " order by id", params))

    def audit_findings(self, audit_id: int) -> list[dict]:
        rows = list(self.db.query("select * from audit_findings where audit_id = ?", [audit_id]))
        for r in rows:
            r["evidence"] = json.loads(r["evidence"] or "{}")
        return rows

    # -- availability probes (AV001) --------------------------------------------------
    def add_probe(self, site: str, url: str, *, status: int | None, latency_ms: int | None,
                  ok: bool, error: str | None = None, blocked: str | None = None,
                  probed_at: str | None = None) -> None:
        self.db["probes"].insert(
            {"site": site, "url": url, "probed_at": probed_at or now_iso(), "status": status,
             "latency_ms": latency_ms, "ok": int(ok), "error": error, "blocked": blocked})
        self.db.conn.commit()

    def probes(self, site: str, timeout_ms: int = 15000) -> list[dict]:
        """Every probe of the site's home page: the ``probes`` table plus each crawl's own
        home-page fetch (``source`` "probe" or "crawl"), oldest first."""
        rows = [{**r, "source": "probe"} for r in self.db.query(
            "select * from probes where site = ? order by probed_at", [site])]
        for f in self.db.query(
                "select url, fetched_at, status, elapsed_ms, error, blocked from fetches "
                "where site = ? and (kind = 'home' or (kind = 'error' and url = ?))", [site, site]):
            ok = f["status"] == 200 and not f["blocked"] and not f["error"] and (f["elapsed_ms"] or 0) <= timeout_ms
            rows.append({"site": site, "url": f["url"], "probed_at": f["fetched_at"], "status": f["status"],
                         "latency_ms": f["elapsed_ms"], "ok": int(ok), "error": f["error"],
                         "blocked": f["blocked"], "source": "crawl"})
        return sorted(rows, key=lambda r: r["probed_at"] or "")


    # -- compact reads for large runs (issue 15, link benchmark) ------------------------------
    # Kept apart from the methods above: reads the rules make over every row of a run, shaped to
    # hold less memory (a links-only run of 2,000 pages has ~40,000 link rows).
    def compact_table_rows(self, table: str, run_id: int, site: str | None = None) -> list[Row]:
        """:meth:`table_rows` as read-only :class:`Row` mappings, with equal short strings shared
        between rows: link rows repeat the page URL on each of a page's links, and a target's
        URL, text, tag and class on every page linking to it, and sqlite3 returns a new string
        object for each (a third of the memory of the dicts at 40,000 links)."""
        sql, params = f"select * from [{table}] where run_id = ?", [run_id]
        if site:
            sql += " and site = ?"
            params.append(site)
        cursor = self.db.conn.execute(sql, params)
        index = {d[0]: i for i, d in enumerate(cursor.description)}
        pool: dict[str, str] = {}
        return [Row(index, tuple(pool.setdefault(v, v) if v.__class__ is str and len(v) <= 512 else v for v in row))
                for row in cursor]

    def compact_fetches(self, run_id: int, site: str | None = None) -> list[dict]:
        """:meth:`fetches` as a list, equal short strings shared (:meth:`compact_table_rows`)."""
        sql, params = "select * from fetches where run_id = ?", [run_id]
        if site:
            sql += " and site = ?"
            params.append(site)
        return _shared_rows(self.db.conn.execute(sql + " order by id", params), {})

    def compact_link_observations(self, run_id: int, site: str) -> list[dict]:
        """:meth:`link_observations`, equal short strings (keys and values of the parsed records
        too) shared between rows."""
        pool: dict[str, str] = {}

        def shared(pairs):
            return {pool.setdefault(k, k): pool.setdefault(v, v) if isinstance(v, str) and len(v) <= 512 else v
                    for k, v in pairs}

        rows = _shared_rows(self.db.conn.execute(
            "select * from link_observations where run_id = ? and site = ?", [run_id, site]), pool)
        for r in rows:
            r["observation"] = json.loads(r["observation"], object_pairs_hook=shared)
            r["first"] = json.loads(r["first"], object_pairs_hook=shared) if r["first"] else None
        return rows


class Row(Mapping):
    """One stored row, read-only: ``row["url"]``, ``row.get("tag")``, ``dict(row)``, ``{**row}``
    as with the dicts :meth:`Store.table_rows` returns, in a third of their memory (the values in
    a tuple, the column names shared by every row of a query)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple):
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[self._index[key]]

    def get(self, key: str, default: Any = None) -> Any:
        """As ``dict.get`` (``Mapping.get`` would go through ``__getitem__`` and an exception)."""
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


#: a result document larger than this (bytes of its UTF-8 text) is stored without being held
#: as one string (:meth:`Store.save_result`)
STREAM_MIN = 4 << 20


def json_pieces(doc: Any) -> Iterator[str]:
    """``json.dumps(doc, ensure_ascii=False)`` in pieces that join to the very same text: a
    mapping's keys one by one, a list's items one by one (the findings of a result document),
    every piece made by the standard encoder."""
    if isinstance(doc, dict) and doc:
        sep = "{"
        for k, v in doc.items():
            yield sep
            # a key as json.dumps writes it (str; numbers, booleans and None as their JSON text)
            yield json.dumps({k: 0}, ensure_ascii=False)[1:-4] + ": "
            yield from json_pieces(v)
            sep = ", "
        yield "}"
    elif isinstance(doc, list) and len(doc) > 1:
        sep = "["
        for v in doc:
            yield sep
            yield json.dumps(v, ensure_ascii=False)
            sep = ", "
        yield "]"
    else:
        yield json.dumps(doc, ensure_ascii=False)


def _cell(value: Any) -> Any:
    """A finding's field as stored: lists and mappings as JSON (as sqlite-utils stored them)."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    return value


def _shared_rows(cursor, pool: dict[str, str]) -> list[dict]:
    """A cursor's rows as dicts, equal strings up to 512 characters one object (``pool``)."""
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, [pool.setdefault(v, v) if isinstance(v, str) and len(v) <= 512 else v for v in row]))
            for row in cursor]
