"""User accounts and signing in: administrators manage them, the last administrator is protected."""

from __future__ import annotations

from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy import text, update

import app.security as security
from app import queries as q
from app import services as s
from app.context import Context
from app.errors import AccountLocked, AuthenticationFailed, PermissionDenied, ValidationError
from app.permissions import Role
from data.models import User
from data.uow import utcnow


def test_users_admin_only_and_last_admin_protected(admin: Context, people: dict[Role, Context]) -> None:
    with pytest.raises(PermissionDenied, match="Only an admin may manage users. You are signed in as a manager."):
        s.create_user(people[Role.MANAGER].uow(), username="eve", role="admin", password="password123")
    with pytest.raises(ValidationError, match="is taken"):
        s.create_user(admin.uow(), username="Clerk1", role="clerk", password="password123")
    with pytest.raises(ValidationError, match="lower-case letters"):
        s.create_user(admin.uow(), username="1bad name", role="clerk", password="password123")
    with pytest.raises(ValidationError, match="Unknown role"):
        s.create_user(admin.uow(), username="zed", role="superuser", password="password123")
    with pytest.raises(ValidationError, match="last active administrator"):
        s.set_user_active(admin.uow(), username="admin1", active=False)
    with pytest.raises(ValidationError, match="own account"):
        s.set_user_active(people[Role.ADMIN].uow(), username="admin1", active=False)
    s.change_role(admin.uow(), username="clerk1", role="planner")
    assert {u.username: u.role for u in q.users(admin.reader())}["clerk1"] is Role.PLANNER
    s.set_user_active(admin.uow(), username="clerk1", active=False)
    assert not {u.username: u.active for u in q.users(admin.reader())}["clerk1"]


# Passwords live in the users table only on SQLite; PostgreSQL checks its own login roles.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_sign_in_on_sqlite(database_url: str, backend: str, admin: Context, people: dict[Role, Context]) -> None:
    database, user = security.sign_in(database_url, "Clerk1", "correct horse")
    assert (user.username, user.role) == ("clerk1", Role.CLERK)
    database.dispose()
    with pytest.raises(AuthenticationFailed) as wrong_password:
        security.sign_in(database_url, "clerk1", "wrong horse")
    with pytest.raises(AuthenticationFailed) as unknown_user:
        security.sign_in(database_url, "nobody", "correct horse")
    assert str(wrong_password.value) == str(unknown_user.value) == security.WRONG_CREDENTIALS


