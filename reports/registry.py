"""Every report once: its key, title, who may print it, what it asks for, where its data comes
from and which writer lays it out. The client's Reports menu and report dialog and the
`mpsystem report` command all read this list, so a new report is one entry here.

Titles, labels and hints are English source text marked for Qt's translator (the client shows
them translated); the command line prints them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from domain.vocabulary import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from app import reporting
    from app.context import Context

CONTEXT = "Report"  # the translation context of everything marked here


class Kind(StrEnum):
    """What a parameter asks for, and so which field the dialog shows for it."""

    WAREHOUSE = "warehouse"  # a warehouse code, picked from the plant's warehouses
    LINE = "line"  # a production line code
    BATCH = "batch"  # a batch number, typed or scanned
    DELIVERY = "delivery"  # a delivery number, typed or scanned
    PURCHASE_ORDER = "purchase_order"  # a purchase order number, typed or scanned
    CUSTOMER = "customer"  # a customer code
    DATE_RANGE = "date range"  # two optional days, from and up to
    TEXT = "text"  # free text


PICKED = frozenset({Kind.WAREHOUSE, Kind.LINE, Kind.CUSTOMER})  # chosen from a list rather than typed


@dataclass(frozen=True)
class Parameter:
    """One thing a report asks for.

    Its value is a string, or None when left out; a date range's is a (from, up to) pair of
    optional days. On the command line it is `--NAME`, a date range `--from` and `--to`.
    """

    name: str
    kind: Kind
    label: str
    required: bool = False
    help: str = ""  # the command line's help, after "REPORT: "; a date range's follows "from" and "up to"
    hint: str = ""  # an optional picker's "no restriction" entry, or a text field's placeholder
    value_name: str = ""  # how the command line's message names a required value: NUMBER, CODE
    positional: bool = False  # given on the command line right after the report's key: `report delivery NUMBER`

    def options(self) -> tuple[str, ...]:
        if self.positional:
            return ()
        return ("--from", "--to") if self.kind is Kind.DATE_RANGE else (f"--{self.name}",)

    def dests(self) -> tuple[str, ...]:
        """Where argparse keeps each option's value (a positional one: the command's `subject`)."""
        if self.positional:
            return (SUBJECT,)
        return (f"{self.name}_from", f"{self.name}_to") if self.kind is Kind.DATE_RANGE else (self.name,)


SUBJECT = "subject"  # the command line's one positional value after a report's key


Values = Mapping[str, Any]


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    permission: str  # app.permissions: who may print it (app.reporting checks the same before reading)
    parameters: tuple[Parameter, ...]
    gather: Callable[[Context, Values], Any]  # reads and checks the data (app.reporting), on a worker
    write: Callable[..., int]  # lays it out as PDF (reports.documents): (data, path, progress) -> pages

    def missing(self, values: Values) -> Parameter | None:
        """The first required parameter left out."""
        return next((p for p in self.parameters if p.required and not values.get(p.name)), None)


def _writer(name: str) -> Callable[..., int]:
    """The writer `reports.<module>.<function>`, imported when a report is first written.

    The command line builds its parser from this list and the client its menus: neither needs
    reportlab and the queries until someone prints.
    """
    module, _, function = name.partition(".")

    def write(*args: Any, **kwargs: Any) -> int:
        from reports import dashboard, delivery_note, documents, purchase_order

        modules = {
            "dashboard": dashboard,
            "delivery_note": delivery_note,
            "documents": documents,
            "purchase_order": purchase_order,
        }
        return int(getattr(modules[module], function)(*args, **kwargs))

    write.__name__ = write.__qualname__ = function
    return write


def _inventory(ctx: Context, values: Values) -> reporting.InventoryReport:
    from app import reporting

    return reporting.inventory_report(ctx, values.get("warehouse"))


def _batch(ctx: Context, values: Values) -> reporting.BatchPageReport:
    from app import reporting

    return reporting.batch_page_report(ctx, values["batch"])


def _plan(ctx: Context, values: Values) -> reporting.PlanReport:
    from app import reporting

    return reporting.plan_report(ctx, values.get("line"))


def _trace(ctx: Context, values: Values) -> reporting.TraceReport:
    from app import reporting

    return reporting.trace_report(ctx, values["batch"])


def _events(ctx: Context, values: Values) -> reporting.EventsReport:
    from app import queries as q
    from app import reporting

    start, end = values.get("date") or (None, None)
    flt = q.EventFilter(
        date_from=start,
        date_to=end,
        username=values.get("user"),
        entity_type=values.get("entity"),
        action=values.get("action"),
        text=values.get("text"),
    )
    return reporting.events_report(ctx, flt)


def _customer(ctx: Context, values: Values) -> reporting.CustomerReport:
    from app import reporting

    return reporting.customer_report(ctx, values["customer"])


def _dashboard(ctx: Context, values: Values) -> reporting.DashboardReport:
    from app import reporting

    return reporting.dashboard_report(ctx)


def _delivery(ctx: Context, values: Values) -> reporting.DeliveryNote:
    from app import reporting

    return reporting.delivery_note(ctx, values["delivery"])


def _recall(ctx: Context, values: Values) -> reporting.RecallReport:
    from app import reporting

    return reporting.recall_report(ctx, values["batch"])


def _requirements(ctx: Context, values: Values) -> reporting.RequirementsReport:
    from app import reporting

    return reporting.requirements_report(ctx)


def _purchase_order(ctx: Context, values: Values) -> reporting.PurchaseOrderDocument:
    from app import reporting

    return reporting.purchase_order_document(ctx, values["purchase_order"])


def _label(text: str) -> str:
    return QT_TRANSLATE_NOOP(CONTEXT, text)


BATCH = Parameter(  # the one parameter of every report about a batch
    "batch",
    Kind.BATCH,
    _label("Batch"),
    required=True,
    help="the batch number",
    hint=_label("scan or type the batch number"),
    value_name="NUMBER",
)

REPORTS: tuple[Report, ...] = (
    Report(
        "inventory",
        _label("Inventory"),
        "print.view",
        (
            Parameter(
                "warehouse",
                Kind.WAREHOUSE,
                _label("Warehouse"),
                help="only this warehouse",
                hint=_label("all warehouses"),
            ),
        ),
        _inventory,
        _writer("documents.inventory"),
    ),
    Report(
        "plan",
        _label("Production plan"),
        "print.view",
        (Parameter("line", Kind.LINE, _label("Line"), help="only this line", hint=_label("all lines")),),
        _plan,
        _writer("documents.plan"),
    ),
    Report(
        "trace",
        _label("Batch traceability"),
        "report.all",
        (BATCH,),
        _trace,
        _writer("documents.trace"),
    ),
    Report(
        "batch",
        _label("Batch page"),
        "print.view",
        (BATCH,),
        _batch,
        _writer("documents.batch_page"),
    ),
    Report(
        "events",
        _label("Event journal"),
        "report.all",
        (
            Parameter("date", Kind.DATE_RANGE, _label("Dates"), help="this day"),
            Parameter("user", Kind.TEXT, _label("User"), help="by this user", hint=_label("anyone (a user name)")),
            Parameter(
                "entity",
                Kind.TEXT,
                _label("About"),
                help="about batch, order, customer, user…",
                hint=_label("anything (batch, order, customer, user…)"),
            ),
            Parameter(
                "action",
                Kind.TEXT,
                _label("Action"),
                help="this action only",
                hint=_label("any (e.g. received, blocked)"),
            ),
            Parameter(
                "text",
                Kind.TEXT,
                _label("Text"),
                help="summaries containing this text",
                hint=_label("summaries containing…"),
            ),
        ),
        _events,
        _writer("documents.events"),
    ),
    Report(
        "customer",
        _label("Customer report"),
        "report.all",
        (
            Parameter(
                "customer",
                Kind.CUSTOMER,
                _label("Customer"),
                required=True,
                help="the customer code",
                value_name="CODE",
            ),
        ),
        _customer,
        _writer("documents.customer"),
    ),
    Report("dashboard", _label("Dashboard"), "report.all", (), _dashboard, _writer("dashboard.dashboard")),
    Report(
        "delivery",
        _label("Delivery note"),
        "stock.deliver",
        (
            Parameter(
                "delivery",
                Kind.DELIVERY,
                _label("Delivery"),
                required=True,
                help="the delivery number",
                hint=_label("scan or type the delivery number"),
                value_name="NUMBER",
                positional=True,
            ),
        ),
        _delivery,
        _writer("delivery_note.write"),
    ),
    Report(
        "recall",
        _label("Recall: who got a batch"),
        "report.all",
        (BATCH,),
        _recall,
        _writer("documents.recall"),
    ),
    Report("mrp", _label("Material requirements"), "print.view", (), _requirements, _writer("documents.requirements")),
    Report(
        "purchase-order",
        _label("Purchase order"),
        "print.view",
        (
            Parameter(
                "purchase_order",
                Kind.PURCHASE_ORDER,
                _label("Purchase order"),
                required=True,
                help="the purchase order number",
                hint=_label("scan or type the purchase order number"),
                value_name="NUMBER",
                positional=True,
            ),
        ),
        _purchase_order,
        _writer("purchase_order.write"),
    ),
)


def by_key(key: str) -> Report:
    return next(r for r in REPORTS if r.key == key)


def day_range(start: date | None, end: date | None) -> tuple[date | None, date | None] | None:
    """A date range's value: None when neither end is given."""
    return (start, end) if start or end else None
