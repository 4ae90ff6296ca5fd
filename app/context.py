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

    def uow(self) -> UnitOfWork:
        """A unit for one change; the service enters and commits it."""
        return UnitOfWork(self.database, self.user)

    def reader(self) -> UnitOfWork:
        """A unit for one read; queries never commit."""
        return UnitOfWork(self.database, self.user, write=False)
