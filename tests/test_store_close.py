"""The command line's way out: every store still open is closed (``store.close_all``) before
the objects left are frozen out of the garbage collector (``govaudit.cli.run``)."""
from __future__ import annotations

import sqlite3

import pytest

from store import Store, close_all


def test_close_all_closes_every_open_store(tmp_path):
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    a.db.execute("create table t (x)")
    a.db.execute("insert into t values (1)")
    a.commit()
    b.close()                       # closed already: no harm in closing it again
    close_all()
    for s in (a, b):
        with pytest.raises(sqlite3.ProgrammingError):
            s.db.execute("select 1")
    # what was committed is in the database file itself (the WAL written back on close)
    assert not (tmp_path / "a.db-wal").exists()
    with sqlite3.connect(tmp_path / "a.db") as con:
        assert con.execute("select x from t").fetchall() == [(1,)]
