"""Labels and reports from the demo plant, read back: text, numbers, barcodes, fonts, pages."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text

from app import queries as q
from app import reporting
from app import services as s
from app.context import Context
from app.demo import load_demo
from app.errors import NotFound, PermissionDenied, ValidationError
from app.permissions import Role
from app.security import CurrentUser
from domain.vocabulary import LateCause
from reports import documents
from reports.labels import labels_pdf, labels_zpl, qr_payload


@pytest.fixture
def demo(admin: Context) -> Context:
    load_demo(admin.database, events=4000)
    return admin


def as_role(ctx: Context, role: Role) -> Context:
    return Context(ctx.database, CurrentUser(None, role.label, role.label.title(), role))


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def render(path: Path, tmp: Path, page: int = 1, dpi: int = 300) -> Image.Image:
    prefix = tmp / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(path), str(prefix)],
        check=True,
    )
    return Image.open(f"{prefix}.png")


def numbers_with(ctx: Context, condition: str, limit: int = 1) -> list[str]:
    with ctx.database.engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(text(f"SELECT number FROM batches WHERE {condition} ORDER BY number LIMIT {limit}"))
        ]


def test_labels_carry_their_batch_in_text_and_barcodes(demo: Context, tmp_path: Path) -> None:
    numbers = (
        numbers_with(demo, "status = 'approved' AND supplier_id IS NOT NULL")
        + numbers_with(demo, "status = 'blocked'")
        + numbers_with(demo, "production_order_id IS NOT NULL")
    )
    labels = reporting.batch_labels(demo, numbers)
    out = tmp_path / "labels.pdf"
    assert labels_pdf(labels, str(out)) == 3
    pages = pdf_text(out)
    for label, page_text in zip(labels, pages, strict=True):
        assert label.number in page_text and label.material_name in page_text
        assert ("APPROVED" in page_text) == (label.status == "approved")
    assert "BLOCKED — DO NOT USE" in pages[1]
    for i, label in enumerate(labels, start=1):
        found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(render(out, tmp_path, i))}
        assert ("Code128", label.number) in found, found
        assert ("QRCode", qr_payload(label)) in found, found
    assert_fonts_embedded(out)


def assert_fonts_embedded(path: Path) -> None:
    """Every font on every page is a TrueType font carried inside the PDF (DejaVu), none left to the printer."""
    for page in PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            assert "DejaVu" in str(font["/BaseFont"]), font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_polish_and_cyrillic_print(demo: Context, tmp_path: Path) -> None:
    s.create_material(demo.uow(), code="ŻÓŁW-1", name="Granulat żółty – Жовтий", kind="granulate", unit="kg")
    s.receive_batch(
        demo.uow(), number="ŁÓDŹ-ПАРТІЯ-1", material="ŻÓŁW-1", supplier="BASELL", quantity=5, warehouse="MAG-1"
    )
    out = tmp_path / "label.pdf"
    labels_pdf(reporting.batch_labels(demo, ["ŁÓDŹ-ПАРТІЯ-1"]), str(out))
    page = pdf_text(out)[0]
    assert "Granulat żółty – Жовтий" in page and "ŁÓDŹ-ПАРТІЯ-1" in page
    assert "PENDING — DO NOT USE" in page


def test_reportlab_runs_on_its_c_accelerators() -> None:
    """Every coordinate of a label goes through reportlab's number formatting and every page through its
    stream encoding: rl-accel does both in C, with the same output, in a fraction of the time."""
    from reportlab.lib import rl_accel

    assert rl_accel.fp_str.__module__ == "_rl_accel"
    assert rl_accel.asciiBase85Encode.__module__ == "_rl_accel"


def test_a4_sheet_and_zpl(demo: Context, tmp_path: Path) -> None:
    numbers = numbers_with(demo, "1 = 1", 23)
    labels = reporting.batch_labels(demo, numbers)
    out = tmp_path / "sheet.pdf"
    assert labels_pdf(labels, str(out), sheet=True) == 3  # ten to a sheet
    reader = PdfReader(str(out))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    assert sum(page.count(label.number) for page in pdf_text(out) for label in labels[:10]) >= 10
    zpl = labels_zpl(labels)
    assert zpl.count("^XA") == zpl.count("^XZ") == 23
    assert all(f"^FD{n}^FS" in zpl for n in numbers)
    tricky = labels_zpl([labels[0].__class__(**{**labels[0].__dict__, "material_name": "50% ^PE~_x"})])
    assert "^FD50% _5EPE_7E_5Fx^FS" in tricky  # ^ and ~ would end the field


def test_label_refusals(demo: Context) -> None:
    with pytest.raises(ValidationError, match="Select at least one batch"):
        reporting.batch_labels(demo, [])
    with pytest.raises(NotFound, match="There is no batch NOPE-1"):
        reporting.batch_labels(demo, [numbers_with(demo, "1 = 1")[0], "NOPE-1"])
    with pytest.raises(PermissionDenied, match="Only a clerk or above may print batch labels"):
        reporting.batch_labels(as_role(demo, Role.VIEWER), numbers_with(demo, "1 = 1"))


def _quantities(page_texts: list[str], unit: str) -> Decimal:
    """Sum the batch lines' quantities in one unit, as printed (each cell comes out as its own line)."""
    total = Decimal(0)
    batch = re.compile(r"^(R\d{4}-\d{5}|PO-\d{4}-\d{5}-\d{3})$")
    amount = re.compile(r"^([\d,]+(?:\.\d+)?) " + re.escape(unit) + r"$")
    for page in page_texts:
        cells = [c.strip() for c in page.splitlines()]
        for i, cell in enumerate(cells):
            if batch.match(cell):
                for following in cells[i + 1 : i + 4]:
                    found = amount.match(following)
                    if found:
                        total += Decimal(found.group(1).replace(",", ""))
                        break
    return total


