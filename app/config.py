"""Where things live: the default local database, the user's config directory, the override for scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import platformdirs

APP_NAME = "MPSYSTEM"
DATABASE_URL_ENV = "MPSYSTEM_DATABASE_URL"
MACHINE_CONFIG_ENV = "MPSYSTEM_MACHINE_CONFIG_DIR"


def machine_config_dir() -> Path:
    """Settings IT presets for every user of the machine.

    /etc/mpsystem on Linux, %PROGRAMDATA%\\MPSYSTEM on Windows, /Library/Application Support/MPSYSTEM on macOS.
    """
    env = os.environ.get(MACHINE_CONFIG_ENV, "").strip()
    if env:
        return Path(env)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / APP_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME
    return Path("/etc/mpsystem")


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_local_database() -> Path:
    return user_data_dir() / "mpsystem.sqlite3"


def default_demo_database() -> Path:
    return user_data_dir() / "demo.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """--url wins, then MPSYSTEM_DATABASE_URL, then the local file in the user's data directory."""
    if explicit:
        return explicit
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    return "sqlite:///" + str(default_local_database())


def private_folder(folder: Path) -> Path:
    """Create a folder of the client's own (settings, logs, data) that only this user may enter."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def private_open(path: Path) -> TextIO:
    """Open a file of the client's own for writing, readable by this user only (0600), replacing its text."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its mode through os.open
    return os.fdopen(descriptor, "w", encoding="utf-8")


def private_file(path: Path) -> Path:
    """Make sure a file of the client's own exists, readable by this user only (0600), keeping its text."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return path
