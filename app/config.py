"""Where things live: the default local database, the user's config directory, the override for scripts."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "MPSYSTEM"
DATABASE_URL_ENV = "MPSYSTEM_DATABASE_URL"


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