def test_inventory_report_adds_up_to_the_database(demo: Context, tmp_path: Path) -> None:
    out = tmp_path / "inventory.pdf"
    pages = documents.inventory(reporting.inventory_report(demo), str(out))
    texts = pdf_text(out)
    assert len(texts) == pages > 3
    for number, page in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in page
        assert "Material / batch" in page and "Printed by" in page  # header and table heading on every page
    with demo.database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.unit, SUM(b.quantity) FROM stock_balances b JOIN batches x ON x.id = "
                "b.batch_id JOIN materials m ON m.id = x.material_id GROUP BY m.unit"
            )
        ).all()
    scale = Decimal(1000) if demo.database.is_sqlite else Decimal(1)
    for unit, amount in rows:
        assert _quantities(texts, unit) == Decimal(amount) / scale, unit
    assert "Below reorder level" in "".join(texts) and "All warehouses" in texts[-1]
    assert_fonts_embedded(out)


def test_trace_plan_events_and_customer_reports(demo: Context, tmp_path: Path) -> None:
    number = numbers_with(demo, "production_order_id IS NOT NULL")[0]
    out = tmp_path / "trace.pdf"
    documents.trace(reporting.trace_report(demo, number), str(out))
    body = "".join(pdf_text(out))
    assert "Backward: where it came from" in body and "Supplier " in body and "Customer " in body
    assert f"Movements of batch {number}" in body and "output" in body

    out = tmp_path / "plan.pdf"
    documents.plan(reporting.plan_report(demo), str(out))
    body = "".join(pdf_text(out))
    late = sum(1 for queue in q.line_queues(demo.reader()) for o in queue.orders if o.late)
    assert late > 0
    assert sum(1 for cell in body.splitlines() if cell.strip() == "LATE") == late  # one mark per late order
    # the first page is the schedule: every line along the week, now, overruns and overloaded days marked
    queues = q.line_queues(demo.reader())
    schedule = pdf_text(out)[0]
    assert all(queue.line_code in schedule for queue in queues)
    assert "now " in schedule and "running past its estimate" in schedule
    overrunning = [o for queue in queues for o in queue.orders if o.overrun]
    assert overrunning and all(f"{o.order.number} +" in schedule for o in overrunning)
    assert ("overloaded" in schedule.replace("overloaded day", "")) == any(
        d.overloaded for queue in queues for d in queue.loads[:7]
    )
    assert "Est. start" not in schedule and "Est. start" in pdf_text(out)[1]
    listed = "".join(pdf_text(out)[1:])
    for o in (o for queue in queues for o in queue.orders if o.late_cause):  # each late order says why
        assert f"{o.order.number} — " in listed and f"late: {LateCause(o.late_cause).label}" in listed

    out = tmp_path / "events.pdf"
    documents.events(reporting.events_report(demo, q.EventFilter(action="blocked")), str(out))
    blocked = q.events(demo.reader(), q.EventFilter(action="blocked")).total
    assert "".join(pdf_text(out)).count("Blocked batch") == blocked > 0

    out = tmp_path / "empty.pdf"
    flt = q.EventFilter(date_from=q.date(2001, 1, 1), date_to=q.date(2001, 1, 31))
    documents.events(reporting.events_report(demo, flt), str(out))
    assert "No events in this date range match these filters." in pdf_text(out)[0]

    out = tmp_path / "customer.pdf"
    documents.customer(reporting.customer_report(demo, "C-045"), str(out))
    body = "".join(pdf_text(out))
    orders = q.orders(demo.reader(), q.OrderFilter(customer="C-045")).total
    assert "ТОВ «Львівпак»" in body and f"Orders: {orders} in all" in body
    with pytest.raises(NotFound, match="no customer “C-999”"):
        reporting.customer_report(demo, "C-999")


