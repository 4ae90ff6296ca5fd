"""The one family of errors a user can act on.

It lives in the lowest layer so that repositories, services and the client all
raise and catch the same classes. Anything raised that is not a `KnownError` is
a bug: the CLI and the client log it with its traceback instead of showing it.
"""

from __future__ import annotations


class KnownError(Exception):
    """An error whose message is written for the person in front of the screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(KnownError):
    """The input was refused; nothing was written."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ValidationError):
    """A code or number that names nothing in the database."""


class PermissionDenied(KnownError):
    """The signed-in user's role does not allow the operation."""


class ConflictError(KnownError):
    """Someone else changed the same data first; the screen should reload."""


class ConnectionFailed(KnownError):
    """The database cannot be reached or opened."""


class ClientCertificateRequired(ConnectionFailed):
    """The server asks for a client certificate and this connection sent none.

    The message says what is missing; where to put the certificate is the caller's to add (the
    sign-in dialog's settings, or the command line's address).
    """


class AuthenticationFailed(KnownError):
    """Sign-in refused. The message never says whether the name or the password was wrong."""


class AccountLocked(AuthenticationFailed):
    """Too many failed sign-ins in a row."""


class PlantMismatch(KnownError):
    """The database is not the plant its server's logins belong to (a copy beside it, or not yet settled)."""


class SchemaMismatch(KnownError):
    """The database schema is not the one this client was built for."""

    def __init__(
        self, message: str, *, database_revision: str | None, client_revision: str, client_is_newer: bool
    ) -> None:
        super().__init__(message)
        self.database_revision = database_revision
        self.client_revision = client_revision
        self.client_is_newer = client_is_newer
