"""The plant's reports, laid out from the data `app.reporting` gathers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from itertools import groupby
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from app.dto import ScheduledOrder, StockLine, TraceNode
from app.formatting import day, moment, quantity, span
from app.formatting import rate as line_rate
from app.reporting import (
    BatchPageReport,
    CustomerReport,
    EventsReport,
    InventoryReport,
    PlanReport,
    RecallReport,
    RequirementsReport,
    TraceReport,
)
from domain.vocabulary import BatchStatus, Cover, LateCause, MovementKind, OrderStatus, batch_usable
from reports.layout import MARGIN, Column, Report, Row, write
from reports.schedule import draw_schedule

Out = str | BinaryIO
Progress = Callable[[int], None] | None


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _totals(amounts: dict[str, Decimal]) -> str:
    return ", ".join(quantity(amount, unit) for unit, amount in sorted(amounts.items())) or "0"


# ---------------------------------------------------------------- inventory


def _held_apart(usable: Decimal, on_hold: Decimal, unit: str) -> str:
    return f"usable {quantity(usable, unit)} · on hold {quantity(on_hold, unit)}"


def _quality(status: str, expiry: date | None, today: date) -> str:
    """A batch's quality as the report says it; an expired batch is on hold whatever its status."""
    if expiry is not None and expiry < today:
        return f"{BatchStatus(status).label}, expired"
    return BatchStatus(status).label


def _material_summary(data: InventoryReport) -> Iterator[Row]:
    """One row per material, at zero too: its stock in the warehouses printed, usable and on hold apart."""
    yield Row(("Stock per material",), "section")
    for m in data.materials:
        note = _held_apart(m.usable, m.on_hold, m.unit)
        if m.below_reorder:
            note += f" · below the reorder level of {quantity(m.reorder_level, m.unit)}"
        if m.value:
            note += f" · worth {m.value:,.2f} {data.currency}"
        yield Row(
            (m.material_code, m.material_name, "", quantity(m.quantity, m.unit), "", note),
            "alert" if m.below_reorder else "normal",
        )


def _batch_row(line: StockLine, today: date) -> Row:
    usable = batch_usable(line.status, line.expiry_date, today)
    return Row(
        (
            line.batch_number,
            "",
            _quality(line.status, line.expiry_date, today),
            quantity(line.quantity, line.unit),
            day(line.expiry_date),
            "" if usable else "on hold",
        ),
        "alert" if line.status == BatchStatus.BLOCKED else "normal",
        indent=1,
    )


def _below_reorder(data: InventoryReport) -> Iterator[Row]:
    yield Row(("Below reorder level",), "section")
    if not data.below_reorder:
        yield Row(("Every material is at or above its reorder level.",), "remark")
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


def _inventory_totals(data: InventoryReport, grand: dict[str, Decimal]) -> Iterator[Row]:
    yield Row(("Totals",), "section")
    usable: dict[str, Decimal] = defaultdict(Decimal)
    held: dict[str, Decimal] = defaultdict(Decimal)
    for m in data.materials:
        usable[m.unit] += m.usable
        held[m.unit] += m.on_hold
    at_zero = sum(1 for m in data.materials if not m.quantity)
    yield Row(("All warehouses", "", "", _totals(grand), "", f"{len(data.lines)} batch balances"), "total")
    yield Row(("Usable", "approved and unexpired", "", _totals(usable), "", ""), "subtotal")
    yield Row(("On hold", "pending, blocked or expired", "", _totals(held), "", ""), "subtotal")
    yield Row(("Materials", f"{len(data.materials)} in all, {at_zero} with no stock", "", "", "", ""), "subtotal")
    valued = [m for m in data.materials if m.value is not None]
    if valued:
        worth = sum((m.value or Decimal(0) for m in valued), Decimal("0.00"))
        unpriced = len(data.materials) - len(valued)
        yield Row(
            (
                "Value",
                "at the last purchase prices",
                "",
                f"{worth:,.2f} {data.currency}",
                "",
                f"{unpriced} materials never priced" if unpriced else "",
            ),
            "subtotal",
        )


def _by_warehouse(data: InventoryReport, today: date, grand: dict[str, Decimal]) -> Iterator[Row]:
    """Each warehouse, each material in it with its subtotal, the batches behind it; adds to `grand`."""
    for warehouse, in_store in groupby(data.lines, key=lambda line: (line.warehouse_code, line.warehouse_name)):
        yield Row((f"{warehouse[0]} — {warehouse[1]}",), "section")
        store_totals: dict[str, Decimal] = defaultdict(Decimal)
        for material, of_material in groupby(in_store, key=lambda line: (line.material_code, line.material_name)):
            batches = list(of_material)
            unit = batches[0].unit
            subtotal = sum((b.quantity for b in batches), Decimal(0))
            store_totals[unit] += subtotal
            grand[unit] += subtotal
            yield Row((material[0], material[1], "", quantity(subtotal, unit), "", ""), "subtotal")
            yield from (_batch_row(line, today) for line in batches)
        yield Row((f"Total {warehouse[0]}", "", "", _totals(store_totals), "", ""), "total")