# Passwords live in the users table only on SQLite; PostgreSQL checks its own login roles.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_five_failures_lock_for_fifteen_minutes(
    database_url: str, backend: str, admin: Context, people: dict[Role, Context]
) -> None:
    for _ in range(security.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            security.authenticate_local(admin.database, "planner1", "nope nope")
    with pytest.raises(AccountLocked, match="locked after 5 failed sign-ins"):
        security.authenticate_local(admin.database, "planner1", "correct horse")
    with admin.database.engine.connect() as conn:
        locked_until = conn.execute(text("SELECT locked_until FROM users WHERE username='planner1'")).scalar()
    assert locked_until is not None
    # fifteen minutes later the right password works again
    with admin.database.engine.begin() as conn:
        conn.execute(
            update(User).where(User.username == "planner1").values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert security.authenticate_local(admin.database, "planner1", "correct horse").role is Role.PLANNER
    actions = [e.action for e in q.events(admin.reader(), q.EventFilter(entity_type="user")).rows]
    assert actions.count("login_failed") == 5 and "login" in actions


# Passwords live in the users table only on SQLite; PostgreSQL checks its own login roles.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_password_longer_than_bcrypt_reads_is_a_wrong_password(
    database_url: str, backend: str, admin: Context, people: dict[Role, Context]
) -> None:
    """Hole: a password longer than 72 bytes at SQLite sign-in ended in a traceback."""
    for password in ("x" * 73, "ż" * 40, "correct horse" + "!" * 80):
        with pytest.raises(AuthenticationFailed) as refused:
            security.sign_in(database_url, "clerk1", password)
        assert str(refused.value) == security.WRONG_CREDENTIALS
    with admin.database.engine.connect() as conn:
        failures = conn.execute(text("SELECT failed_logins FROM users WHERE username = 'clerk1'")).scalar_one()
    assert failures == 3  # counted like any wrong password


# Passwords live in the users table only on SQLite; PostgreSQL checks its own login roles.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_unknown_user_costs_the_same_bcrypt_work_as_a_known_one(
    database_url: str, backend: str, admin: Context, people: dict[Role, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hole: an unknown user answered in 1 ms and a known one in 240 ms (the stand-in hash had cost 4).

    Counted, not timed: every attempt checks exactly one hash, of the cost the real hashes have."""
    monkeypatch.setattr(security, "BCRYPT_ROUNDS", 6)
    s.create_user(admin.uow(), username="olga", role="viewer", password="correct horse")  # hashed at cost 6
    costs: list[int] = []
    real = bcrypt.checkpw

    def counted(password: bytes, hashed: bytes) -> bool:
        costs.append(int(hashed.split(b"$")[2]))
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counted)
    for name, password in (("olga", "wrong horse"), ("nobody", "wrong horse"), ("nobody", "y" * 100)):
        with pytest.raises(AuthenticationFailed):
            security.authenticate_local(admin.database, name, password)
    assert costs == [6, 6, 6]


# Passwords live in the users table only on SQLite; PostgreSQL checks its own login roles.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_disabled_user_cannot_sign_in(
    database_url: str, backend: str, admin: Context, people: dict[Role, Context]
) -> None:
    s.set_user_active(admin.uow(), username="viewer1", active=False)
    with pytest.raises(AuthenticationFailed, match="user name or the password is wrong"):
        security.authenticate_local(admin.database, "viewer1", "correct horse")


def test_real_bcrypt_cost_is_at_least_12(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the suite lowers the cost for speed; this test checks the real setting
    hashed = security.hash_password("correct horse")
    assert int(hashed.split("$")[2]) >= 12
    assert bcrypt.checkpw(b"correct horse", hashed.encode())


def test_password_rules(admin: Context, people: dict[Role, Context]) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        s.change_password(admin.uow(), username="clerk1", new_password="short")
    with pytest.raises(ValidationError, match="72 bytes"):
        s.change_password(admin.uow(), username="clerk1", new_password="ż" * 40)
    with pytest.raises(PermissionDenied):
        s.change_password(people[Role.CLERK].uow(), username="viewer1", new_password="a long password")
    s.change_password(people[Role.CLERK].uow(), username="clerk1", new_password="a long password")


@pytest.mark.parametrize("backend", ["postgresql"])
def test_sign_in_on_postgresql_is_a_connection_as_that_user(database_url: str, admin: Context) -> None:
    """The server checks the password; the client then finds the user row of that login."""
    import psycopg

    s.create_user(admin.uow(), username="ewa", role="planner", full_name="Ewa Lis", password="server side secret")
    plain = database_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE ROLE stranger LOGIN PASSWORD 'another secret' IN ROLE mpsystem_viewer")
    try:
        database, user = security.sign_in(database_url, "ewa", "server side secret")
        assert (user.username, user.full_name, user.role) == ("ewa", "Ewa Lis", Role.PLANNER)
        database.dispose()
        with pytest.raises(AuthenticationFailed, match="user name or the password is wrong"):
            security.sign_in(database_url, "ewa", "not the secret")
        with pytest.raises(AuthenticationFailed, match="not an MPSYSTEM user"):
            security.sign_in(database_url, "stranger", "another secret")
        s.change_role(admin.uow(), username="ewa", role="clerk")
        database, user = security.sign_in(database_url, "ewa", "server side secret")
        assert user.role == Role.CLERK
        database.dispose()
        s.change_password(admin.uow(), username="ewa", new_password="a new secret")
        with pytest.raises(AuthenticationFailed):
            security.sign_in(database_url, "ewa", "server side secret")
        database, user = security.sign_in(database_url, "ewa", "a new secret")
        database.dispose()
        s.set_user_active(admin.uow(), username="ewa", active=False)
        with pytest.raises(AuthenticationFailed, match="disabled"):
            security.sign_in(database_url, "ewa", "a new secret")
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("DROP ROLE stranger")