def test_the_dashboard_prints_the_screens_figures_on_two_pages(demo: Context, tmp_path: Path) -> None:
    from reports import dashboard as printed

    manager = as_role(demo, Role.MANAGER)
    data = reporting.dashboard_report(manager)
    out = tmp_path / "dashboard.pdf"
    assert printed.dashboard(data, str(out)) == 2
    first, second = pdf_text(out)
    board = data.dashboard
    for title, figure, detail, _alarming in printed.tiles(board):
        assert title in first and figure in first and detail in first
    assert f"Alerts ({board.alerts().total})" in first
    for line in board.lines.lines:
        assert line.code in first and f"{line.code} · " in second  # the lines table, and each line's chart
    assert "Below reorder level (2)" in second and "CORE-152" in second
    for entry in board.journal.entries[:5]:
        assert entry.summary[:40] in second.replace("\n", " ")
    assert_fonts_embedded(out)
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    for page in (1, 2):  # to look at beside the dashboard's screenshot
        render(out, tmp_path, page, dpi=90).save(artifacts / f"dashboard-{demo.database.backend}-{page}.png")
    with pytest.raises(PermissionDenied, match="Only a manager or above may print every report"):
        reporting.dashboard_report(as_role(demo, Role.PLANNER))


def test_report_roles(demo: Context) -> None:
    viewer, manager = as_role(demo, Role.VIEWER), as_role(demo, Role.MANAGER)
    reporting.inventory_report(viewer)
    reporting.plan_report(viewer)
    for call in (
        lambda: reporting.trace_report(viewer, "x"),
        lambda: reporting.events_report(viewer, q.EventFilter()),
        lambda: reporting.customer_report(viewer, "C-001"),
    ):
        with pytest.raises(PermissionDenied, match="Only a manager or above may print every report"):
            call()
    reporting.events_report(manager, q.EventFilter())