def inventory(data: InventoryReport, out: Out, progress: Progress = None) -> int:
    """Each material's totals; by warehouse and material with the batches behind each; reorder alerts; totals."""
    today = data.header.printed_at.astimezone().date()

    def rows() -> Iterator[Row]:
        grand: dict[str, Decimal] = defaultdict(Decimal)
        yield from _material_summary(data)
        yield from _by_warehouse(data, today, grand)
        yield from _below_reorder(data)
        yield from _inventory_totals(data, grand)

    columns = [
        Column("Material / batch", 2.0),
        Column("Name", 3.0),
        Column("Quality", 1.3),
        Column("Quantity", 1.6, "right"),
        Column("Expiry", 1.1),
        Column("Note", 2.2),
    ]
    if not data.lines and not data.materials:
        empty = "There is no stock in the chosen warehouse, and no material."
        return write(Report(data.header, columns, lambda: iter(()), empty_message=empty), out)
    return write(Report(data.header, columns, rows, wide=False, progress=progress), out)


# ---------------------------------------------------------------- traceability


NODE_KINDS = {
    "batch": "Batch",
    "order": "Order",
    "supplier": "Supplier",
    "customer": "Customer",
    "delivery": "Delivery",
}


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
            yield Row((f"{label}: {value}",), "remark")

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


def _why(s: ScheduledOrder) -> str:
    """Under an order of the plan: why it is late, how far a running order is past its estimate, a shortage."""
    said = []
    if s.overrun:
        said.append(f"running {span(s.overrun)} past its estimate")
    if s.late_cause:
        said.append(f"late: {LateCause(s.late_cause).label}")
    if s.shortage:
        said.append(s.shortage)
    return f"{s.order.number} — " + "; ".join(said) if said else ""


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
                        f"{o.product_code} {o.product_name}",
                        quantity(o.quantity, o.unit),
                        day(o.due_date),
                        moment(s.estimated_start),
                        moment(s.estimated_end),
                        "LATE" if s.late else ("running" if OrderStatus(o.status).is_running else ""),
                    ),
                    "alert" if s.late else "normal",
                )
                why = _why(s)
                if why:
                    yield Row((why,), "remark")

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

    def schedule_page(canvas: Canvas, header: Callable[[int], float]) -> None:
        top = header(1)
        width = canvas._pagesize[0]
        draw_schedule(canvas, data.queues, data.header.printed_at, (MARGIN, MARGIN + 12, width - MARGIN, top))
        canvas.showPage()

    report = Report(
        data.header,
        columns,
        rows,
        wide=True,
        progress=progress,
        empty_message="There is no production line.",
        lead=schedule_page,
        lead_pages=1,
    )
    return write(report, out)


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
                    f"{o.product_code} {o.product_name}",
                    quantity(o.quantity, o.unit),
                    day(o.due_date),
                    OrderStatus(o.status).label,
                    o.line_code or "",
                ),
                "alert" if o.status == OrderStatus.CANCELLED else "normal",
            )
        if data.orders:
            summary = ", ".join(f"{OrderStatus(k).label} {v}" for k, v in sorted(by_status.items()))
            yield Row(("Total", summary, "", "", "", ""), "total")
        yield Row((f"Deliveries: {len(data.deliveries)}",), "section")
        if not data.deliveries:
            yield Row(("", "Nothing has been delivered to this customer."))
        sent: dict[str, Decimal] = defaultdict(Decimal)
        for d in data.deliveries:
            sent[d.unit] += d.quantity
            yield Row(
                (
                    d.number,
                    f"order {d.order_number} · {d.product_code} · {d.lines} line{'s' if d.lines != 1 else ''}",
                    quantity(d.quantity, d.unit),
                    day(d.delivered_at.astimezone().date()),
                    "delivered",
                    d.username,
                )
            )
        if data.deliveries:
            yield Row(("Total delivered", _totals(sent), "", "", "", ""), "total")

    columns = [
        Column("Order", 1.6),
        Column("Product", 3.4),
        Column("Quantity", 1.4, "right"),
        Column("Due", 1.1),
        Column("Status", 1.1),
        Column("Line", 1.2),
    ]
    return write(Report(data.header, columns, rows, progress=progress), out)


