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

# Checked against when the user does not exist, so that an unknown name takes
# as long as a wrong password and timing does not tell them apart.
_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(4))


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
    if len(password.encode("utf-8")) > 72:
        # bcrypt ignores everything past 72 bytes; refusing is more honest than truncating.
        raise ValidationError("A password may be at most 72 bytes long.", "password")
    return password


def _verify(password: str, hashed: str | None) -> bool:
    if not hashed:
        bcrypt.checkpw(password.encode("utf-8"), _DUMMY_HASH)
        return False
    return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))


def authenticate_local(database: Database, username: str, password: str) -> CurrentUser:
    """Check a name and password against the users table (SQLite); record the attempt."""
    name = (username or "").strip()
    with UnitOfWork(database, SYSTEM) as uow:
        user = uow.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            _verify(password, None)
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
