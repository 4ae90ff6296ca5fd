"""Every table model passes Qt's model tester and pages its rows in from SQL."""

from __future__ import annotations

from typing import Any

import pytest

from app import queries as q
from app.context import Context
from app.permissions import Role
from ui.ops import Ops
from ui.tables import BatchModel, CustomerModel, EventModel, InventoryModel, OrderModel


def fetchers(ctx: Context) -> dict[type, Any]:
    return {
        InventoryModel: lambda f, s, d, o, n: q.inventory(
            ctx.reader(), f or q.InventoryFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        BatchModel: lambda f, s, d, o, n: q.batches(
            ctx.reader(), f or q.BatchFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        EventModel: lambda f, s, d, o, n: q.events(
            ctx.reader(), f or q.EventFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        CustomerModel: lambda f, s, d, o, n: q.customers(
            ctx.reader(), f or q.CustomerFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        OrderModel: lambda f, s, d, o, n: q.orders(
            ctx.reader(), f or q.OrderFilter(), sort=s, descending=d, offset=o, limit=n
        ),
    }


@pytest.mark.parametrize("model_class", [InventoryModel, BatchModel, EventModel, CustomerModel, OrderModel])
def test_models_pass_the_model_tester(
    qtbot: Any, ops: Ops, qtmodeltester: Any, demo_contexts: dict[Role, Context], model_class: type
) -> None:
    model = model_class(ops, fetchers(demo_contexts[Role.VIEWER])[model_class], parent=ops)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.refresh()
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    # ask for a far row, let it arrive, check again
    last = model.rowCount() - 1
    model.data(model.index(last, 0))
    qtbot.waitUntil(lambda: model.is_loaded(last), timeout=10_000)
    qtmodeltester.check(model)


def test_sorting_and_filtering_go_to_sql(qtbot: Any, demo_contexts: dict[Role, Context], ops: Ops) -> None:
    model = EventModel(ops, fetchers(demo_contexts[Role.VIEWER])[EventModel], parent=ops)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.refresh()
    assert model.rowCount() == 5000
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_filter(q.EventFilter(action="blocked"))
    assert 0 < model.rowCount() < 100
    assert all(
        "Blocked batch" in model.data(model.index(r, EventModel.Columns.SUMMARY)) for r in range(model.rowCount())
    )
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.sort(EventModel.Columns.WHEN, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.SortOrder.AscendingOrder)
    first = model.row_at(0)
    last = model.row_at(model.rowCount() - 1)
    assert first is not None and last is not None and first.occurred_at <= last.occurred_at


def test_a_common_text_shows_its_first_page_before_the_count(
    qtbot: Any, ops: Ops, qtmodeltester: Any, demo_contexts: dict[Role, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting half a million matches takes longer than finding the first 200; the first page
    # comes with a lower bound and the exact count follows. A small threshold stands in for 20,000.
    monkeypatch.setattr(q, "COMMON_MATCHES", 50)
    ctx = demo_contexts[Role.VIEWER]
    needle = q.EventFilter(text="signed in")
    expected = q.events(ctx.reader(), needle, limit=1).total
    assert expected > 2 * 50
    model = EventModel(
        ops,
        lambda f, s, d, o, n: q.events(
            ctx.reader(), f or q.EventFilter(), sort=s, descending=d, offset=o, limit=n, quick=True
        ),
        parent=ops,
    )
    first: list[tuple[int, bool]] = []
    model.loaded.connect(lambda: first.append((model.rowCount(), model.counted)))
    with qtbot.waitSignal(model.counted_rows, timeout=10_000):
        model.set_filter(needle)
    assert first == [(model.PAGE_SIZE, False)]  # at least one page's worth, not counted
    assert model.rowCount() == expected and model.counted
    qtmodeltester.check(model)
    # A live update re-reads the first page, which is not counted: the requery counts too.
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    model.requery()
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert model.rowCount() == expected and model.counted and resets == []
    last = expected - 1
    model.data(model.index(last, 0))
    qtbot.waitUntil(lambda: model.is_loaded(last), timeout=10_000)
    row = model.row_at(last)
    assert row is not None and "signed in" in row.summary
