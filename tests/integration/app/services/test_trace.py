"""Genealogy through four production steps to the customers, and back from a delivery to the suppliers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app import services as s
from app.context import Context
from app.dto import TraceNode
from app.services.trace import recall, trace_delivery
from tests.conftest import in_days


def run(ctx: Context, number: str, product: str, line: str, inputs: list[tuple[str, str]], material: str) -> str:
    """One production step: an order that consumes `inputs` (batch, quantity) and makes one approved batch."""
    s.create_order(ctx.uow(), customer="C-001", product=product, quantity=1000, due_date=in_days(9), number=number)
    s.plan_order(ctx.uow(), number=number, line=line)
    s.start_order(ctx.uow(), number=number)
    for batch, quantity in inputs:
        s.consume_batch(ctx.uow(), order=number, batch=batch, warehouse="MAG-6", quantity=quantity)
    out = s.record_output(ctx.uow(), order=number, material=material, quantity=900, warehouse="MAG-6")
    s.approve_batch(ctx.uow(), batch=out)
    s.finish_order(ctx.uow(), number=number)
    return out


@pytest.fixture
def chain(plant: Context) -> Context:
    """Granulates R-1 and R-2 → extrusion → printing → lamination (with bought PET-1) → slitting → three customers."""
    u = plant.uow
    s.create_material(u(), code="FILM-LAMINATE", name="PET/PE laminate", kind="film", unit="m")
    s.create_line(u(), code="LAMINATOR-1", name="Laminator", stage="lamination", rate_per_hour=8000, rate_unit="m")
    s.create_line(u(), code="SLITTER-1", name="Slitter", stage="slitting", rate_per_hour=9000, rate_unit="m")
    s.create_product(
        u(), code="LAM", name="PET/PE laminate", stage="lamination", unit="m", output_material="FILM-LAMINATE"
    )
    s.create_product(u(), code="SLIT", name="Slit reels", stage="slitting", unit="m", output_material="FILM-LAMINATE")
    s.create_customer(u(), code="C-003", name="Third Foods")
    for number, material in (("R-1", "LDPE"), ("R-2", "LDPE"), ("PET-1", "FILM-PRINTED")):
        s.receive_batch(u(), number=number, material=material, supplier="BASELL", quantity=5000, warehouse="MAG-6")
        s.approve_batch(u(), batch=number)
    film = run(plant, "E-1", "PE-50", "EXTRUDER-1", [("R-1", "600"), ("R-2", "400")], "FILM-PE-50")
    printed = run(plant, "P-1", "PRINTED", "PRINT-LINE-1", [(film, "800")], "FILM-PRINTED")
    laminate = run(plant, "L-1", "LAM", "LAMINATOR-1", [(printed, "850"), ("PET-1", "900")], "FILM-LAMINATE")
    reels = run(plant, "S-1", "SLIT", "SLITTER-1", [(laminate, "880")], "FILM-LAMINATE")
    for customer, amount in (("C-001", "300"), ("C-002", "200"), ("C-003", "100")):
        s.create_order(
            u(), customer=customer, product="SLIT", quantity=amount, due_date=in_days(5), number=f"X-{customer}"
        )
        s.plan_order(u(), number=f"X-{customer}", line="SLITTER-1")
        s.start_order(u(), number=f"X-{customer}")
        s.deliver(u(), order=f"X-{customer}", lines=[s.DeliveryItem(reels, "MAG-6", amount)])
        s.finish_order(u(), number=f"X-{customer}")
    return plant


def walk(node: TraceNode, depth: int = 0) -> Iterator[tuple[int, TraceNode]]:
    yield depth, node
    for child in node.children:
        yield from walk(child, depth + 1)


def test_a_granulate_batch_reaches_the_customers_through_four_steps(chain: Context) -> None:
    _back, forward = s.trace_batch(chain.reader(), number="R-1")
    orders = [n.key for _d, n in walk(forward) if n.kind == "order"]
    assert orders[:4] == ["E-1", "P-1", "L-1", "S-1"]
    deliveries = [(d, n) for d, n in walk(forward) if n.kind == "delivery"]
    customers = {c.key for _d, n in deliveries for c in n.children}
    assert customers == {"C-001", "C-002", "C-003"}
    assert {d for d, _n in deliveries} == {9}  # the batch, then (order, batch) four times, then the deliveries


def test_a_delivery_traces_back_to_its_suppliers(chain: Context) -> None:
    number = next(n.key for _d, n in walk(s.trace_batch(chain.reader(), number="R-2")[1]) if n.kind == "delivery")
    root = trace_delivery(chain.reader(), number=number)
    assert root.kind == "delivery" and root.key == number
    batches = {n.key for _d, n in walk(root) if n.kind == "batch"}
    assert {"R-1", "R-2", "PET-1"} <= batches
    assert {n.key for _d, n in walk(root) if n.kind == "supplier"} == {"BASELL"}


def test_the_recall_question_names_the_customers_and_what_is_still_here(chain: Context) -> None:
    found = recall(chain.reader(), number="R-1")
    assert [c.code for c in found.customers] == ["C-001", "C-003", "C-002"]  # by name: Mleczarnia, Third, ООО
    assert sorted((d.customer_code, str(d.quantity), d.steps) for d in found.deliveries) == [
        ("C-001", "300.000", 4),
        ("C-002", "200.000", 4),
        ("C-003", "100.000", 4),
    ]
    assert found.orders_reached == 4 and found.batches_reached == 4
    # the rest of each batch made from it is still in MAG-6: the reels (300 left) and the leftovers on the way
    assert {(st.batch_number, str(st.quantity)) for st in found.in_plant if st.batch_number.startswith("S-1")} == {
        ("S-1-001", "300.000")
    }
    pet = recall(chain.reader(), number="PET-1")  # bought film, laminated in at the third step
    assert pet.customers == found.customers and {d.steps for d in pet.deliveries} == {2}


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(ctx.database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(ctx.database.engine, "before_cursor_execute", count)


def test_a_trace_costs_the_same_few_queries_however_far_it_reaches(chain: Context) -> None:
    """Set-wise, not a query per node: a trace to three deliveries and one to none read alike."""
    with statements(chain) as far:
        s.trace_batch(chain.reader(), number="R-1")
    with statements(chain) as near:
        s.trace_batch(chain.reader(), number="PET-1")
    s.receive_batch(chain.uow(), number="LONE", material="LDPE", supplier="BASELL", quantity=1, warehouse="MAG-1")
    with statements(chain) as alone:
        s.trace_batch(chain.reader(), number="LONE")
    assert len(far) == len(near) <= len(alone) + 2 <= 14
