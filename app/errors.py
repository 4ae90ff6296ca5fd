"""The known errors, as the upper layers (ui, reports, cli) import them."""

from data.errors import (
    AccountLocked,
    AuthenticationFailed,
    ClientCertificateRequired,
    ConflictError,
    ConnectionFailed,
    KnownError,
    NotFound,
    PermissionDenied,
    PlantMismatch,
    SchemaMismatch,
    ValidationError,
)

__all__ = [
    "AccountLocked",
    "AuthenticationFailed",
    "ClientCertificateRequired",
    "ConflictError",
    "ConnectionFailed",
    "KnownError",
    "NotFound",
    "PermissionDenied",
    "PlantMismatch",
    "SchemaMismatch",
    "ValidationError",
]
