"""Where things live: the default local database, the user's config directory, the override for scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
