"""The `mpsystem` command: exit codes, one-line errors, and real databases on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app import cli
from data.db import open_database
from tests.helpers import ledger_mismatches, negative_balances, queue_problems


def run(args: list[str], stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MPSYSTEM_DATABASE_URL", None) if env is None or "MPSYSTEM_DATABASE_URL" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=300
    )


def test_plain_mpsystem_opens_the_login_dialog(tmp_path: Path) -> None:
    env = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
        "MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    done = run([], env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


# Run as `mpsystem` runs: records which heavy modules are loaded when the sign-in dialog has first
# painted, lets the client load the main window's modules while the dialog waits, then quits.
WATCH_START_UP = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import ui.main
HEAVY = ("sqlalchemy", "reportlab", "data.models", "app.queries", "app.security", "ui.main_window", "keyring")
seen = {}
load = ui.main.load_main_window_modules
def loaded():
    return [name for name in HEAVY if name in sys.modules]
def when_shown(then=None):
    seen["shown"] = loaded()
    load(then)
    def done():
        if "ui.main_window" in sys.modules:
            seen["after"] = loaded()
            QApplication.instance().quit()
        else:
            QTimer.singleShot(20, done)
    done()
ui.main.load_main_window_modules = when_shown
from app.cli import main
code = main([])
print(json.dumps(seen))
sys.exit(code)
"""


