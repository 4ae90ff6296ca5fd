"""One batch whole (app/batch_page.py): facts, stock per warehouse, movements, quality history, genealogy."""

from __future__ import annotations

from decimal import Decimal

from app import services as s
from app.batch_page import batch_page
from app.context import Context
from app.dto import LabelOrigin
from domain.vocabulary import BatchStatus, MovementKind
from tests.conftest import in_days
from tests.helpers import order, plan


def test_a_batch_page_holds_the_batch_whole(plant: Context) -> None:
    s.receive_batch(
        plant.uow(), number="R-1", material="LDPE", supplier="BASELL", quantity=800, warehouse="MAG-1",
        expiry_date=in_days(300), note="delivery note 77",
    )  # fmt: skip
    s.block_batch(plant.uow(), batch="R-1", reason="Melt index out of spec")
    s.approve_batch(plant.uow(), batch="R-1")
    s.transfer_stock(plant.uow(), batch="R-1", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=600)
    order(plant, "PO-1")
    plan(plant, "PO-1")
    s.start_order(plant.uow(), number="PO-1")
    s.consume_batch(plant.uow(), order="PO-1", batch="R-1", warehouse="MAG-3", quantity="500")
    out = s.record_output(plant.uow(), order="PO-1", material="FILM-PE-50", quantity="480.5", warehouse="MAG-6")

    page = batch_page(plant.reader(), "R-1")
    f = page.facts
    assert (f.number, f.material_code, f.unit, f.supplier_code, f.status) == ("R-1", "LDPE", "kg", "BASELL", "approved")
    assert (f.made, f.in_stock) == (Decimal("800.000"), Decimal("300.000"))
    assert [(b.warehouse_code, b.quantity) for b in page.balances] == [
        ("MAG-1", Decimal("200.000")),
        ("MAG-3", Decimal("100.000")),
    ]
    assert [(m.kind, m.quantity, m.from_warehouse, m.to_warehouse) for m in page.movements] == [
        (MovementKind.RECEIPT, Decimal("800.000"), None, "MAG-1"),
        (MovementKind.TRANSFER, Decimal("600.000"), "MAG-1", "MAG-3"),
        (MovementKind.CONSUMPTION, Decimal("500.000"), "MAG-3", None),
    ]
    assert page.movements[0].note == "delivery note 77" and page.movements[2].order_number == "PO-1"
    assert all(m.username == "system" for m in page.movements)  # the command line's context did it all
    assert [(q.action, q.status, q.reason) for q in page.quality] == [
        ("received", BatchStatus.PENDING, None),
        ("blocked", BatchStatus.BLOCKED, "Melt index out of spec"),
        ("approved", BatchStatus.APPROVED, None),
    ]
    (used_in,) = page.forward.children
    assert (used_in.key, used_in.quantity) == ("PO-1", Decimal("500.000"))
    assert [(c.key, c.quantity) for c in used_in.children] == [(out, Decimal("480.500"))]
    label = page.label()
    assert (label.quantity, label.origin_kind, label.origin) == (
        Decimal("300.000"),
        LabelOrigin.SUPPLIER,
        "LyondellBasell",
    )

    produced = batch_page(plant.reader(), out)
    assert produced.facts.order_number == "PO-1" and produced.label().origin_kind is LabelOrigin.ORDER
    assert [(q.action, q.status) for q in produced.quality] == [("produced", BatchStatus.PENDING)]
    (maker,) = produced.backward.children
    assert [(c.key, c.quantity) for c in maker.children] == [("R-1", Decimal("500.000"))]