# ---------------------------------------------------------------- recall


def recall(data: RecallReport, out: Out, progress: Progress = None) -> int:
    """Who got anything made from one batch: the customers to call, every delivery, and what to hold back."""
    r = data.recall

    def rows() -> Iterator[Row]:
        yield Row(
            (
                f"Batch {r.batch_number} — {r.material_name}, from {r.origin}: followed through "
                f"{_count(r.orders_reached, 'order')} to {_count(r.batches_reached, 'batch', 'batches')} made from it",
            ),
            "section",
        )
        yield Row((f"Customers to contact: {len(r.customers)}",), "section")
        if not r.customers:
            yield Row(("Nothing made from this batch has left the plant.",))
        for c in r.customers:
            amounts = ", ".join(quantity(q, unit) for unit, q in c.amounts)
            reach = " · ".join(x for x in (c.contact, c.phone, c.email) if x)
            yield Row(
                (
                    f"{c.code} — {c.name}",
                    reach,
                    _count(c.deliveries, "delivery", "deliveries"),
                    amounts,
                    day(c.last_delivered_at.astimezone().date()),
                ),
                "alert",
            )
        yield Row((f"Deliveries: {_count(len(r.deliveries), 'line')}",), "section")
        for d in r.deliveries:
            yield Row(
                (
                    f"{d.delivery_number} → {d.customer_name}",
                    f"order {d.order_number} · batch {d.batch_number} ({d.material_name})",
                    _count(d.steps, "step") + " on",
                    quantity(d.quantity, d.unit),
                    day(d.delivered_at.astimezone().date()),
                )
            )
        yield Row((f"Still in the plant: {len(r.in_plant)} balance(s)",), "section")
        if not r.in_plant:
            yield Row(("Nothing made from this batch is in stock.",))
        for s in r.in_plant:
            yield Row(
                (
                    f"{s.batch_number} — {s.material_name}",
                    f"in {s.warehouse_code}",
                    BatchStatus(s.status).label,
                    quantity(s.quantity, s.unit),
                    "",
                ),
                "alert" if s.status == BatchStatus.APPROVED else "normal",
            )

    columns = [
        Column("Customer, delivery or batch", 3.2),
        Column("Contact / what", 4.0),
        Column("", 1.3),
        Column("Quantity", 1.5, "right"),
        Column("Date", 1.1),
    ]
    return write(Report(data.header, columns, rows, wide=True, progress=progress), out)


# ---------------------------------------------------------------- material requirements


def _delays(orders: tuple[str, ...], most: int = 6) -> str:
    shown = ", ".join(orders[:most])
    return f"{shown} and {len(orders) - most} more" if len(orders) > most else shown


def requirements(data: RequirementsReport, out: Out, progress: Progress = None) -> int:
    """Each material the open orders need, the shortages first: when it bites, how much, what to buy from whom."""
    found = data.requirements

    def rows() -> Iterator[Row]:
        for cover, group in groupby(found.materials, key=lambda r: r.cover):
            kind = Cover(cover)
            members = list(group)
            yield Row((f"{kind.label.capitalize()} — {_count(len(members), 'material')}",), "section")
            for r in members:
                unit = r.unit
                yield Row(
                    (
                        f"{r.material_code} {r.material_name}",
                        day(r.bites_on),
                        quantity(r.short, unit) if r.short else "",
                        quantity(r.needed, unit),
                        quantity(r.stock, unit),
                        quantity(r.pending, unit) if r.pending else "",
                        quantity(r.ordered, unit) if r.ordered else "",
                        quantity(r.proposed, unit) if r.proposed else "",
                        r.supplier_code or ("—" if r.short else ""),
                        _delays(r.delays),
                    ),
                    "alert" if kind is Cover.SHORT else "normal",
                )
        if found.without_recipe:
            yield Row((f"Open orders whose product has no recipe: {_delays(found.without_recipe, 20)}",), "remark")

    columns = [
        Column("Material", 3.0),
        Column("Short from", 1.0),
        Column("Short", 1.4, "right"),
        Column("Needed", 1.4, "right"),
        Column("Usable stock", 1.4, "right"),
        Column("Waiting for release", 1.3, "right"),
        Column("On order", 1.3, "right"),
        Column("Propose to buy", 1.4, "right"),
        Column("From", 0.9),
        Column("Orders it would delay", 2.6),
    ]
    return write(
        Report(data.header, columns, rows, wide=True, progress=progress, empty_message="No open order needs anything."),
        out,
    )
