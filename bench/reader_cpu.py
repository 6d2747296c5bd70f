"""The page reader's work alone: CPU a document page of ``check_and_read`` (the checks, the
reading with the crawl's ``AutoProfile``, the body packed), in this process, on the document
pages of a ``bench/scale.py`` store; and its answers, to compare two versions of the readers.

    python bench/reader_cpu.py --db /tmp/scale-1e4/store.db                  # ms a page
    python bench/reader_cpu.py --db … --dump /tmp/a.pkl                      # the answers
    python bench/reader_cpu.py --db … --profile tottime                      # cProfile, top 35

Every fourth stored document page (``fetches.id % 4 = 0``, spread over the sites) is decoded
once, as the spider hands it over; the CPU figure is the best of ``--rounds`` passes over all of
them (``time.process_time``). Two checkouts' ``--dump`` files are byte-identical when the readers
read the same (the pickles are of plain tuples, dataclasses and strings, in page order).
"""
from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sqlite3
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from w3lib.encoding import html_to_unicode  # noqa: E402

from crawler.profiles.auto import AutoProfile  # noqa: E402
from crawler.profiles.reading import check_and_read  # noqa: E402


def load(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = con.execute("select f.url, f.content_type, b.data from fetches f join bodies b on b.sha = f.body_sha "
                       "where f.kind = 'document' and f.status = 200 and f.id % 4 = 0 order by f.id").fetchall()
    con.close()
    pages = []
    for url, ctype, data in rows:
        body = zlib.decompress(data)
        html = html_to_unicode(ctype, body)[1]
        pages.append((url, 200, {"content-type": ctype or "text/html"}, None, [], [], len(body) < 20000, html, body))
    return pages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dump", type=Path, help="write the answers here (pickle) instead of timing")
    ap.add_argument("--profile", metavar="SORT", help="cProfile one pass, sorted by SORT (tottime, cumtime)")
    a = ap.parse_args(argv)
    pages, profile = load(a.db), AutoProfile()
    if not pages:
        print(f"no document pages in {a.db}", file=sys.stderr)
        return 2

    def one_pass():
        return [check_and_read(profile, *p) for p in pages]

    answers = one_pass()                # warm: modules, caches
    if a.dump:
        a.dump.write_bytes(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL))
        return 0
    if a.profile:
        prof = cProfile.Profile()
        prof.runcall(one_pass)
        pstats.Stats(prof).sort_stats(a.profile).print_stats(35)
        return 0
    best = min(_timed(one_pass) for _ in range(a.rounds))
    print(f"{len(pages)} document pages: {1000 * best / len(pages):.3f} ms CPU a page (best of {a.rounds})")
    return 0


def _timed(func) -> float:
    t = time.process_time()
    func()
    return time.process_time() - t


if __name__ == "__main__":
    sys.exit(main())