def test_the_inventory_report_shows_materials_at_zero_and_cuts_no_text(demo: Context, tmp_path: Path) -> None:
    s.create_material(demo.uow(), code="INK-NEW", name="Ink never bought", kind="ink", unit="kg", reorder_level=25)
    data = reporting.inventory_report(demo)
    zero = next(m for m in data.materials if m.material_code == "INK-NEW")
    assert zero.quantity == 0 and zero.below_reorder and zero in data.below_reorder
    assert all(m.usable + m.on_hold == m.quantity for m in data.materials)
    out = tmp_path / "inventory.pdf"
    pages = documents.inventory(data, str(out))
    texts = pdf_text(out)
    body = "".join(texts)
    assert "…" not in body  # nothing shortened
    assert "Ink never bought" in body and "0.000 kg" in body and "reorder at 25.000 kg" in body
    last = texts[-1]
    assert "Totals" in last and "Usable" in last and "On hold" in last
    grand = sum((m.quantity for m in data.materials if m.unit == "kg"), Decimal(0))
    assert f"{grand:,.3f} kg," in last  # the whole total, wrapped, not cut
    assert f"{len(data.lines)} batch balances" in last
    render(out, tmp_path, pages, dpi=60).save(tmp_path / "last-page.png")


def test_the_delivery_note_carries_every_batch_and_its_number_as_code128(demo: Context, tmp_path: Path) -> None:
    from reports import delivery_note

    number = q_delivery_with_most_lines(demo)
    note = reporting.delivery_note(demo, number)
    out = tmp_path / "delivery.pdf"
    assert delivery_note.write(note, str(out)) == 1
    body = pdf_text(out)[0]
    assert "Delivery note" in body and number in body
    assert note.customer.name in body and note.order.number in body
    for line in note.lines:
        assert line.batch_number in body
    assert len(note.lines) >= 2
    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(render(out, tmp_path, 1))}
    assert ("Code128", number) in found, found
    assert_fonts_embedded(out)
    with pytest.raises(PermissionDenied, match="Only a clerk or above may deliver"):
        reporting.delivery_note(as_role(demo, Role.VIEWER), number)
    with pytest.raises(ValidationError, match="no delivery “D-1999-00001”"):
        reporting.delivery_note(demo, "D-1999-00001")


def q_delivery_with_most_lines(ctx: Context) -> str:
    with ctx.database.engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT d.number FROM deliveries d JOIN delivery_lines l ON l.delivery_id = d.id "
                    "GROUP BY d.id, d.number ORDER BY COUNT(*) DESC, d.number LIMIT 1"
                )
            ).scalar_one()
        )


def test_the_recall_report_answers_who_got_anything_made_from_a_batch(demo: Context, tmp_path: Path) -> None:
    (granulate,) = numbers_with(demo, "number LIKE 'R%-00315'")
    data = reporting.recall_report(demo, granulate)
    assert len(data.recall.customers) >= 3 and max(d.steps for d in data.recall.deliveries) >= 4
    out = tmp_path / "recall.pdf"
    documents.recall(data, str(out))
    body = "".join(pdf_text(out))
    assert f"who got anything made from batch {granulate}" in body
    assert f"Customers to contact: {len(data.recall.customers)}" in body
    for customer in data.recall.customers:
        assert customer.name in body
    for delivery in data.recall.deliveries:
        assert delivery.delivery_number in body
    with pytest.raises(PermissionDenied, match="Only a manager or above"):
        reporting.recall_report(as_role(demo, Role.CLERK), granulate)


def test_the_customer_and_trace_reports_show_deliveries(demo: Context, tmp_path: Path) -> None:
    number = q_delivery_with_most_lines(demo)
    note = reporting.delivery_note(demo, number)
    out = tmp_path / "customer.pdf"
    documents.customer(reporting.customer_report(demo, note.customer.code), str(out))
    body = "".join(pdf_text(out))
    assert number in body and "Total delivered" in body
    out = tmp_path / "trace.pdf"
    documents.trace(reporting.trace_report(demo, note.lines[0].batch_number), str(out))
    body = "".join(pdf_text(out))
    assert f"Delivery {number}" in body and f"Customer {note.customer.name}" in body and "delivery" in body
