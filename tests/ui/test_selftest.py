"""`mpsystem self-test`, as IT runs it after an installation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app import cli


def test_self_test_passes_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "MPSYSTEM_LOG_DIR": str(tmp_path / "logs"), "QT_QPA_PLATFORM": "xcb"}  # it forces offscreen
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "self-test"], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "self-test ok"
    for step in ("migrate it", "load a small demo plant", "sign in", "open the main window", "open the Events table",
                 "render a batch label", "render the inventory report"):  # fmt: skip
        assert any(step in line and line.strip().startswith("ok") for line in lines), step
    assert done.stderr == ""  # Qt's remarks go to the log file, not the terminal
    assert "self-test" in (tmp_path / "logs" / "mpsystem.log").read_text()


def test_self_test_names_the_step_that_failed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], qapp: Any
) -> None:
    import reports.labels

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("no space left on device")

    monkeypatch.setattr(reports.labels, "labels_pdf", broken)
    assert cli.main(["self-test"]) == 1
    captured = capsys.readouterr()
    assert "self-test ok" not in captured.out
    assert "self-test failed at step “render a batch label”: OSError: no space left on device" in captured.err
