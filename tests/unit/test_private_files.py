"""Files the client creates are its user's only (0600), in folders only they may enter (0700)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from app import config
from app import profiles as pf
from app.logs import PrivateRotatingFileHandler

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_and_its_rotated_files_are_private(tmp_path: Path) -> None:
    """Hole: the log was created 0644."""
    path = tmp_path / "mpsystem.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    record = logging.LogRecord("mpsystem", logging.INFO, __file__, 1, "x" * 120, None, None)
    try:
        for _ in range(5):
            handler.emit(record)
    finally:
        handler.close()
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == ["mpsystem.log", "mpsystem.log.1", "mpsystem.log.2"]
    assert {_mode(p) for p in written} == {0o600}


def test_profiles_are_saved_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hole: profiles.json was created 0644."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    old_umask = os.umask(0o022)
    try:
        pf.save_profiles([pf.Profile(name="Plant server", kind="postgresql", host="db", sslmode="require")])
        saved = config.user_config_dir() / "profiles.json"
        assert _mode(saved) == 0o600 and _mode(saved.parent) == 0o700
        saved.chmod(0o644)  # made readable by hand: the next save narrows it again
        pf.save_profiles(pf.load_profiles())
        assert _mode(saved) == 0o600
    finally:
        os.umask(old_umask)


def test_private_helpers(tmp_path: Path) -> None:
    folder = config.private_folder(tmp_path / "a" / "b")
    made = config.private_file(folder / "interface.ini")
    assert _mode(folder) == 0o700 and _mode(made) == 0o600 and made.read_text() == ""
    made.write_text("[General]\nx=1\n")
    assert config.private_file(made).read_text() == "[General]\nx=1\n"  # kept, not emptied
    with config.private_open(folder / "new.json") as out:
        out.write("{}")
    assert _mode(folder / "new.json") == 0o600


def test_new_server_profiles_check_the_server_and_other_modes_stay_selectable(tmp_path: Path) -> None:
    """Hole: new server profiles defaulted to sslmode=prefer."""
    fresh = pf.Profile(name="Plant server", kind="postgresql", host="db.plant.local")
    assert fresh.sslmode == "verify-full" and "sslmode=verify-full" in fresh.url()
    with pytest.raises(pf.ValidationError, match="choose the CA certificate file"):
        pf.validate(fresh)
    for mode in ("require", "prefer", "disable"):
        assert pf.validate(pf.Profile(name="p", kind="postgresql", host="db", sslmode=mode)).sslmode == mode
    assert set(pf.SSL_MODES) == {"disable", "prefer", "require", "verify-ca", "verify-full"}
