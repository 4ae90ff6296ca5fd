"""User accounts: created, disabled, re-roled and given new passwords by administrators.

On SQLite the password is kept as a bcrypt hash in the users table. On
PostgreSQL the server keeps it: each user is a login role of the same name in
the group role of their level (data/pgroles.py), created, re-grouped, disabled
and re-passworded in the same transaction as the users row, through the
owner's SECURITY DEFINER functions. The password travels only as a SCRAM
verifier computed on this machine.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, text

from app import validation as v
from app.errors import ValidationError
from app.permissions import Role, parse_role, require
from app.security import check_password_rules, hash_password
from data.models import User
from data.pgroles import scram_verifier
from data.uow import UnitOfWork
from domain.vocabulary import NAME_LEN, USERNAME_LEN

_USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]*$")


def clean_username(value: Any) -> str:
    name = v.required_text(value, "user_name", USERNAME_LEN).lower()
    if not _USERNAME_RE.match(name):
        raise ValidationError(
            f"The user name “{name}” may use lower-case letters, digits and . _ - and must start with a letter.",
            "user_name",
        )
    return v.not_reserved_login(name, "user_name")


def _verifier(uow: UnitOfWork, username: str, password: str) -> str:
    dbapi = uow.session.connection().connection.dbapi_connection
    return scram_verifier(dbapi, username, password)


def has_login(uow: UnitOfWork, user_id: int) -> bool:
    """On PostgreSQL, whether the user has a server login; users made before logins existed have none."""
    if uow.backend != "postgresql":
        return True
    return bool(
        uow.session.scalar(text("SELECT EXISTS (SELECT 1 FROM mpsystem_logins WHERE user_id = :id)"), {"id": user_id})
    )


def _set_login(uow: UnitOfWork, user: User, role: str, active: bool) -> None:
    """Re-group, enable or disable the user's login; one without a login gets it with their first password."""
    if uow.backend == "postgresql" and has_login(uow, user.id):
        uow.session.execute(
            text("SELECT mpsystem_set_login(:name, :level, :active)"),
            {"name": user.username, "level": role, "active": active},
        )


def _active_admins(uow: UnitOfWork) -> int:
    return (
        uow.session.scalar(select(func.count()).where(User.role == Role.ADMIN.value_name, User.active.is_(True))) or 0
    )


def create_user(
    uow: UnitOfWork, *, username: str, role: str | Role, full_name: str | None = None, password: str | None = None
) -> int:
    require(uow.actor, "user.manage")
    name = clean_username(username)
    parsed = parse_role(role)
    full = v.text(full_name, "full_name", NAME_LEN, required=False) or ""
    check_password_rules(password or "")
    with uow:
        hashed = None
        if uow.backend == "sqlite":
            hashed = hash_password(password or "")
        if uow.session.scalar(select(User.id).where(func.lower(User.username) == name)) is not None:
            raise ValidationError(f"The user name {name} is taken.", "user_name")
        user = uow.users.add(
            User(
                username=name,
                full_name=full,
                role=parsed.value_name,
                active=True,
                password_hash=hashed,
                failed_logins=0,
                created_at=uow.now(),
            )
        )
        uow.session.flush()
        if uow.backend == "postgresql":
            uow.session.execute(
                text("SELECT mpsystem_create_login(:name, :level, :verifier)"),
                {"name": name, "level": parsed.value_name, "verifier": _verifier(uow, name, password or "")},
            )
        uow.record_event(
            "user",
            user.id,
            "created",
            f"Created user {name} ({parsed.label})",
            {"role": parsed.value_name, "full_name": full},
        )
        uow.commit()
        return user.id


def set_user_active(uow: UnitOfWork, *, username: str, active: bool) -> None:
    require(uow.actor, "user.manage")
    name = clean_username(username)
    with uow:
        user = uow.users.by_key(name)
        if user.active == active:
            raise ValidationError(f"User {name} is already {'active' if active else 'disabled'}.", "user_name")
        if not active and user.id == uow.actor.id:
            raise ValidationError("You cannot disable your own account.", "user_name")
        if not active and user.role == Role.ADMIN.value_name and _active_admins(uow) <= 1:
            raise ValidationError(f"{name} is the last active administrator and cannot be disabled.", "user_name")
        user.active = active
        user.failed_logins, user.locked_until = 0, None
        _set_login(uow, user, user.role, active)
        uow.record_event(
            "user",
            user.id,
            "enabled" if active else "disabled",
            f"{'Enabled' if active else 'Disabled'} user {name}",
            {},
        )
        uow.commit()


def change_role(uow: UnitOfWork, *, username: str, role: str | Role) -> None:
    require(uow.actor, "user.manage")
    name = clean_username(username)
    parsed = parse_role(role)
    with uow:
        user = uow.users.by_key(name)
        if user.role == parsed.value_name:
            raise ValidationError(f"User {name} already is a {parsed.label}.", "role")
        if user.role == Role.ADMIN.value_name and user.active and _active_admins(uow) <= 1:
            raise ValidationError(f"{name} is the last active administrator; make another administrator first.", "role")
        previous = user.role
        user.role = parsed.value_name
        _set_login(uow, user, parsed.value_name, user.active)
        uow.record_event(
            "user",
            user.id,
            "role_changed",
            f"Changed the role of {name} from {previous} to {parsed.label}",
            {"from": previous, "to": parsed.value_name},
        )
        uow.commit()


def change_password(uow: UnitOfWork, *, username: str, new_password: str) -> bool:
    """Administrators set anyone's password; every user may change their own.

    True when the user had no server login yet and got one with this password (PostgreSQL).
    """
    name = clean_username(username)
    if name != uow.actor.username:
        require(uow.actor, "user.manage")
    check_password_rules(new_password)
    with uow:
        user = uow.users.by_key(name)
        if uow.backend == "postgresql" and not has_login(uow, user.id):
            _give_login(uow, user, new_password)
            return True
        if uow.backend == "postgresql":
            # The function checks again who may, changes the login and writes the journal entry as
            # the owner: a viewer may change their own password but may not write to the journal.
            uow.session.execute(
                text("SELECT mpsystem_set_password(:name, :verifier)"),
                {"name": name, "verifier": _verifier(uow, name, new_password)},
            )
            uow.commit(journal_written_by_database=True)
            return False
        user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
        uow.record_event("user", user.id, "password_changed", f"Changed the password of {name}", {})
        uow.commit()
        return False


def _give_login(uow: UnitOfWork, user: User, password: str) -> None:
    """A user from before server logins (schema 0002 and older) gets one with the password an administrator sets.

    Their old password cannot be carried over: the users table kept a bcrypt hash, and PostgreSQL
    checks SCRAM verifiers only.
    """
    require(uow.actor, "user.manage")
    uow.session.execute(
        text("SELECT mpsystem_create_login(:name, :level, :verifier)"),
        {"name": user.username, "level": user.role, "verifier": _verifier(uow, user.username, password)},
    )
    if not user.active:
        uow.session.execute(
            text("SELECT mpsystem_set_login(:name, :level, false)"), {"name": user.username, "level": user.role}
        )
    uow.record_event("user", user.id, "login_created", f"Gave {user.username} a server login with a new password", {})
    uow.commit()
