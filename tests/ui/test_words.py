"""The vocabulary on screen (ui/words.py): pickers fill from domain/vocabulary.py, and no screen retypes it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.context import Context
from app.permissions import Role
from domain.vocabulary import BatchStatus, MaterialKind, OrderStatus, Unit, WarehouseKind
from tests.ui.conftest import open_window, show_tab
from ui.catalogue import ProductDialog
from ui.ops import Ops
from ui.words import of, term, term_box

UI = Path(__file__).resolve().parents[2] / "ui"


def entries(box: Any) -> list[tuple[str, Any]]:
    return [(box.itemText(i), box.itemData(i)) for i in range(box.count())]


def test_pickers_fill_from_the_vocabulary(qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]) -> None:
    window = open_window(qtbot, ops, demo_contexts[Role.PLANNER])
    kinds = entries(window.inventory.kind)
    assert kinds[0][1] is None and kinds[1:] == [(k.label, k.value) for k in MaterialKind]
    show_tab(qtbot, window, 1)
    assert entries(window.batches.status)[1:] == [(b.label, b.value) for b in BatchStatus]
    products = window.orders.open_products()
    qtbot.addWidget(products)
    product = products.new_product()
    assert isinstance(product, ProductDialog)
    assert entries(product.unit) == [(u.label, u.value) for u in Unit]
    assert ("m²", "m2") in entries(product.unit)  # the label, not the stored value, is what people read
    assert entries(product.stage)[-1] == ("bag making", "bag_making")


def test_a_stored_value_shows_by_its_label(qapp: Any) -> None:
    assert of(OrderStatus, "in_progress") is OrderStatus.IN_PROGRESS
    assert term(OrderStatus.IN_PROGRESS) == "in progress"
    box = term_box(WarehouseKind, "any kind")
    assert box.itemText(0) == "any kind" and box.itemData(0) is None
    assert box.itemText(2) == "ADR (dangerous goods)" and box.itemData(2) == "adr"


def test_no_screen_spells_a_status_kind_unit_or_role_itself() -> None:
    """domain/vocabulary.py spells each value once; the client takes them from there."""
    values = {m.value for kind in (BatchStatus, OrderStatus, MaterialKind, Unit, WarehouseKind) for m in kind}
    values |= set(Role.names())
    quoted = re.compile(r"""["']([a-z_0-9]+)["']""")
    for source in sorted(UI.glob("*.py")):
        found = {word for word in quoted.findall(source.read_text(encoding="utf-8")) if word in values}
        assert not found, f"{source.name} spells {sorted(found)} itself"
