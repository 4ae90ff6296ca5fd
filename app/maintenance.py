"""Schema upgrades started from the client by an administrator."""

from __future__ import annotations

from app.errors import PermissionDenied
from app.permissions import Role
from app.security import authenticate_local, user_for_connection
from data.db import normalise_url, open_database
from data.migrate import upgrade


def upgrade_as_admin(url: str, username: str, password: str) -> None:
    """Check that the person is an administrator of this database, then upgrade its schema."""
    if normalise_url(url).get_backend_name() == "postgresql":
        database = open_database(url, username=username, password=password)
    else:
        database = open_database(url)
    try:
        user = (
            user_for_connection(database)
            if not database.is_sqlite
            else authenticate_local(database, username, password)
        )
        if user.role < Role.ADMIN:
            raise PermissionDenied("Only an administrator may upgrade the database.")
        upgrade(database)
    finally:
        database.dispose()
