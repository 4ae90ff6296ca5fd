from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from app.services.orders import optimise_key


def o(number: str, priority: int, due: int, spec: str) -> Any:
    return SimpleNamespace(number=number, priority=priority, due_date=date(2026, 1, due), product_spec=spec)


def test_optimise_is_deterministic_and_groups_specs() -> None:
    orders = [o("A", 2, 5, "x"), o("B", 1, 9, "y"), o("C", 2, 1, "z"), o("D", 2, 7, "z"), o("E", 2, 6, "x")]
    expected = ["B", "C", "D", "A", "E"]
    assert [x.number for x in optimise_key(orders)] == expected
    assert [x.number for x in optimise_key(list(reversed(orders)))] == expected
