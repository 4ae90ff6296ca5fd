"""A signed-in workspace: the database and the user, handing out units of work."""

from __future__ import annotations

from dataclasses import dataclass

from app.security import CurrentUser
from data.db import Database
from data.uow import UnitOfWork


@dataclass(frozen=True)
class Context:
    database: Database
    user: CurrentUser
    connection: str = ""  # the name of the connection signed in through ("Plant server", "Demo plant")

    @property
    def connection_name(self) -> str:
        """How people name where they are connected: the profile's name, else where the data lives."""
        return self.connection or self.database.describe()

    def uow(self) -> UnitOfWork:
        """A unit for one change; the service enters and commits it."""
        return UnitOfWork(self.database, self.user)

    def reader(self) -> UnitOfWork:
        """A unit for one read; queries never commit."""
        return UnitOfWork(self.database, self.user, write=False)
