"""govaudit.api without the command line: a usage mistake is an ApiError carrying the exit code
README documents, and nothing is printed or stored by a refused call."""
from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from govaudit import api
from rules.registry import TABLE


def _refused(call, *args, **kw) -> api.ApiError:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(api.ApiError) as refused:
        call(*args, **kw)
    assert out.getvalue() == err.getvalue() == ""      # the API prints nothing
    return refused.value


def test_missing_database_is_a_usage_error(tmp_path):
    for call in (api.export, api.audit):
        e = _refused(call, tmp_path / "none.db", **({"what": "findings"} if call is api.export else {}),
                     **({"out": tmp_path / "o"} if call is api.audit else {}))
        assert e.code == 2 and str(e) == f"database not found: {tmp_path / 'none.db'}"
    assert not (tmp_path / "none.db").exists()


def test_export_needs_what_and_xlsx_a_file(tmp_path):
    db = tmp_path / "a.db"
    api.open_store(db).close()
    e = _refused(api.export, db, what=None)
    assert e.code == 2 and "export needs --what" in str(e)
    e = _refused(api.export, db, what="findings", format="xml")
    assert e.code == 2 and "xml" in str(e)
    e = _refused(api.export, db, what="findings")
    assert e.code == 2 and str(e) == f"no runs in {db}"


def test_unknown_rule_code_refused_before_anything_is_stored(tmp_path):
    e = _refused(api.check, ["http://127.0.0.1:9/"], db=tmp_path / "a.db", out=tmp_path / "o",
                 select=["LK"], ignore=["XY123"])
    assert e.code == 2 and "XY123" in str(e)
    assert not (tmp_path / "a.db").exists()


def test_database_in_a_missing_folder(tmp_path):
    e = _refused(api.links, "http://127.0.0.1:9/", db=tmp_path / "nowhere" / "a.db", out=tmp_path / "o")
    assert e.code == 2 and "does not exist" in str(e)
    assert not (tmp_path / "nowhere").exists()


def test_rules_are_the_registry_table():
    assert {r.code: r.status for r in api.rules()} == TABLE