def test_the_login_dialog_shows_before_the_database_layer_and_reportlab_load(tmp_path: Path) -> None:
    """Start-up waits for neither SQLAlchemy nor reportlab nor the main window; they load once it shows."""
    import json

    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    env.pop("MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN", None)
    done = subprocess.run([sys.executable, "-c", WATCH_START_UP], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["shown"] == []
    assert seen["after"] == [
        "sqlalchemy",
        "reportlab",
        "data.models",
        "app.queries",
        "app.security",
        "ui.main_window",
        "keyring",
    ]


def test_version_and_usage_errors() -> None:
    done = run(["--version"])
    assert done.returncode == 0 and done.stdout.startswith("mpsystem ")
    assert run(["db", "frobnicate"]).returncode == 2
    assert run(["users", "add", "x"]).returncode == 2  # --role missing
    assert run(["demo", "--events", "-5"]).returncode == 2


def _one_line_error(done: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mpsystem: error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in done.stderr


def test_known_errors_are_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    _one_line_error(run(["db", "upgrade", "--url", f"sqlite:///{blocked}/sub/x.sqlite3"]), "Cannot create the folder")
    _one_line_error(run(["users", "list", "--url", "postgresql://nobody:x@127.0.0.1:1/none"]), "Cannot reach")
    _one_line_error(run(["users", "list", "--url", "mysql://x@y/z"]), "Unsupported database")
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    _one_line_error(run(["users", "list", "--url", url]), "not initialised")
    _one_line_error(
        run(["db", "init", "--url", url, "--admin", "boss", "--password-stdin"], stdin="short\n"),
        "at least 8 characters",
    )
    assert (
        run(["db", "init", "--url", url, "--admin", "boss", "--password-stdin"], stdin="long enough\n").returncode == 0
    )
    _one_line_error(
        run(["db", "init", "--url", url, "--admin", "boss", "--password-stdin"], stdin="long enough\n"),
        "already initialised",
    )
    _one_line_error(
        run(["users", "add", "Bad Name", "--role", "clerk", "--url", url, "--password-stdin"], stdin="long enough\n"),
        "lower-case letters",
    )
    _one_line_error(run(["users", "disable", "boss", "--url", url]), "last active administrator")
    _one_line_error(run(["users", "add", "ola", "--role", "clerk", "--url", url]), "--password-stdin")


def test_wrong_password_on_postgresql_is_one_line(pg_server: object) -> None:
    from tests.conftest import pg_admin_url

    url = pg_admin_url(pg_server).replace(":" + pg_admin_url(pg_server).split(":")[2].split("@")[0] + "@", ":wrong@")
    _one_line_error(run(["users", "list", "--url", url]), "user name or the password is wrong")


def test_init_users_and_demo_on_each_backend(
    database_url: str, backend: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fixture's database is migrated already; start from an empty one for `db init`
    database = open_database(database_url)
    from data.migrate import downgrade

    downgrade(database)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("first admin pw\n"))
    assert cli.main(["db", "init", "--url", database_url, "--admin", "Boss", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("clerk password\n"))
    assert (
        cli.main(
            [
                "users",
                "add",
                "ola",
                "--role",
                "clerk",
                "--full-name",
                "Ola Żak",
                "--url",
                database_url,
                "--password-stdin",
            ]
        )
        == 0
    )
    assert cli.main(["users", "role", "ola", "planner", "--url", database_url]) == 0
    assert cli.main(["users", "disable", "ola", "--url", database_url]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("another password\n"))
    assert cli.main(["users", "passwd", "ola", "--url", database_url, "--password-stdin"]) == 0
    capsys.readouterr()
    assert cli.main(["users", "list", "--url", database_url]) == 0
    listing = capsys.readouterr().out
    assert "boss      admin     active" in listing and "ola       planner   disabled  Ola Żak" in listing

    assert cli.main(["demo", "--url", database_url, "--events", "10000"]) == 0
    out = capsys.readouterr().out
    assert "events       10000" in out
    with database.engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in (
                "warehouses",
                "production_lines",
                "materials",
                "customers",
                "production_orders",
                "batches",
                "events",
            )
        }
        statuses = {r[0] for r in conn.execute(text("SELECT DISTINCT status FROM production_orders"))}
        codes = {r[0] for r in conn.execute(text("SELECT code FROM warehouses"))}
        lines = {r[0] for r in conn.execute(text("SELECT code FROM production_lines"))}
    assert counts["warehouses"] == 10 and counts["production_lines"] == 10
    assert 25 <= counts["materials"] <= 40 and counts["customers"] == 50
    assert counts["production_orders"] == 200 and 900 <= counts["batches"] <= 1100
    assert counts["events"] == 10000
    assert statuses == {"new", "planned", "in_progress", "done", "cancelled"}
    assert {"MAG-1", "MAG-1.1", "MAG-2", "MAG-9"} <= codes
    assert lines == {
        "EXTRUDER-1",
        "EXTRUDER-2",
        "UV-LINE-1",
        "PRINT-LINE-1",
        "PRINT-LINE-2",
        "LAMINATOR-1",
        "SLITTER-1",
        "SLITTER-2",
        "BAG-MAKER-1",
        "BAG-MAKER-2",
    }
    assert ledger_mismatches(database) == []
    assert negative_balances(database) == 0
    assert queue_problems(database) == []
    # the demo refuses to load twice
    assert cli.main(["demo", "--url", database_url]) == 1
    assert "empty database only" in capsys.readouterr().err
    database.dispose()


def test_default_database_is_the_users_data_dir(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    done = run(["demo", "--events", "0"], env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "MPSYSTEM" / "mpsystem.sqlite3").exists()
    assert "Demo users (password mpsystem-demo" in done.stdout


def test_open_demo_creates_once_then_reuses(tmp_path: Path) -> None:
    # the window opens offscreen and closes as soon as the login dialog shows
    env = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    first = run(["--demo"], env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Created the demo plant") and "events     100000" in first.stdout
    assert "Sign in as admin, manager, planner, clerk, viewer" in first.stdout
    second = run(["--demo"], env=env)
    assert second.returncode == 0 and second.stdout.startswith("Opened the demo plant")


def test_label_and_report_commands(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.demo import load_demo
    from data.db import open_database as open_db

    database = open_db(database_url)
    load_demo(database, events=4000)
    with database.engine.connect() as conn:
        number = conn.execute(text("SELECT number FROM batches ORDER BY number LIMIT 1")).scalar_one()
        delivery = conn.execute(text("SELECT number FROM deliveries ORDER BY number LIMIT 1")).scalar_one()
        granulate = conn.execute(text("SELECT number FROM batches WHERE number LIKE 'R%-00315'")).scalar_one()
        purchase = conn.execute(text("SELECT number FROM purchase_orders WHERE status = 'sent' LIMIT 1")).scalar_one()
    database.dispose()
    out = tmp_path / "labels.pdf"
    assert cli.main(["label", number, "--url", database_url, "--out", str(out), "--sheet"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    zpl = tmp_path / "labels.zpl"
    assert cli.main(["label", number, "--url", database_url, "--out", str(zpl), "--format", "zpl"]) == 0
    assert zpl.read_text(encoding="utf-8").startswith("^XA")
    for kind, extra in (
        ("inventory", []),
        ("trace", ["--batch", number]),
        ("plan", []),
        ("events", ["--from", "2020-01-01", "--action", "received"]),
        ("customer", ["--customer", "C-001"]),
        ("dashboard", []),
        ("recall", ["--batch", granulate]),
        ("mrp", []),
    ):
        pdf = tmp_path / f"{kind}.pdf"
        assert cli.main(["report", kind, "--url", database_url, "--out", str(pdf), *extra]) == 0, kind
        assert pdf.read_bytes().startswith(b"%PDF")
    for kind, subject in (("delivery", delivery), ("purchase-order", purchase)):  # `report KIND NUMBER --out F.pdf`
        pdf = tmp_path / f"{kind}.pdf"
        assert cli.main(["report", kind, subject, "--url", database_url, "--out", str(pdf)]) == 0, kind
        assert pdf.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    assert cli.main(["label", "NOPE-1", "--url", database_url, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "mpsystem: error: There is no batch NOPE-1."
    assert cli.main(["report", "customer", "--customer", "C-999", "--url", database_url, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "mpsystem: error: There is no customer “C-999”."
    assert cli.main(["report", "events", "--from", "1.1.2020", "--url", database_url, "--out", str(out)]) == 1
    assert "not a date" in capsys.readouterr().err
    assert cli.main(["report", "delivery", "--url", database_url, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (
        "mpsystem: error: The delivery report needs the delivery number: "
        "mpsystem report delivery NUMBER --out FILE.pdf."
    )
    assert cli.main(["report", "delivery", "D-1999-00001", "--url", database_url, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "mpsystem: error: There is no delivery “D-1999-00001”."
    assert cli.main(["report", "purchase-order", "PUR-1999-00001", "--url", database_url, "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "mpsystem: error: There is no purchase order “PUR-1999-00001”."


def test_bad_input_from_the_issue_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    """Each of these once ended in a traceback."""
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    assert (
        run(["db", "init", "--url", url, "--admin", "boss", "--password-stdin"], stdin="long enough\n").returncode == 0
    )
    database = open_database(url)
    from tests.conftest import snapshot

    before = snapshot(database)
    out = tmp_path / "events.pdf"
    _one_line_error(
        run(["report", "events", "--to", "9999-12-31", "--url", url, "--out", str(out)]),
        "The --to 9999-12-31 is out of range",
    )
    for address, fragment in (
        ("postgresql://boss:secret@127.0.0.1:abc/plant", "is not a database address"),
        ("postgresql://boss:secret@127.0.0.1:99999/plant", "the port must be between 1 and 65535"),
    ):
        done = run(["users", "list", "--url", address])
        _one_line_error(done, fragment)
        assert "secret" not in done.stderr  # an address is shown without its password
    for name in ("public", "none", "pg_reader", "mpsystem_owner", "current_user"):
        _one_line_error(
            run(["users", "add", name, "--role", "viewer", "--url", url, "--password-stdin"], stdin="long enough\n"),
            "is reserved for the database's own roles",
        )
    _one_line_error(
        run(
            ["db", "init", "--url", f"sqlite:///{tmp_path / 'q.sqlite3'}", "--admin", "public", "--password-stdin"],
            stdin="long enough\n",
        ),  # fmt: skip
        "is reserved",
    )
    assert not out.exists()
    assert snapshot(database) == before
    database.dispose()


def test_a_refused_user_leaves_no_verifier_in_any_log(pg_server: object, pg_template: str, tmp_path: Path) -> None:
    """Hole: a user named public or none gave "unexpected", and the logged exception held the SCRAM verifier."""
    from tests.conftest import drop_pg_database, new_pg_database

    url = new_pg_database(pg_server, pg_template)  # type: ignore[arg-type]
    logs = tmp_path / "logs"
    env = {"MPSYSTEM_LOG_DIR": str(logs), "MPSYSTEM_LOG_LEVEL": "DEBUG"}
    try:
        add_anna = ["users", "add", "anna", "--role", "admin", "--url", url, "--password-stdin"]
        assert run(add_anna, stdin="anna's words\n", env=env).returncode == 0
        for name in ("public", "none", "anna"):
            done = run(["users", "add", name, "--role", "viewer", "--url", url, "--password-stdin"],
                       stdin="the new password\n", env=env)  # fmt: skip
            assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        written = "".join(p.read_text(encoding="utf-8") for p in logs.iterdir())
        assert "SCRAM-SHA-256" not in written and "the new password" not in written
    finally:
        drop_pg_database(pg_server, url)  # type: ignore[arg-type]


class _ReaderLeft:
    """The standard output of `mpsystem users list | head` once head has read its lines and left."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_output_piped_into_a_reader_that_leaves_ends_quietly(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "stdout", _ReaderLeft())
    with caplog.at_level("ERROR"):
        assert cli.main(["users", "list", "--url", database_url]) == 0
    assert not [r for r in caplog.records if r.exc_info], "a closed pipe is not a bug to log"
    print("after the reader left", flush=True)  # further output goes nowhere, without another error


def test_import_and_export_commands(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    """`mpsystem import KIND FILE.csv [--dry-run]` and `mpsystem export KIND FILE.csv`, on both backends."""
    warehouses = tmp_path / "warehouses.csv"
    warehouses.write_text("code;name;kind\nMAG-1;Raw materials;raw materials\nMAG-2;Finished;finished\n", "utf-8")
    assert cli.main(["import", "warehouses", str(warehouses), "--url", database_url, "--dry-run"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Checked, nothing written: warehouses.csv, warehouses: 2 records would be created, 0 would be updated, "
        "0 unchanged."
    )
    assert cli.main(["import", "warehouses", str(warehouses), "--url", database_url]) == 0
    assert "2 records created" in capsys.readouterr().out
    materials = tmp_path / "materials.csv"
    materials.write_text(
        "code,name,kind,unit,reorder_level\nLDPE,LDPE,granulate,kg,1000\nINK,Ink,paint,kg,\nCORE,Core,core,pcs,1.5\n",
        "utf-8",
    )
    assert cli.main(["import", "materials", str(materials), "--url", database_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mpsystem: error: Nothing was imported from materials.csv: 2 lines cannot be taken.")
    assert "line 3, column kind:" in err and "line 4, column reorder_level:" in err
    assert cli.main(["import", "materials", str(tmp_path / "none.csv"), "--url", database_url]) == 1
    assert "There is no file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli.main(["import", "stock", str(materials), "--url", database_url])  # not a kind
    assert usage.value.code == 2 and "choose from 'warehouses'" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    assert cli.main(["export", "warehouses", str(out), "--url", database_url]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote 2 rows of warehouses to {out}."
    assert out.read_text("utf-8-sig").splitlines() == [
        "code,name,kind,adr,archived",
        "MAG-1,Raw materials,raw_materials,no,no",
        "MAG-2,Finished,finished,no,no",
    ]
