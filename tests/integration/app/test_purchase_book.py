"""Purchase orders as read back: the list with totals, the open lines a clerk receives against, a supplier's record."""

from __future__ import annotations

from decimal import Decimal

from app import purchase_book as pb
from app import services as s
from app.context import Context
from app.dto import InventoryRow
from app.permissions import Role
from tests.conftest import in_days


def test_totals_open_lines_and_a_suppliers_record(plant: Context, people: dict[Role, Context]) -> None:
    planner, clerk, manager = people[Role.PLANNER], people[Role.CLERK], people[Role.MANAGER]
    s.set_supplier_material(planner.uow(), supplier="BASELL", material="LDPE", price_per_unit="1.30", minimum_order=500)
    s.set_supplier_material(planner.uow(), supplier="BASELL", material="CORE-76", price_per_unit="0.85")
    number = s.create_purchase_order(
        planner.uow(),
        supplier="BASELL",
        lines=[
            s.PurchaseItem("LDPE", "1000", "1.25", in_days(0)),
            s.PurchaseItem("CORE-76", "300", "0.85", in_days(5)),
        ],
    )
    draft = s.create_purchase_order(
        planner.uow(), supplier="BASELL", lines=[s.PurchaseItem("LDPE", "1", "1", in_days(9))]
    )
    rows = {o.number: o for o in pb.purchase_orders(clerk.reader())}
    assert (rows[number].lines, rows[number].total, rows[number].first_due) == (2, Decimal("1505.00"), in_days(0))
    assert pb.open_lines(clerk.reader()) == ()  # nothing sent yet

    s.send_purchase_order(planner.uow(), number=number)
    lines = pb.open_lines(clerk.reader())
    assert [(x.label, x.receivable) for x in lines] == [
        (f"{number} / 1", Decimal("1050.000")),
        (f"{number} / 2", Decimal("315.000")),
    ]
    record = pb.supplier_record(clerk.reader(), "BASELL")
    assert [(p.material_code, p.price, p.last_paid) for p in record.prices] == [
        ("CORE-76", Decimal("0.8500"), Decimal("0.8500")),
        ("LDPE", Decimal("1.3000"), Decimal("1.2500")),  # the price on the latest order sent
    ]
    assert {o.number for o in record.open_orders} == {number, draft}
    assert (record.lines_due, record.lines_late) == (0, 0)  # nothing due before today, nothing came

    s.receive_purchase(clerk.uow(), order=number, line=1, number="B-1", quantity=600, warehouse="MAG-1")
    s.receive_purchase(clerk.uow(), order=number, line=1, number="B-2", quantity=400, warehouse="MAG-1")
    s.block_batch(manager.uow(), batch="B-2", reason="Gels in the film")
    record = pb.supplier_record(clerk.reader(), "BASELL")
    assert (record.batches, record.blocked, record.blocked_share) == (2, 1, Decimal("50.0"))
    assert (record.lines_due, record.lines_late) == (1, 0)  # came on its due day
    assert [x.label for x in pb.open_lines(clerk.reader(), material="LDPE")] == [f"{number} / 1"]  # 5 % more may come


def test_stock_is_valued_at_the_last_purchase_price(
    plant: Context, people: dict[Role, Context], tmp_path: object
) -> None:
    from pathlib import Path

    from pypdf import PdfReader

    from app import queries as q
    from app import reporting
    from reports import documents

    planner, clerk = people[Role.PLANNER], people[Role.CLERK]
    s.set_supplier_material(planner.uow(), supplier="BASELL", material="LDPE", price_per_unit="1.30")
    s.receive_batch(clerk.uow(), number="OLD-1", material="LDPE", supplier="BASELL", quantity=200, warehouse="MAG-1")

    def ldpe() -> InventoryRow:
        return next(r for r in q.inventory(clerk.reader()).rows if r.material_code == "LDPE" and r.is_material)

    row = ldpe()
    assert (row.last_price, row.value) == (Decimal("1.3000"), Decimal("260.00"))  # never bought: its offer
    for price in ("1.25", "1.40"):
        number = s.create_purchase_order(
            planner.uow(), supplier="BASELL", lines=[s.PurchaseItem("LDPE", "100", price, in_days(3))]
        )
        s.send_purchase_order(planner.uow(), number=number)
    row = ldpe()
    assert (row.last_price, row.value) == (Decimal("1.4000"), Decimal("280.00"))  # the latest order sent
    cores = next(r for r in q.inventory(clerk.reader()).rows if r.material_code == "CORE-76")
    assert (cores.last_price, cores.value) == (None, None)  # no offer, never bought

    out = Path(str(tmp_path)) / "inventory.pdf"
    documents.inventory(reporting.inventory_report(clerk), str(out))
    text = "\n".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "worth 280.00 EUR" in text and "280.00 EUR" in text.split("at the last purchase prices")[1]
