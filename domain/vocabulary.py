"""The plant's vocabulary: every status, kind, unit and role, spelled once, with its words and its rules.

The models take their CHECK constraints from here, the services their rules, the queries their
filters, the reports and the screens their words. A value is what the database stores
(`OrderStatus.IN_PROGRESS == "in_progress"`); `label` is how people say it ("in progress"). Labels
are English source text marked with `QT_TRANSLATE_NOOP`, so Qt's lupdate collects them for the
translators while this module stays free of Qt; the client shows them through Qt's translator,
and the journal and the log keep the English.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum, StrEnum


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark `text` for translation in `context`; the text itself is returned unchanged."""
    return text


class Term(StrEnum):
    """A value stored in the database, and the words people use for it."""

    _label: str

    def __new__(cls, value: str, label: str = "") -> Term:  # a default: mypy reads Status("new") as this call
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The English words for this value (the source text of its translations)."""
        return self._label

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def context(cls) -> str:
        """The translation context of this vocabulary's labels."""
        return cls.__name__


# ---------------------------------------------------------------- lengths of what people type

CODE_LEN = 30  # warehouse, material, supplier, customer, line codes
NAME_LEN = 120
NUMBER_LEN = 40  # batch and order numbers
SPEC_LEN = 200  # a product's specification
NOTE_LEN = 500
REASON_LEN = 250
PHONE_LEN = 40
EMAIL_LEN = 120
NOTES_LEN = 2000
USERNAME_LEN = 63  # PostgreSQL's identifier limit: users are login roles there
SUMMARY_LEN = 500  # a journal entry's sentence


# ---------------------------------------------------------------- places and things


class WarehouseKind(Term):
    RAW_MATERIALS = "raw_materials", QT_TRANSLATE_NOOP("WarehouseKind", "raw materials")
    ADR = "adr", QT_TRANSLATE_NOOP("WarehouseKind", "ADR (dangerous goods)")
    PRODUCTION = "production", QT_TRANSLATE_NOOP("WarehouseKind", "production")
    FINISHED = "finished", QT_TRANSLATE_NOOP("WarehouseKind", "finished goods")
    QUARANTINE = "quarantine", QT_TRANSLATE_NOOP("WarehouseKind", "quarantine")


class MaterialKind(Term):
    GRANULATE = "granulate", QT_TRANSLATE_NOOP("MaterialKind", "granulate")
    MASTERBATCH = "masterbatch", QT_TRANSLATE_NOOP("MaterialKind", "masterbatch")
    INK = "ink", QT_TRANSLATE_NOOP("MaterialKind", "ink")
    ADHESIVE = "adhesive", QT_TRANSLATE_NOOP("MaterialKind", "adhesive")
    SOLVENT = "solvent", QT_TRANSLATE_NOOP("MaterialKind", "solvent")
    FILM = "film", QT_TRANSLATE_NOOP("MaterialKind", "film")
    BAG = "bag", QT_TRANSLATE_NOOP("MaterialKind", "bag")
    CORE = "core", QT_TRANSLATE_NOOP("MaterialKind", "core")
    PACKAGING = "packaging", QT_TRANSLATE_NOOP("MaterialKind", "packaging")


class Unit(Term):
    KG = "kg", QT_TRANSLATE_NOOP("Unit", "kg")
    M = "m", QT_TRANSLATE_NOOP("Unit", "m")
    M2 = "m2", QT_TRANSLATE_NOOP("Unit", "m²")
    PCS = "pcs", QT_TRANSLATE_NOOP("Unit", "pcs")
    L = "l", QT_TRANSLATE_NOOP("Unit", "l")

    @property
    def decimals(self) -> int:
        """How finely the unit is counted: kilograms and litres to the thousandth, metres to the centimetre,
        pieces whole."""
        return _UNIT_DECIMALS[self]


_UNIT_DECIMALS = {Unit.KG: 3, Unit.L: 3, Unit.M: 2, Unit.M2: 2, Unit.PCS: 0}
QUANTITY_SCALE = 3  # the database keeps every quantity to the thousandth, whatever its unit
# A recipe's amount per unit of output is finer: 1.5 g of ink per metre of film is 0.0015 kg/m.
RATIO_SCALE = 6


class LineStage(Term):
    """The stages of the plant, in the order film passes through them."""

    EXTRUSION = "extrusion", QT_TRANSLATE_NOOP("LineStage", "extrusion")
    UV = "uv", QT_TRANSLATE_NOOP("LineStage", "UV varnishing")
    PRINTING = "printing", QT_TRANSLATE_NOOP("LineStage", "printing")
    LAMINATION = "lamination", QT_TRANSLATE_NOOP("LineStage", "lamination")
    SLITTING = "slitting", QT_TRANSLATE_NOOP("LineStage", "slitting")
    BAG_MAKING = "bag_making", QT_TRANSLATE_NOOP("LineStage", "bag making")


