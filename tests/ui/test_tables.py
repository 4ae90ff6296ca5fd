"""Every table model (ui/tables.py, on ui/paged.py) passes Qt's model tester, pages its rows in from SQL,
and offers exactly the sort keys its query declares."""

from __future__ import annotations

from typing import Any

import pytest

from app import order_book as ob
from app import queries as q
from app.context import Context
from app.permissions import Role
from ui.ops import Ops
from ui.stops import LineStopModel
from ui.tables import (
    BatchModel,
    CustomerModel,
    EventModel,
    InventoryModel,
    LineModel,
    MaterialModel,
    OrderListModel,
    SupplierModel,
    WarehouseModel,
)

# Each model and the query it shows: the model may sort only by what the query sorts by.
QUERY_SORTS: dict[type, tuple[str, ...]] = {
    InventoryModel: q.INVENTORY_SORTS,
    BatchModel: q.BATCH_SORTS,
    EventModel: q.EVENT_SORTS,
    CustomerModel: q.CUSTOMER_SORTS,
    WarehouseModel: q.WAREHOUSE_SORTS,
    MaterialModel: q.MATERIAL_SORTS,
    SupplierModel: q.SUPPLIER_SORTS,
    LineModel: q.LINE_SORTS,
    LineStopModel: q.LINE_STOP_SORTS,
    OrderListModel: ob.ORDER_LIST_SORTS,
}


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
        WarehouseModel: lambda f, s, d, o, n: q.warehouses(
            ctx.reader(), f or q.MasterFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        MaterialModel: lambda f, s, d, o, n: q.materials(
            ctx.reader(), f or q.MasterFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        SupplierModel: lambda f, s, d, o, n: q.suppliers(
            ctx.reader(), f or q.MasterFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        LineModel: lambda f, s, d, o, n: q.lines(
            ctx.reader(), f or q.MasterFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        LineStopModel: lambda f, s, d, o, n: q.line_stops(
            ctx.reader(), f or q.LineStopFilter(), sort=s, descending=d, offset=o, limit=n
        ),
        OrderListModel: lambda f, s, d, o, n: ob.order_list(ctx.reader(), f, sort=s, descending=d, offset=o, limit=n),
    }


def test_every_model_sorts_by_exactly_its_querys_sortable_keys(demo_contexts: dict[Role, Context]) -> None:
    """A header click sorts in SQL by the column's key: each key must be one the query declares, and
    each key the query declares must have its column; and the declared keys must really sort."""
    from ui.paged import PagedTableModel

    assert set(QUERY_SORTS) == set(PagedTableModel.__subclasses__())  # a new model needs its entry here
    fetch = fetchers(demo_contexts[Role.VIEWER])
    for model_class, declared in QUERY_SORTS.items():
        offered = list(model_class.SORT_KEYS.values())
        assert len(offered) == len(set(offered)), model_class.__name__
        assert set(offered) == set(declared), model_class.__name__
        assert model_class.DEFAULT_SORT[0] in declared, model_class.__name__
        for key in declared:
            for descending in (False, True):
                assert fetch[model_class](None, key, descending, 0, 5).total > 0, (model_class.__name__, key)


@pytest.mark.parametrize(
    "model_class",
    [
        InventoryModel,
        BatchModel,
        EventModel,
        CustomerModel,
        WarehouseModel,
        MaterialModel,
        SupplierModel,
        LineModel,
        OrderListModel,
    ],
)
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


def test_batches_start_in_stock_only_and_names_are_never_cut_first(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from tests.ui.conftest import open_window, save_screenshot, show_tab

    window = open_window(qtbot, ops, demo_contexts[Role.CLERK])
    show_tab(qtbot, window, 1)
    screen = window.batches
    assert screen.in_stock.isChecked() and screen.model.filter.in_stock_only
    rows = [screen.model.row_at(i) for i in range(min(screen.model.rowCount(), 40))]
    assert rows and all(row.quantity > 0 for row in rows)  # used-up batches (0 pcs) wait until asked for
    for table_screen in (window.batches, window.inventory):
        table, model = table_screen.table, table_screen.model
        if table_screen is window.inventory:
            show_tab(qtbot, window, 0)
        name = int(model.STRETCH)
        shown = min(model.rowCount(), table.height() // table.rowHeight(0))
        widest = max(table.sizeHintForIndex(model.index(r, name)).width() for r in range(shown))
        assert table.columnWidth(name) >= widest, type(model).__name__  # the whole name shows
    save_screenshot(window, "batches-in-stock-widths")


def test_quantities_line_up_and_the_status_bar_adds_up_the_selection(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from decimal import Decimal

    from PySide6.QtCore import QItemSelectionModel

    from app.formatting import quantity
    from tests.ui.conftest import open_window, save_screenshot, show_tab
    from ui.tables import QuantityDelegate

    window = open_window(qtbot, ops, demo_contexts[Role.VIEWER])
    show_tab(qtbot, window, 1)
    screen = window.batches
    column = int(screen.model.Columns.QUANTITY)
    assert isinstance(screen.table.itemDelegateForColumn(column), QuantityDelegate)
    picked = [screen.model.row_at(i) for i in range(4)]
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for i in range(4):
        screen.table.selectionModel().select(screen.model.index(i, 0), flags)
    sums: dict[str, Decimal] = {}
    for row in picked:
        sums[row.unit] = sums.get(row.unit, Decimal(0)) + row.quantity
    expected = " + ".join(quantity(total, unit) for unit, total in sorted(sums.items()))
    assert window.selection.text() == f"4 selected · {expected}"
    qtbot.wait(50)  # the status bar makes room for the new text
    save_screenshot(window, "batches-selection-sum")
    show_tab(qtbot, window, 3)
    assert window.selection.text() == ""  # the journal's own selection: none


def test_the_status_bar_names_the_connection_by_its_profile(
    qtbot: Any, ops: Ops, demo_contexts: dict[Role, Context]
) -> None:
    from dataclasses import replace

    from tests.ui.conftest import open_window

    ctx = replace(demo_contexts[Role.VIEWER], connection="Demo plant")
    window = open_window(qtbot, ops, ctx)
    assert window.where.text() == "Demo plant" and window.windowTitle() == "MPSYSTEM — Demo plant"
    assert window.where.toolTip().startswith("file ")  # where exactly, for whoever asks


def test_the_widest_other_columns_give_way_first_and_never_below_their_floor() -> None:
    from ui.widgets import column_widths

    # number, name (kept whole: floor = want), a long supplier name, a short date
    wanted, floors = [120, 260, 300, 100], [120, 260, 150, 100]
    assert column_widths(wanted, floors, 900) == wanted  # room for all
    assert column_widths(wanted, floors, 700) == [120, 260, 220, 100]  # the supplier gives way alone
    assert column_widths(wanted, floors, 500) == [120, 260, 150, 100]  # down to its floor, then the table scrolls
