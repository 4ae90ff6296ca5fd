"""The plant's reports, laid out from the data `app.reporting` gathers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import BinaryIO

from app.dto import TraceNode
from app.formatting import day, moment, quantity
from app.formatting import rate as line_rate
from app.reporting import BatchPageReport, CustomerReport, EventsReport, InventoryReport, PlanReport, TraceReport
from domain.vocabulary import BatchStatus, MovementKind, OrderStatus
from reports.layout import Column, Report, Row, write

Out = str | BinaryIO
Progress = Callable[[int], None] | None


def _totals(amounts: dict[str, Decimal]) -> str:
    return ", ".join(quantity(amount, unit) for unit, amount in sorted(amounts.items())) or "0"


# ---------------------------------------------------------------- inventory


def inventory(data: InventoryReport, out: Out, progress: Progress = None) -> int:
    """By warehouse and material with the batches behind each; reorder alerts and totals at the end."""

    def rows() -> Iterator[Row]:
        grand: dict[str, Decimal] = defaultdict(Decimal)
        current_wh = current_mat = None
        wh_totals: dict[str, Decimal] = defaultdict(Decimal)
        mat_total = Decimal(0)
        mat_unit = ""
        pending_batches: list[Row] = []

        def close_material() -> Iterator[Row]:
            if current_mat is not None:
                yield Row((current_mat[0], current_mat[1], "", quantity(mat_total, mat_unit), "", ""), "subtotal")
                yield from pending_batches

        for line in data.lines:
            if (line.warehouse_code, line.material_code) != (current_wh, current_mat and current_mat[0]):
                yield from close_material()
                pending_batches = []
                mat_total = Decimal(0)
            if line.warehouse_code != current_wh:
                if current_wh is not None:
                    yield Row((f"Total {current_wh}", "", "", _totals(wh_totals), "", ""), "total")
                current_wh = line.warehouse_code
                wh_totals = defaultdict(Decimal)
                yield Row((f"{line.warehouse_code} — {line.warehouse_name}",), "section")
            current_mat = (line.material_code, line.material_name)
            mat_unit = line.unit
            mat_total += line.quantity
            wh_totals[line.unit] += line.quantity
            grand[line.unit] += line.quantity
            kind = "alert" if line.status == BatchStatus.BLOCKED else "normal"
            pending_batches.append(
                Row(
                    (
                        line.batch_number,
                        "",
                        line.status,
                        quantity(line.quantity, line.unit),
                        day(line.expiry_date),
                        "",
                    ),
                    kind,
                    indent=1,
                )
            )
        yield from close_material()
        if current_wh is not None:
            yield Row((f"Total {current_wh}", "", "", _totals(wh_totals), "", ""), "total")
        yield Row(("Below reorder level",), "section")
        if not data.below_reorder:
            yield Row(("Every material is at or above its reorder level.", "", "", "", "", ""))
        for item in data.below_reorder:
            yield Row(
                (
                    item.material_code,
                    item.material_name,
                    "",
                    quantity(item.material_total, item.unit),
                    "",
                    f"reorder at {quantity(item.reorder_level, item.unit)}",
                ),
                "alert",
            )
        yield Row(("Totals",), "section")
        yield Row(("All warehouses", "", "", _totals(grand), "", f"{len(data.lines)} batch balances"), "total")

    columns = [
        Column("Material / batch", 2.0),
        Column("Name", 3.2),
        Column("Quality", 1.1),
        Column("Quantity", 1.6, "right"),
        Column("Expiry", 1.1),
        Column("Note", 1.8),
    ]
    if not data.lines:
        empty = "There is no stock in the chosen warehouse."
        return write(Report(data.header, columns, lambda: iter(()), empty_message=empty), out)
    return write(Report(data.header, columns, rows, wide=False, progress=progress), out)


# ---------------------------------------------------------------- traceability


NODE_KINDS = {"batch": "Batch", "order": "Order", "supplier": "Supplier", "customer": "Customer"}


def _node_quantity(node: TraceNode) -> str:
    return quantity(node.quantity, node.unit) if node.quantity is not None else ""


def _tree_rows(node: TraceNode, depth: int) -> Iterator[Row]:
    kind = NODE_KINDS[node.kind]
    yield Row(
        (node.label, kind, _node_quantity(node), node.detail), "subtotal" if depth == 0 else "normal", indent=depth
    )
    for child in node.children:
        yield from _tree_rows(child, depth + 1)


def trace(data: TraceReport, out: Out, progress: Progress = None) -> int:
    def rows() -> Iterator[Row]:
        yield Row(("Backward: where it came from",), "section")
        yield from _tree_rows(data.backward, 0)
        yield Row(("Forward: where it went",), "section")
        yield from _tree_rows(data.forward, 0)
        yield Row((f"Movements of batch {data.backward.key}",), "section")
        for m in data.movements:
            where = " → ".join(x for x in (m.from_warehouse, m.to_warehouse) if x)
            order = f" order {m.order_number}" if m.order_number else ""
            yield Row(
                (
                    f"{moment(m.created_at)}  {MovementKind(m.kind).label}  {where}{order}",
                    "",
                    quantity(m.quantity, m.unit),
                    f"{m.username}{' · ' + m.note if m.note else ''}",
                )
            )

    columns = [
        Column("Batch, order, supplier or customer", 5.0),
        Column("Kind", 0.9),
        Column("Quantity", 1.5, "right"),
        Column("Details", 2.8),
    ]
    return write(Report(data.header, columns, rows, wide=True, progress=progress), out)


# ---------------------------------------------------------------- a batch's page


def batch_page(data: BatchPageReport, out: Out, progress: Progress = None) -> int:
    """One batch whole: facts, stock per warehouse, movements, quality history and genealogy with quantities."""
    page, f = data.page, data.page.facts

    def facts() -> Iterator[Row]:
        origin = f"{f.supplier_name} ({f.supplier_code})" if f.supplier_name else f"order {f.order_number}"
        status = BatchStatus(f.status).label + (f": {f.status_reason}" if f.status_reason else "")
        for label, value in (
            ("Material", f"{f.material_code} — {f.material_name}"),
            ("From", origin),
            ("Received" if f.supplier_name else "Produced", f"{moment(f.received_at)}, {quantity(f.made, f.unit)}"),
            ("Expiry", day(f.expiry_date, "none")),
            ("Quality", status),
            ("In stock", quantity(f.in_stock, f.unit)),
        ):
            yield Row((label, value), "note")

    def rows() -> Iterator[Row]:
        yield Row((f"Batch {f.number}",), "section")
        yield from facts()
        yield Row(("Stock by warehouse",), "section")
        if not page.balances:
            yield Row(("", "Used up: no stock left anywhere."))
        for b in page.balances:
            yield Row((b.warehouse_code, "", b.warehouse_name, quantity(b.quantity, b.unit), "", ""))
        if page.balances:
            yield Row(("Total", "", "", quantity(f.in_stock, f.unit), "", ""), "total")
        yield Row(("Movements",), "section")
        for m in page.movements:
            where = " → ".join(x for x in (m.from_warehouse, m.to_warehouse) if x)
            details = " · ".join(x for x in (f"order {m.order_number}" if m.order_number else "", m.note or "") if x)
            yield Row(
                (
                    moment(m.created_at),
                    MovementKind(m.kind).label,
                    where,
                    quantity(m.quantity, m.unit),
                    m.username,
                    details,
                )
            )
        yield Row(("Quality",), "section")
        for step in page.quality:
            kind = "alert" if step.status == BatchStatus.BLOCKED else "normal"
            yield Row(
                (moment(step.occurred_at), BatchStatus(step.status).label, "", "", step.username, step.reason or ""),
                kind,
            )
        for title, tree in (("Where it came from", page.backward), ("Where it went", page.forward)):
            yield Row((title,), "section")
            yield from _genealogy_rows(tree, 0)

    columns = [
        Column("When / what", 4.0),
        Column("Kind", 1.1),
        Column("Where", 1.6),
        Column("Quantity", 1.6, "right"),
        Column("Who", 1.2),
        Column("Details", 3.0),
    ]
    return write(Report(data.header, columns, rows, wide=True, progress=progress), out)


def _genealogy_rows(node: TraceNode, depth: int) -> Iterator[Row]:
    kind = "subtotal" if depth == 0 else "normal"
    yield Row((node.label, NODE_KINDS[node.kind], "", _node_quantity(node), "", node.detail), kind, indent=depth)
    for child in node.children:
        yield from _genealogy_rows(child, depth + 1)


# ---------------------------------------------------------------- production plan


def plan(data: PlanReport, out: Out, progress: Progress = None) -> int:
    def rows() -> Iterator[Row]:
        for queue in data.queues:
            late = sum(1 for o in queue.orders if o.late)
            rate = line_rate(queue.rate_per_hour, queue.rate_unit)
            yield Row(
                (
                    f"{queue.line_code} — {queue.line_name} · {rate} · {len(queue.orders)} queued"
                    + (f" · {late} LATE" if late else ""),
                ),
                "section",
            )
            if not queue.orders:
                yield Row(("", "Nothing planned on this line.", "", "", "", "", "", "", ""))
            for s in queue.orders:
                o = s.order
                yield Row(
                    (
                        str(o.position),
                        o.number,
                        o.customer_name,
                        o.product_spec,
                        quantity(o.quantity, o.unit),
                        day(o.due_date),
                        moment(s.estimated_start),
                        moment(s.estimated_end),
                        "LATE" if s.late else ("running" if OrderStatus(o.status).is_running else ""),
                    ),
                    "alert" if s.late else "normal",
                )

    columns = [
        Column("#", 0.4, "right"),
        Column("Order", 1.4),
        Column("Customer", 2.4),
        Column("Product", 3.0),
        Column("Quantity", 1.3, "right"),
        Column("Due", 1.0),
        Column("Est. start", 1.4),
        Column("Est. end", 1.4),
        Column("", 0.7),
    ]
    return write(
        Report(data.header, columns, rows, wide=True, progress=progress, empty_message="There is no production line."),
        out,
    )


# ---------------------------------------------------------------- events


def events(data: EventsReport, out: Out, progress: Progress = None) -> int:
    def rows() -> Iterator[Row]:
        for e in data.rows():
            yield Row((moment(e.occurred_at), e.username, e.about(), e.action.replace("_", " "), e.summary))

    columns = [
        Column("When", 1.3),
        Column("User", 1.1),
        Column("About", 1.2),
        Column("Action", 1.1),
        Column("Summary", 7.0),
    ]
    return write(
        Report(
            data.header,
            columns,
            rows,
            wide=True,
            progress=progress,
            empty_message="No events in this date range match these filters.",
        ),
        out,
    )


# ---------------------------------------------------------------- customer


def customer(data: CustomerReport, out: Out, progress: Progress = None) -> int:
    c = data.customer

    def rows() -> Iterator[Row]:
        yield Row((f"{c.code} — {c.name}" + (" (archived)" if c.archived else ""),), "section")
        for label, value in (
            ("Contact", c.contact),
            ("E-mail", c.email),
            ("Phone", c.phone),
            ("Address", c.address),
            ("Tax id", c.tax_id),
            ("Notes", c.notes),
        ):
            if value:
                yield Row((label, value.replace("\n", " ")), "note")
        yield Row((f"Orders: {c.total_orders} in all, {c.open_orders} open",), "section")
        if not data.orders:
            yield Row(("", "This customer has no orders."))
        by_status: dict[str, int] = defaultdict(int)
        for o in data.orders:
            by_status[o.status] += 1
            yield Row(
                (
                    o.number,
                    o.product_spec,
                    quantity(o.quantity, o.unit),
                    day(o.due_date),
                    OrderStatus(o.status).label,
                    o.line_code or "",
                ),
                "alert" if o.status == OrderStatus.CANCELLED else "normal",
            )
        if data.orders:
            summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(by_status.items()))
            yield Row(("Total", summary, "", "", "", ""), "total")

    columns = [
        Column("Order", 1.6),
        Column("Product", 3.4),
        Column("Quantity", 1.4, "right"),
        Column("Due", 1.1),
        Column("Status", 1.1),
        Column("Line", 1.2),
    ]
    return write(Report(data.header, columns, rows, progress=progress), out)