# ---------------------------------------------------------------- batches and stock


class BatchStatus(Term):
    """A batch's quality status: pending → approved | blocked (a manager decides, and may change it)."""

    PENDING = "pending", QT_TRANSLATE_NOOP("BatchStatus", "pending")
    APPROVED = "approved", QT_TRANSLATE_NOOP("BatchStatus", "approved")
    BLOCKED = "blocked", QT_TRANSLATE_NOOP("BatchStatus", "blocked")

    @property
    def usable(self) -> bool:
        """Only approved stock may be issued, consumed or delivered."""
        return self is BatchStatus.APPROVED


def batch_usable(status: str, expiry: date | None, today: date) -> bool:
    """May stock of this batch leave the warehouse or go into a machine today?"""
    return BatchStatus(status).usable and (expiry is None or expiry >= today)


class MovementKind(Term):
    """The ledger's kinds of movement and which way each moves stock."""

    RECEIPT = "receipt", QT_TRANSLATE_NOOP("MovementKind", "receipt")
    ISSUE = "issue", QT_TRANSLATE_NOOP("MovementKind", "issue")
    TRANSFER = "transfer", QT_TRANSLATE_NOOP("MovementKind", "transfer")
    ADJUSTMENT = "adjustment", QT_TRANSLATE_NOOP("MovementKind", "adjustment")
    CONSUMPTION = "consumption", QT_TRANSLATE_NOOP("MovementKind", "consumption")
    OUTPUT = "output", QT_TRANSLATE_NOOP("MovementKind", "output")
    DELIVERY = "delivery", QT_TRANSLATE_NOOP("MovementKind", "delivery")

    @property
    def needs_usable_batch(self) -> bool:
        """Stock that leaves the plant or goes into a machine must be approved and unexpired."""
        return self in (MovementKind.ISSUE, MovementKind.CONSUMPTION, MovementKind.DELIVERY)

    @property
    def needs_order(self) -> bool:
        """Consumption and output link batches to the order they ran for; a delivery ships for an order."""
        return self in (MovementKind.CONSUMPTION, MovementKind.OUTPUT, MovementKind.DELIVERY)


# ---------------------------------------------------------------- production orders


class OrderStatus(Term):
    """new → planned → in_progress → done | cancelled; a planned order may go back to new (the backlog)."""

    NEW = "new", QT_TRANSLATE_NOOP("OrderStatus", "new")
    PLANNED = "planned", QT_TRANSLATE_NOOP("OrderStatus", "planned")
    IN_PROGRESS = "in_progress", QT_TRANSLATE_NOOP("OrderStatus", "in progress")
    DONE = "done", QT_TRANSLATE_NOOP("OrderStatus", "done")
    CANCELLED = "cancelled", QT_TRANSLATE_NOOP("OrderStatus", "cancelled")

    @property
    def is_open(self) -> bool:
        """Still to be made: counted in a customer's open orders and in material requirements."""
        return self in OPEN_ORDER_STATUSES

    @property
    def is_queued(self) -> bool:
        """On a line's queue, with a rank."""
        return self in (OrderStatus.PLANNED, OrderStatus.IN_PROGRESS)

    @property
    def may_edit(self) -> bool:
        return self in (OrderStatus.NEW, OrderStatus.PLANNED)

    @property
    def may_plan(self) -> bool:
        """May be put on a line, or moved along one."""
        return self in (OrderStatus.NEW, OrderStatus.PLANNED)

    @property
    def may_move(self) -> bool:
        """May be moved along its line or onto another (a running order stays where it runs)."""
        return self is OrderStatus.PLANNED

    @property
    def may_unplan(self) -> bool:
        return self is OrderStatus.PLANNED

    @property
    def may_start(self) -> bool:
        return self is OrderStatus.PLANNED

    @property
    def is_running(self) -> bool:
        """Consumption and output are recorded, and the order finished, only while it runs."""
        return self is OrderStatus.IN_PROGRESS

    @property
    def may_cancel(self) -> bool:
        return self in OPEN_ORDER_STATUSES

    @property
    def may_deliver(self) -> bool:
        """What a running or finished order made may go to its customer."""
        return self in (OrderStatus.IN_PROGRESS, OrderStatus.DONE)

    def may_become(self, other: OrderStatus) -> bool:
        """Is `self` → `other` one of the order's allowed steps?"""
        return other in ORDER_TRANSITIONS[self]


