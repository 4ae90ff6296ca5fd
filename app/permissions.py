"""Roles and the permission table that drives the UI, the services and the database grants."""

from __future__ import annotations

from typing import Protocol

from domain.vocabulary import Role


def parse_role(value: str | Role) -> Role:
    """A role from what people type ('Clerk', ' planner ') or from a Role."""
    if isinstance(value, Role):
        return value
    try:
        return Role[str(value).strip().upper()]
    except KeyError:
        names = ", ".join(Role.names())
        from app.errors import ValidationError

        raise ValidationError(f"Unknown role “{value}”. Choose one of: {names}.", "role") from None


# permission -> (lowest role that may, what it lets you do: used in messages and tooltips)
PERMISSIONS: dict[str, tuple[Role, str]] = {
    "read": (Role.VIEWER, "read the plant's data"),
    "print.view": (Role.VIEWER, "print what they can see"),
    "stock.receive": (Role.CLERK, "receive stock"),
    "stock.transfer": (Role.CLERK, "transfer stock"),
    "stock.issue": (Role.CLERK, "issue stock"),
    "stock.adjust": (Role.CLERK, "adjust stock"),
    "stock.deliver": (Role.CLERK, "deliver to customers"),
    "label.print": (Role.CLERK, "print batch labels"),
    "line.stop": (Role.CLERK, "record line stops"),
    "order.edit": (Role.PLANNER, "create and edit production orders"),
    "customer.edit": (Role.PLANNER, "create and edit customers"),
    "product.edit": (Role.PLANNER, "keep products and their recipes"),
    "order.plan": (Role.PLANNER, "plan and reorder the production queue"),
    "order.run": (Role.PLANNER, "start, record consumption and output, and finish orders"),
    "batch.quality": (Role.MANAGER, "approve or block batches"),
    "order.cancel": (Role.MANAGER, "cancel production orders"),
    "customer.archive": (Role.MANAGER, "archive customers"),
    "report.all": (Role.MANAGER, "print every report"),
    "user.manage": (Role.ADMIN, "manage users"),
    "masterdata.manage": (Role.ADMIN, "manage warehouses, lines, materials and suppliers"),
    "settings.manage": (Role.ADMIN, "change settings"),
    "import.run": (Role.ADMIN, "import data from CSV files"),
}


class Actor(Protocol):
    """Whoever is doing the work: the signed-in user, or the command line."""

    @property
    def id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> Role: ...


def allowed(role: Role, permission: str) -> bool:
    return role >= PERMISSIONS[permission][0]


def with_article(role: Role) -> str:
    return ("an " if role.label[0] in "aeiou" else "a ") + role.label


def denial_message(permission: str) -> str:
    role, what = PERMISSIONS[permission]
    above = "" if role is Role.ADMIN else " or above"
    return f"Only {with_article(role)}{above} may {what}."


def require(actor: Actor, permission: str) -> None:
    """Raise PermissionDenied before anything is written."""
    if not allowed(actor.role, permission):
        from app.errors import PermissionDenied

        raise PermissionDenied(f"{denial_message(permission)} You are signed in as {with_article(actor.role)}.")
