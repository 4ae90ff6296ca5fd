from __future__ import annotations

import pytest

from app.errors import PermissionDenied, ValidationError
from app.permissions import PERMISSIONS, Role, allowed, denial_message, parse_role, require
from app.security import CurrentUser


def test_each_role_includes_the_one_before() -> None:
    for permission in PERMISSIONS:
        granted = [allowed(role, permission) for role in Role]
        assert granted == sorted(granted), permission  # once allowed, every higher role is too


def test_table_matches_the_design() -> None:
    assert [p for p in PERMISSIONS if allowed(Role.VIEWER, p)] == ["read", "print.view"]
    assert allowed(Role.CLERK, "stock.issue") and not allowed(Role.CLERK, "order.plan")
    assert allowed(Role.PLANNER, "customer.edit") and not allowed(Role.PLANNER, "batch.quality")
    assert allowed(Role.MANAGER, "order.cancel") and not allowed(Role.MANAGER, "user.manage")


def test_denial_names_the_role_that_may() -> None:
    viewer = CurrentUser(1, "v", "V", Role.VIEWER)
    with pytest.raises(PermissionDenied, match="Only a planner or above may plan and reorder"):
        require(viewer, "order.plan")
    assert denial_message("user.manage") == "Only an admin may manage users."


def test_role_parse() -> None:
    assert parse_role(" Manager ") is Role.MANAGER
    with pytest.raises(ValidationError, match="Unknown role"):
        parse_role("root")