OPEN_ORDER_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.PLANNED, OrderStatus.IN_PROGRESS})
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.NEW: frozenset({OrderStatus.PLANNED, OrderStatus.CANCELLED}),
    OrderStatus.PLANNED: frozenset({OrderStatus.NEW, OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}),
    OrderStatus.IN_PROGRESS: frozenset({OrderStatus.DONE, OrderStatus.CANCELLED}),
    OrderStatus.DONE: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
PRIORITIES = range(1, 6)  # 1 = most urgent
RECIPE_STEPS = range(1, 10)  # a product passes at most nine steps, extrusion first
MAX_SCRAP_PERCENT = 100  # a recipe line's scrap allowance stays below it
RECIPE_STEPS = range(1, 10)  # a product passes at most nine steps, extrusion first
MAX_SCRAP_PERCENT = 100  # a recipe line's scrap allowance stays below it
PRIORITY_LABELS = {
    1: QT_TRANSLATE_NOOP("Priority", "urgent"),
    2: QT_TRANSLATE_NOOP("Priority", "high"),
    3: QT_TRANSLATE_NOOP("Priority", "normal"),
    4: QT_TRANSLATE_NOOP("Priority", "low"),
    5: QT_TRANSLATE_NOOP("Priority", "when possible"),
}
DUE_SOON_DAYS = 3  # an open order due within this many days is flagged as due soon


class LateCause(Term):
    """Why a queued order's estimated end falls after its due day (domain.schedule.late_cause: the first that holds)."""

    DUE_PASSED = "due_passed", QT_TRANSLATE_NOOP("LateCause", "its due date has passed")
    EARLIER_STAGE = (
        "earlier_stage",
        QT_TRANSLATE_NOOP("LateCause", "it waits for an earlier stage to make its material"),
    )
    MATERIAL = "material", QT_TRANSLATE_NOOP("LateCause", "it is short of material")
    TOO_LONG = "too_long", QT_TRANSLATE_NOOP("LateCause", "its own work does not fit before its due date")
    OVERRUN = "overrun", QT_TRANSLATE_NOOP("LateCause", "the running order ahead of it is past its estimate")
    STOPS = "stops", QT_TRANSLATE_NOOP("LateCause", "the line's stops push it past its due date")
    QUEUE = "queue", QT_TRANSLATE_NOOP("LateCause", "the line's queue ahead of it")


class Urgency(Term):
    """How pressing an open order's due date is: past it, or close to it."""

    OVERDUE = "overdue", QT_TRANSLATE_NOOP("Urgency", "overdue")
    DUE_SOON = "due_soon", QT_TRANSLATE_NOOP("Urgency", "due soon")

    @classmethod
    def of_due(cls, due: date, today: date) -> Urgency | None:
        """Overdue once its due day is over, due soon within DUE_SOON_DAYS of it, else None."""
        if due < today:
            return cls.OVERDUE
        if due <= today + timedelta(days=DUE_SOON_DAYS):
            return cls.DUE_SOON
        return None


# ---------------------------------------------------------------- people


class Role(IntEnum):
    """Each role includes everything the one before it may do."""

    VIEWER = 1
    CLERK = 2
    PLANNER = 3
    MANAGER = 4
    ADMIN = 5

    @property
    def value_name(self) -> str:
        """What the database stores: 'viewer' … 'admin'."""
        return self.name.lower()

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(r.value_name for r in cls)


