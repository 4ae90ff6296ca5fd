"""Who is signed in, and how they sign in.

SQLite: the users table holds bcrypt hashes; five failed attempts lock an
account for fifteen minutes. PostgreSQL: signing in is opening a connection as
that login role, so the server checks the password; the users row then gives
the name and role the client shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import bcrypt
from sqlalchemy import func, select, update

from app.errors import AccountLocked, AuthenticationFailed, ValidationError
from app.permissions import Role, parse_role
from data.db import Database, open_database
from data.models import User
from data.uow import UnitOfWork, utcnow

BCRYPT_ROUNDS = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
WRONG_CREDENTIALS = "Sign-in failed: the user name or the password is wrong."

BCRYPT_MAX_BYTES = 72  # bcrypt reads no further; longer passwords are refused when set
# Checked against when the user does not exist (or the account is locked), at the cost the real
# hashes have, so that an unknown name takes as long as a wrong password and timing tells nothing.
_dummy_hashes: dict[int, bytes] = {}


@dataclass(frozen=True)
class CurrentUser:
    id: int | None
    username: str
    full_name: str
    role: Role

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


# The command line on a local file acts as this: whoever can write the file owns the data anyway.
SYSTEM = CurrentUser(id=None, username="system", full_name="Command line", role=Role.ADMIN)


def hash_password(password: str, rounds: int | None = None) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds or BCRYPT_ROUNDS)).decode("ascii")


def check_password_rules(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", "password")
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        # bcrypt ignores everything past 72 bytes; refusing is more honest than truncating.
        raise ValidationError("A password may be at most 72 bytes long.", "password")
    return password


def _dummy_hash() -> bytes:
    rounds = BCRYPT_ROUNDS
    if rounds not in _dummy_hashes:
        _dummy_hashes[rounds] = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds))
    return _dummy_hashes[rounds]


def prepare_sign_in() -> None:
    """Do ahead what the first sign-in of a process waits for, while the dialog waits for the user:
    the schema check's migration scripts (Alembic) and the hash an unknown name is checked against."""
    import data.migrate  # noqa: F401 - imported for its import time

    _dummy_hash()


def _verify(password: str, hashed: str | None) -> bool:
    """Check a password, taking as long whether or not there is a hash, and whatever its length."""
    given = password.encode("utf-8")
    # No password longer than bcrypt reads was ever set: it is wrong, but it costs as much to say so.
    too_long = len(given) > BCRYPT_MAX_BYTES
    stored = hashed.encode("ascii") if hashed else None
    try:
        matches = bcrypt.checkpw(given[:BCRYPT_MAX_BYTES], stored or _dummy_hash())
    except ValueError:  # a damaged hash in the users table: no password matches it
        bcrypt.checkpw(given[:BCRYPT_MAX_BYTES], _dummy_hash())
        return False
    return matches and stored is not None and not too_long


def authenticate_local(database: Database, username: str, password: str) -> CurrentUser:
    """Check a name and password against the users table (SQLite); record the attempt."""
    name = (username or "").strip()
    _dummy_hash()  # made before the clock that matters starts, whoever signs in first
    with UnitOfWork(database, SYSTEM) as uow:
        user = uow.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            _verify(password or "", None)
            until = user.locked_until.astimezone().strftime("%H:%M")
            raise AccountLocked(
                f"This account is locked after {MAX_FAILED_LOGINS} failed sign-ins. "
                f"Try again after {until}, or ask an administrator."
            )
        ok = _verify(password or "", user.password_hash if user is not None else None)
        if user is None:
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        actor = CurrentUser(user.id, user.username, user.full_name, parse_role(user.role))
        uow.actor = actor
        if not ok or not user.active:
            failures = user.failed_logins + 1
            values: dict[str, object] = {"failed_logins": failures}
            summary = f"Failed sign-in for {user.username}"
            if failures >= MAX_FAILED_LOGINS:
                values = {"failed_logins": 0, "locked_until": now + LOCKOUT}
                minutes = int(LOCKOUT.total_seconds() // 60)
                summary = f"{user.username} locked for {minutes} minutes after {failures} failed sign-ins"
            # A plain UPDATE: counting failures must not bump the row's version.
            uow.session.execute(update(User).where(User.id == user.id).values(**values))
            uow.record_event("user", user.id, "login_failed", summary)
            uow.commit()
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        uow.session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None))
        uow.record_event("user", user.id, "login", f"{user.username} signed in")
        uow.commit()
        return actor


def user_for_connection(database: Database) -> CurrentUser:
    """PostgreSQL: the server has checked the password; find who this login role is."""
    with UnitOfWork(database, SYSTEM, write=False) as uow:
        login = uow.session.scalar(select(func.current_user()))
        user = uow.session.scalar(select(User).where(User.username == login))
        if user is None or not user.active:
            raise AuthenticationFailed(
                f"The database login “{login}” is not an MPSYSTEM user, or the account is disabled."
            )
        return CurrentUser(user.id, user.username, user.full_name, parse_role(user.role))


def sign_in(url: str, username: str, password: str) -> tuple[Database, CurrentUser]:
    """Open the database the profile names and sign in; the caller owns the returned database."""
    if not username or not username.strip():
        raise AuthenticationFailed("Enter your user name.")
    from data.db import normalise_url
    from data.migrate import check_schema

    if normalise_url(url).get_backend_name() == "postgresql":
        database = open_database(url, username=username.strip(), password=password)
        try:
            check_schema(database)
            return database, user_for_connection(database)
        except Exception:
            database.dispose()
            raise
    database = open_database(url)
    try:
        check_schema(database)
        return database, authenticate_local(database, username, password)
    except Exception:
        database.dispose()
        raise
