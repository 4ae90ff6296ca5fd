"""Random sequences of operations against a model: balances never go negative and always equal the
ledger; queue positions stay dense and unique and match the planner's intent."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import queries as q
from app import services as s
from app.context import Context
from app.errors import ValidationError
from tests.conftest import in_days
from tests.helpers import ledger_mismatches, negative_balances, queue_numbers, queue_problems

WAREHOUSES = ("MAG-1", "MAG-3", "MAG-6")
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("400"), places=3)
stock_ops = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.sampled_from(WAREHOUSES), quantities),
        st.tuples(
            st.just("transfer"), st.integers(0, 5), st.sampled_from(WAREHOUSES), st.sampled_from(WAREHOUSES), quantities
        ),
        st.tuples(st.just("issue"), st.integers(0, 5), st.sampled_from(WAREHOUSES), quantities),
        st.tuples(st.just("consume"), st.integers(0, 5), st.sampled_from(WAREHOUSES), quantities),
        st.tuples(st.just("adjust"), st.integers(0, 5), st.sampled_from(WAREHOUSES), quantities, st.booleans()),
    ),
    min_size=1,
    max_size=14,
)
_example = itertools.count()
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _apply(
    op: object,
    call: Callable[[], None],
    expect_ok: bool,
    changes: list[tuple[tuple[str, str], Decimal]],
    model: dict[tuple[str, str], Decimal],
) -> None:
    """Run one operation: done and counted in the model if it should succeed, refused otherwise."""
    if expect_ok:
        call()
        for key, change in changes:
            model[key] += change
        return
    try:
        call()
    except ValidationError:
        return
    raise AssertionError(f"{op} should have been refused")


@SETTINGS
@given(ops=stock_ops)
def test_random_stock_operations_keep_the_ledger(plant: Context, ops: list[tuple[object, ...]]) -> None:
    if not q.orders(plant.reader(), q.OrderFilter(status="in_progress")).total:
        s.create_order(
            plant.uow(), number="RUN-1", customer="C-001", product="PE-50", quantity=1, unit="kg", due_date=in_days(5)
        )
        s.plan_order(plant.uow(), number="RUN-1", line="EXTRUDER-1")
        s.start_order(plant.uow(), number="RUN-1")
    prefix = f"P{next(_example)}-"
    batches: list[str] = []
    model: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for op in ops:
        kind = op[0]
        if kind == "receive":
            _, wh, qty = op
            number = f"{prefix}{len(batches)}"
            s.receive_batch(
                plant.uow(),
                number=number,
                material="LDPE",
                supplier="BASELL",
                quantity=qty,
                warehouse=wh,
                expiry_date=in_days(100),
            )
            s.approve_batch(plant.uow(), batch=number)
            batches.append(number)
            model[(number, wh)] += qty
            continue
        if not batches:
            continue
        number = batches[op[1] % len(batches)]
        if kind == "transfer":
            _, _, src, dst, qty = op
            expect_ok = src != dst and model[(number, src)] >= qty
            call = partial(
                s.transfer_stock, plant.uow(), batch=number, from_warehouse=src, to_warehouse=dst, quantity=qty
            )
            changes = [((number, src), -qty), ((number, dst), qty)]
        elif kind in ("issue", "consume"):
            _, _, src, qty = op
            expect_ok = model[(number, src)] >= qty
            if kind == "issue":
                call = partial(s.issue_stock, plant.uow(), batch=number, warehouse=src, quantity=qty)
            else:
                call = partial(s.consume_batch, plant.uow(), order="RUN-1", batch=number, warehouse=src, quantity=qty)
            changes = [((number, src), -qty)]
        else:
            _, _, wh, qty, up = op
            delta = qty if up else -qty
            expect_ok = up or model[(number, wh)] >= qty
            call = partial(s.adjust_stock, plant.uow(), batch=number, warehouse=wh, change=delta, reason="count")
            changes = [((number, wh), delta)]
        _apply(op, call, expect_ok, changes, model)
    assert negative_balances(plant.database) == 0
    assert ledger_mismatches(plant.database) == []
    for number in batches:
        rows = q.batches(plant.reader(), q.BatchFilter(text=number)).rows
        row = next(r for r in rows if r.number == number)
        assert row.quantity == sum(v for (b, _w), v in model.items() if b == number)


LINES = ("EXTRUDER-1", "EXTRUDER-2")
ORDERS = [f"QO-{i}" for i in range(8)]
queue_ops = st.lists(
    st.one_of(
        st.tuples(st.just("plan"), st.sampled_from(ORDERS), st.sampled_from(LINES), st.integers(1, 10)),
        st.tuples(st.just("unplan"), st.sampled_from(ORDERS)),
    ),
    min_size=1,
    max_size=25,
)


@SETTINGS
@given(ops=queue_ops)
def test_random_queue_moves_keep_positions_dense_and_unique(plant: Context, ops: list[tuple[object, ...]]) -> None:
    if not q.orders(plant.reader(), q.OrderFilter(text="QO-")).total:
        for number in ORDERS:
            s.create_order(
                plant.uow(),
                number=number,
                customer="C-001",
                product="PE-50",
                quantity=10,
                unit="kg",
                due_date=in_days(5),
            )
    model = {line: queue_numbers(plant.database, line) for line in LINES}
    for op in ops:
        number = str(op[1])
        current = next((line for line, seq in model.items() if number in seq), None)
        if op[0] == "plan":
            _, _, line, position = op
            if current is not None:
                model[current].remove(number)
            pos = min(int(position), len(model[line]) + 1)
            model[line].insert(pos - 1, number)
            assert s.plan_order(plant.uow(), number=number, line=str(line), position=int(position)) == pos
        elif current is None:
            try:
                s.unplan_order(plant.uow(), number=number)
            except ValidationError:
                pass
            else:
                raise AssertionError("unplanning a backlog order should be refused")
        else:
            model[current].remove(number)
            s.unplan_order(plant.uow(), number=number)
    for line in LINES:
        assert queue_numbers(plant.database, line) == model[line]
        queue = q.line_queues(plant.reader(), line=line)[0]
        assert [o.order.position for o in queue.orders] == list(range(1, len(model[line]) + 1))
    assert queue_problems(plant.database) == []