_ROLE_LABELS = {
    Role.VIEWER: QT_TRANSLATE_NOOP("Role", "viewer"),
    Role.CLERK: QT_TRANSLATE_NOOP("Role", "clerk"),
    Role.PLANNER: QT_TRANSLATE_NOOP("Role", "planner"),
    Role.MANAGER: QT_TRANSLATE_NOOP("Role", "manager"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Role", "admin"),
}

EXPIRY_WARNING_DAYS = 30  # until the plant sets its own: batches expiring this soon are flagged


# ---------------------------------------------------------------- the plant's settings and its master data

MAX_SHELF_LIFE_DAYS = 3650  # ten years: a longer shelf life is a typing slip
MAX_EXPIRY_WARNING_DAYS = 365
SETTING_LEN = 200  # a setting's stored value
ADDRESS_LEN = 250  # a supplier's or customer's postal address


class LabelLayout(Term):
    """How batch labels come out of a PDF printer."""

    SINGLE = "single", QT_TRANSLATE_NOOP("LabelLayout", "one 100 × 50 mm label per page")
    SHEET = "sheet", QT_TRANSLATE_NOOP("LabelLayout", "ten labels to an A4 sheet")


class LabelPrinter(Term):
    """What the plant's label printers take: PDF for any printer, ZPL for a thermal label printer."""

    PDF = "pdf", QT_TRANSLATE_NOOP("LabelPrinter", "PDF (any printer)")
    ZPL = "zpl", QT_TRANSLATE_NOOP("LabelPrinter", "ZPL (thermal label printer)")


class ImportKind(Term):
    """What a CSV file brings in (or takes out): `mpsystem import KIND`, Administration → Import…"""

    WAREHOUSES = "warehouses", QT_TRANSLATE_NOOP("ImportKind", "warehouses")
    MATERIALS = "materials", QT_TRANSLATE_NOOP("ImportKind", "materials")
    SUPPLIERS = "suppliers", QT_TRANSLATE_NOOP("ImportKind", "suppliers")
    CUSTOMERS = "customers", QT_TRANSLATE_NOOP("ImportKind", "customers")
    LINES = "lines", QT_TRANSLATE_NOOP("ImportKind", "production lines")
    OPENING_STOCK = "opening-stock", QT_TRANSLATE_NOOP("ImportKind", "opening stock")


def proposed_expiry(received: date, shelf_life_days: int | None) -> date | None:
    """The expiry a receipt proposes: the day received plus the material's shelf life (none if it keeps)."""
    return received + timedelta(days=shelf_life_days) if shelf_life_days else None


# ---------------------------------------------------------------- buying


class PurchaseOrderStatus(Term):
    """draft → sent → partly received → received; an open one may be cancelled.

    A draft is the buyer's own until it is sent: only its lines change, and it is not yet counted as
    coming. Receipts against a sent order's lines advance it (the database does, as it books them);
    a partly received order may also be closed as received when the rest will not come.
    """

    DRAFT = "draft", QT_TRANSLATE_NOOP("PurchaseOrderStatus", "draft")
    SENT = "sent", QT_TRANSLATE_NOOP("PurchaseOrderStatus", "sent")
    PARTLY_RECEIVED = "partly_received", QT_TRANSLATE_NOOP("PurchaseOrderStatus", "partly received")
    RECEIVED = "received", QT_TRANSLATE_NOOP("PurchaseOrderStatus", "received")
    CANCELLED = "cancelled", QT_TRANSLATE_NOOP("PurchaseOrderStatus", "cancelled")

    @property
    def is_open(self) -> bool:
        """Not finished: drafted, or ordered and not all in."""
        return self in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)

    @property
    def may_edit(self) -> bool:
        """Its lines may change: only while it is the buyer's draft."""
        return self is PurchaseOrderStatus.DRAFT

    @property
    def may_send(self) -> bool:
        return self is PurchaseOrderStatus.DRAFT

    @property
    def may_receive(self) -> bool:
        """Goods may be received against its lines: it was sent and not all has come."""
        return self in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)

    @property
    def is_coming(self) -> bool:
        """What is still open on its lines is counted as coming on their due dates (material requirements)."""
        return self.may_receive

    @property
    def may_close(self) -> bool:
        """Closed as received although not all came: the rest will not."""
        return self is PurchaseOrderStatus.PARTLY_RECEIVED

    @property
    def may_cancel(self) -> bool:
        return self.is_open

    def may_become(self, other: PurchaseOrderStatus) -> bool:
        """Is `self` → `other` one of the purchase order's allowed steps?"""
        return other in PURCHASE_ORDER_TRANSITIONS[self]


PURCHASE_ORDER_TRANSITIONS: dict[PurchaseOrderStatus, frozenset[PurchaseOrderStatus]] = {
    PurchaseOrderStatus.DRAFT: frozenset({PurchaseOrderStatus.SENT, PurchaseOrderStatus.CANCELLED}),
    PurchaseOrderStatus.SENT: frozenset(
        {PurchaseOrderStatus.PARTLY_RECEIVED, PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED}
    ),
    PurchaseOrderStatus.PARTLY_RECEIVED: frozenset({PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED}),
    PurchaseOrderStatus.RECEIVED: frozenset(),
    PurchaseOrderStatus.CANCELLED: frozenset(),
}
# How much more than ordered a receipt may bring (a pallet rounds up), until the plant sets its own.
RECEIPT_TOLERANCE_PERCENT = 5
MAX_RECEIPT_TOLERANCE_PERCENT = 50
CURRENCY = "EUR"  # prices are in the plant's one currency, this until the plant sets its own
CURRENCY_LEN = 3
PRICE_SCALE = 4  # prices per unit to the ten-thousandth (0.0125 EUR per core)
MAX_LEAD_TIME_DAYS = 365
PURCHASE_LINES = range(1, 100)  # a purchase order has at most 99 lines


