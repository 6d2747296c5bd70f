"""What earlier runs say about a site: when each open finding was first seen, and the
site's verdict and score run by run (for the reports' 新发现/持续存在 ages and score trends).

Read through the store's one call for it (``Store.site_history``: the runs with a result for
the site, their open fingerprints and scores); a site's runs are the runs that have a result
for it, so a run that did not audit the site does not break a streak.
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


def annotate_first_seen(store: Store, site: str, run: dict, as_of: date,
                        listed: list[dict], fixed: list[dict]) -> None:
    """Set ``first_seen`` (date), ``first_seen_run`` and ``age_days`` (as_of minus first_seen)
    on every listed finding, and on fixed ones (``fixed_on``: this run's date).

    First seen is the oldest run of the unbroken streak of earlier runs in which the same
    fingerprint was open (fail or review); a problem that went away and came back is new again.
    """
    runs = store.site_history(site, run["id"])
    open_by_run: dict[int, set[str]] = {r["id"]: r["open"] for r in runs}
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
    return [{"run_id": r["id"], "date": run_date(r), "score": r["score"], "verdict": r["verdict"]}
            for r in reversed(store.site_history(site, run_id))]


def result_docs(store: Store, run_id: int) -> list[dict]:
    """The stored result documents of a run, one per site."""
    return store.result_docs(run_id)
