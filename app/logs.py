"""Where the client writes its log: a rotating file per user, and warnings on standard error.

The file is `mpsystem.log` in the user's log directory
(~/.local/state/MPSYSTEM/log on Linux, %LOCALAPPDATA%\\MPSYSTEM\\Logs on Windows,
~/Library/Logs/MPSYSTEM on macOS), or in MPSYSTEM_LOG_DIR. MPSYSTEM_LOG_LEVEL
sets the file's level (default INFO; DEBUG also records each failed command's
traceback).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from app import config

LOG_DIR_ENV = "MPSYSTEM_LOG_DIR"
LOG_LEVEL_ENV = "MPSYSTEM_LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their user may read: they name people, batches and servers."""

    def _open(self):  # type: ignore[no-untyped-def]  # the base class leaves it untyped
        return open(  # noqa: SIM115 - the handler owns the stream and closes it
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=_private
        )


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def log_dir() -> Path:
    env = os.environ.get(LOG_DIR_ENV, "").strip()
    return Path(env) if env else config.user_log_dir()


def setup_logging() -> Path | None:
    """Configure the root logger once; returns the log file, or None if it cannot be written."""
    root = logging.getLogger()
    if getattr(root, "_mpsystem_configured", False):
        return None
    level = logging.getLevelName(os.environ.get(LOG_LEVEL_ENV, "INFO").strip().upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    target = log_dir() / "mpsystem.log"
    path: Path | None = target
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = PrivateRotatingFileHandler(target, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    except OSError as exc:
        root.warning("cannot write the log file %s: %s", target, exc)
        path = None
    # Libraries talk too much at INFO; their warnings still come through.
    for noisy in ("sqlalchemy", "alembic", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._mpsystem_configured = True  # type: ignore[attr-defined]
    return path