class Cover(Term):
    """How a material's needs are covered over the plan (material requirements), the worst first."""

    SHORT = "short", QT_TRANSLATE_NOOP("Cover", "short")
    RELEASE = "release", QT_TRANSLATE_NOOP("Cover", "covered if released")
    REORDER = "reorder", QT_TRANSLATE_NOOP("Cover", "below reorder level")
    COVERED = "covered", QT_TRANSLATE_NOOP("Cover", "covered")

    @property
    def rank(self) -> int:
        """0 for a shortage: the list shows the worst first."""
        return list(Cover).index(self)

    @property
    def wants_buying(self) -> bool:
        return self in (Cover.SHORT, Cover.REORDER)


class Supply(Term):
    """Where what covers a need comes from, in the order netting takes it."""

    STOCK = "stock", QT_TRANSLATE_NOOP("Supply", "usable stock")
    ORDERED = "ordered", QT_TRANSLATE_NOOP("Supply", "purchase order")
    PENDING = "pending", QT_TRANSLATE_NOOP("Supply", "waiting for release")


# ---------------------------------------------------------------- lines and the plant at a glance


class LineState(Term):
    """What a line is doing now."""

    RUNNING = "running", QT_TRANSLATE_NOOP("LineState", "running")
    IDLE = "idle", QT_TRANSLATE_NOOP("LineState", "idle")
    STOPPED = "stopped", QT_TRANSLATE_NOOP("LineState", "stopped")


class Severity(IntEnum):
    """How urgently an alert wants someone: the list shows the most urgent first."""

    CRITICAL = 1
    WARNING = 2

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]


_SEVERITY_LABELS = {
    Severity.CRITICAL: QT_TRANSLATE_NOOP("Severity", "critical"),
    Severity.WARNING: QT_TRANSLATE_NOOP("Severity", "warning"),
}


class AlertKind(Term):
    """The rules that raise an alert, in the order the list shows them within a severity."""

    LINE_STOPPED = "line_stopped", QT_TRANSLATE_NOOP("AlertKind", "line stopped too long")
    OUT_OF_STOCK = "out_of_stock", QT_TRANSLATE_NOOP("AlertKind", "out of stock")
    EXPIRED_IN_STOCK = "expired_in_stock", QT_TRANSLATE_NOOP("AlertKind", "expired stock in a warehouse")
    ORDER_OVERDUE = "order_overdue", QT_TRANSLATE_NOOP("AlertKind", "order past its due date")
    ORDER_LATE = "order_late", QT_TRANSLATE_NOOP("AlertKind", "order late")
    BELOW_REORDER = "below_reorder", QT_TRANSLATE_NOOP("AlertKind", "below reorder level")
    PENDING_TOO_LONG = "pending_too_long", QT_TRANSLATE_NOOP("AlertKind", "waiting too long for release")

    @property
    def severity(self) -> Severity:
        return _ALERT_SEVERITY[self]

    @property
    def subject(self) -> str:
        """The journal's word for what the alert is about, which opening the alert shows."""
        return _ALERT_SUBJECTS[self]


_ALERT_SEVERITY = {
    AlertKind.LINE_STOPPED: Severity.CRITICAL,
    AlertKind.OUT_OF_STOCK: Severity.CRITICAL,
    AlertKind.EXPIRED_IN_STOCK: Severity.CRITICAL,
    AlertKind.ORDER_OVERDUE: Severity.CRITICAL,
    AlertKind.ORDER_LATE: Severity.WARNING,
    AlertKind.BELOW_REORDER: Severity.WARNING,
    AlertKind.PENDING_TOO_LONG: Severity.WARNING,
}
_ALERT_SUBJECTS = {
    AlertKind.LINE_STOPPED: "line",
    AlertKind.OUT_OF_STOCK: "material",
    AlertKind.EXPIRED_IN_STOCK: "batch",
    AlertKind.ORDER_OVERDUE: "order",
    AlertKind.ORDER_LATE: "order",
    AlertKind.BELOW_REORDER: "material",
    AlertKind.PENDING_TOO_LONG: "batch",
}

# Until the plant sets its own (in settings): an open stop older than this raises an alert, and so
# does a batch waiting longer than this for its quality decision.
LINE_STOP_ALERT_MINUTES = 30
PENDING_ALERT_HOURS = 48
MAX_LINE_STOP_ALERT_MINUTES = 24 * 60
MAX_PENDING_ALERT_HOURS = 30 * 24
