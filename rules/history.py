"""What earlier runs say about a site: when each open finding was first seen, and the
site's verdict and score run by run (for the reports' 新发现/持续存在 ages and score trends).

Read from the store's ``findings`` and ``results`` tables only; a site's runs are the runs
that have a result for it, so a run that did not audit the site does not break a streak.
"""
from __future__ import annotations

from datetime import date

from store import Store

OPEN = ("fail", "review")


def run_date(run: dict) -> str | None:
    """The date a run checked the site: its ``as_of`` (the rules' today), else its start."""
    if run.get("as_of"):
        return str(run["as_of"])[:10]
    return str(run["started_at"])[:10] if run.get("started_at") else None


def _site_runs(store: Store, site: str, before: int) -> list[dict]:
    """Earlier runs that audited ``site``, newest first."""
    return list(store.db.query(
        "select runs.id, runs.as_of, runs.started_at from runs join results on results.run_id = runs.id "
        "where results.site = ? and runs.id < ? order by runs.id desc", [site, before]))


def annotate_first_seen(store: Store, site: str, run: dict, as_of: date,
                        listed: list[dict], fixed: list[dict]) -> None:
    """Set ``first_seen`` (date), ``first_seen_run`` and ``age_days`` (as_of minus first_seen)
    on every listed finding, and on fixed ones (``fixed_on``: this run's date).

    First seen is the oldest run of the unbroken streak of earlier runs in which the same
    fingerprint was open (fail or review); a problem that went away and came back is new again.
    """
    runs = _site_runs(store, site, run["id"])
    open_by_run: dict[int, set[str]] = {r["id"]: set() for r in runs}
    if runs:
        marks = ",".join("?" * len(runs))
        for row in store.db.query(
                f"select run_id, fingerprint from findings where site = ? and run_id in ({marks}) "
                f"and outcome in ('fail', 'review')", [site, *open_by_run]):
            open_by_run[row["run_id"]].add(row["fingerprint"])
    this_date = run_date({"as_of": as_of.isoformat()})

    def first(fp: str, start: int) -> tuple[int, str | None]:
        seen_run, seen_date = run["id"], this_date
        for r in runs[start:]:
            if fp not in open_by_run[r["id"]]:
                break
            seen_run, seen_date = r["id"], run_date(r)
        return seen_run, seen_date

    for f in listed:
        # a new finding is first seen now; a persisting one: walk back its streak
        start = 0 if f.get("change") == "persisting" else len(runs)
        rid, day = first(f["fingerprint"], start)
        _set(f, rid, day, as_of)
    for f in fixed:
        rid, day = first(f["fingerprint"], 0)
        _set(f, rid, day, as_of)
        f["fixed_on"] = this_date


def _set(f: dict, run_id: int, day: str | None, as_of: date) -> None:
    f["first_seen"] = day
    f["first_seen_run"] = run_id
    try:
        f["age_days"] = (as_of - date.fromisoformat(day)).days if day else None
    except ValueError:
        f["age_days"] = None


def score_history(store: Store, site: str, run_id: int) -> list[dict]:
    """Verdict and score of the site in every earlier run, oldest first (the current run is
    added by the caller)."""
    out = []
    for r in reversed(_site_runs(store, site, run_id)):
        row = next(iter(store.db.query(
            "select json_extract(doc, '$.score.score') as score, json_extract(doc, '$.score.verdict') as verdict "
            "from results where run_id = ? and site = ?", [r["id"], site])), None)
        if row is not None:
            out.append({"run_id": r["id"], "date": run_date(r), "score": row["score"], "verdict": row["verdict"]})
    return out


def result_docs(store: Store, run_id: int) -> list[dict]:
    """The stored result documents of a run, one per site."""
    return store.result_docs(run_id)
