"""User accounts: created, disabled, re-roled and given new passwords by administrators.

On SQLite the password is kept as a bcrypt hash in the users table. On
PostgreSQL the server keeps it: each user is a login role of the same name
(see the database roles in the deployment guide), and the row here carries the
name, the role and whether the account is active.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app import validation as v
from app.errors import ValidationError
from app.permissions import Role, require
from app.security import check_password_rules, hash_password
from data.models import NAME_LEN, USERNAME_LEN, User
from data.uow import UnitOfWork, utcnow

_USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]*$")


def clean_username(value: Any) -> str:
    name = v.required_text(value, "user_name", USERNAME_LEN).lower()
    if not _USERNAME_RE.match(name):
        raise ValidationError(
            f"The user name “{name}” may use lower-case letters, digits and . _ - and must start with a letter.",
            "user_name",
        )
    return name


def _active_admins(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.count()).where(User.role == "admin", User.active.is_(True))) or 0


def create_user(
    uow: UnitOfWork, *, username: str, role: str | Role, full_name: str | None = None, password: str | None = None
) -> int:
    require(uow.actor, "user.manage")
    name = clean_username(username)
    parsed = Role.parse(role)
    full = v.text(full_name, "full_name", NAME_LEN, required=False) or ""
    with uow:
        hashed = None
        if uow.backend == "sqlite":
            hashed = hash_password(check_password_rules(password or ""))
        if uow.session.scalar(select(User.id).where(func.lower(User.username) == name)) is not None:
            raise ValidationError(f"The user name {name} is taken.", "user_name")
        user = uow.users.add(
            User(
                username=name,
                full_name=full,
                role=parsed.label,
                active=True,
                password_hash=hashed,
                failed_logins=0,
                created_at=utcnow(),
            )
        )
        uow.session.flush()
        uow.record_event(
            "user",
            user.id,
            "created",
            f"Created user {name} ({parsed.label})",
            {"role": parsed.label, "full_name": full},
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
        if not active and user.role == "admin" and _active_admins(uow) <= 1:
            raise ValidationError(f"{name} is the last active administrator and cannot be disabled.", "user_name")
        user.active = active
        user.failed_logins, user.locked_until = 0, None
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
    parsed = Role.parse(role)
    with uow:
        user = uow.users.by_key(name)
        if user.role == parsed.label:
            raise ValidationError(f"User {name} already is a {parsed.label}.", "role")
        if user.role == "admin" and user.active and _active_admins(uow) <= 1:
            raise ValidationError(f"{name} is the last active administrator; make another administrator first.", "role")
        previous = user.role
        user.role = parsed.label
        uow.record_event(
            "user",
            user.id,
            "role_changed",
            f"Changed the role of {name} from {previous} to {parsed.label}",
            {"from": previous, "to": parsed.label},
        )
        uow.commit()


def change_password(uow: UnitOfWork, *, username: str, new_password: str) -> None:
    """Administrators set anyone's password; every user may change their own."""
    name = clean_username(username)
    if name != uow.actor.username:
        require(uow.actor, "user.manage")
    check_password_rules(new_password)
    with uow:
        user = uow.users.by_key(name)
        if uow.backend == "sqlite":
            user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
        uow.record_event("user", user.id, "password_changed", f"Changed the password of {name}", {})
        uow.commit()
