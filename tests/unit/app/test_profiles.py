"""Connection profiles (app/profiles.py): files a machine-wide preset names for each user."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import profiles as pf


def test_a_presets_certificate_paths_are_each_users_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "appdata" / "postgresql"
    folder.mkdir(parents=True)
    for name in ("root.crt", "postgresql.crt", "postgresql.key"):
        (folder / name).write_text(name)
    (folder / "postgresql.key").chmod(0o600)
    monkeypatch.setenv("APPDATA", str(tmp_path / "appdata"))  # Windows writes %APPDATA%; POSIX shells $APPDATA
    monkeypatch.setenv("HOME", str(tmp_path))
    preset = pf.Profile(
        name="Plant server", kind="postgresql", host="dbserver.plant.local",
        sslrootcert="$APPDATA/postgresql/root.crt", sslcert="~/appdata/postgresql/postgresql.crt",
        sslkey="${APPDATA}/postgresql/postgresql.key", managed=True,
    )  # fmt: skip
    url = pf.validate(preset).url()
    for name in ("root.crt", "postgresql.crt", "postgresql.key"):
        assert f"={folder / name}" in url
    monkeypatch.setenv("APPDATA", str(tmp_path / "elsewhere"))
    with pytest.raises(pf.ValidationError, match=r"The CA certificate file \$APPDATA/postgresql/root.crt does not"):
        pf.validate(preset)
