"""The table models of the main screens: one per list, each with its columns and how they show."""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.dto import (
    BatchRow,
    CustomerRow,
    EventRow,
    InventoryRow,
    LineRow,
    MaterialRow,
    OrderListRow,
    SupplierRow,
    WarehouseRow,
)
from app.formatting import WIDEST_FRACTION, WIDEST_UNIT, day, moment, quantity_parts
from app.formatting import quantity as qty
from domain.vocabulary import (
    EXPIRY_WARNING_DAYS,
    QT_TRANSLATE_NOOP,
    BatchStatus,
    LineStage,
    MaterialKind,
    OrderStatus,
    Unit,
    WarehouseKind,
)
from ui.paged import PagedTableModel
from ui.words import journal_words, of, term, term_of

DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole

ALERT_TEXT = QColor("#b3261e")  # the style sheet's alert colour, for text that models colour themselves
QUIET_TEXT = QColor("#80868b")
LINK_TEXT = QColor("#1a5fb4")  # a subject that opens on double-click
BATCH_COLOURS = {
    BatchStatus.PENDING: QColor("#a15c00"),
    BatchStatus.APPROVED: QColor("#1b7a2f"),
    BatchStatus.BLOCKED: ALERT_TEXT,
}
ORDER_COLOURS = {
    OrderStatus.NEW: QColor("#5f6368"),
    OrderStatus.PLANNED: QColor("#1a5fb4"),
    OrderStatus.IN_PROGRESS: QColor("#a15c00"),
    OrderStatus.DONE: QColor("#1b7a2f"),
    OrderStatus.CANCELLED: QUIET_TEXT,
}
WARN = QBrush(QColor("#fff4d6"))
ALERT = QBrush(QColor("#fde2e1"))


def expiry_brush(expiry: date | None, warning_days: int = EXPIRY_WARNING_DAYS) -> QBrush | None:
    """Red for an expired batch, amber for one expiring within the plant's warning window."""
    if expiry is None:
        return None
    today = date.today()
    if expiry < today:
        return ALERT
    if expiry <= today + timedelta(days=warning_days):
        return WARN
    return None


def _words(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


SUBTOTAL = QBrush(QColor("#eef1f4"))
FONT = Qt.ItemDataRole.FontRole


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class QuantityDelegate(QStyledItemDelegate):
    """Quantities with their decimal points one under the other, whatever the unit: the unit starts at a fixed
    place at the right of the cell, the fraction fills the room before it. Other text shows as usual."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Draw the cell's background as usual, then the quantity in three aligned parts."""
        value = index.data(DISPLAY)
        parts = quantity_parts(value) if isinstance(value, str) else None
        if parts is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        whole, fraction, unit = parts
        metrics = opt.fontMetrics
        rect = opt.rect.adjusted(4, 0, -6, 0)
        # Room for the longest fraction and unit after every decimal point: the points line up.
        point_at = rect.right() - metrics.horizontalAdvance(f"{WIDEST_FRACTION} {WIDEST_UNIT}")
        start = point_at - metrics.horizontalAdvance(whole)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        brush = index.data(FOREGROUND)
        colour = opt.palette.highlightedText().color() if selected else opt.palette.text().color()
        if isinstance(brush, QBrush) and not selected:
            colour = brush.color()
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(colour)
        text_rect = QRect(start, rect.top(), rect.right() - start + 1, rect.height())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, f"{whole}{fraction} {unit}"
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Room for the widest unit and fraction, so that fitting the column never cuts a quantity."""
        hint = super().sizeHint(option, index)
        value = index.data(DISPLAY)
        parts = quantity_parts(value) if isinstance(value, str) else None
        if parts is None:
            return hint
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(f"{parts[0]}{WIDEST_FRACTION} {WIDEST_UNIT}") + 12
        return QSize(max(hint.width(), width), hint.height())


class InventoryModel(PagedTableModel[InventoryRow]):
    """Each material's row with its totals, then its stock in each warehouse, indented beneath it."""

    class Columns(IntEnum):
        MATERIAL = 0
        NAME = 1
        KIND = 2
        WAREHOUSE = 3
        USABLE = 4
        ON_HOLD = 5
        QUANTITY = 6
        BATCHES = 7
        REORDER = 8
        VALUE = 9

    HEADERS = {
        Columns.MATERIAL: QT_TRANSLATE_NOOP("InventoryModel", "Material"),
        Columns.NAME: QT_TRANSLATE_NOOP("InventoryModel", "Name"),
        Columns.KIND: QT_TRANSLATE_NOOP("InventoryModel", "Kind"),
        Columns.WAREHOUSE: QT_TRANSLATE_NOOP("InventoryModel", "Warehouse"),
        Columns.USABLE: QT_TRANSLATE_NOOP("InventoryModel", "Usable"),
        Columns.ON_HOLD: QT_TRANSLATE_NOOP("InventoryModel", "On hold"),
        Columns.QUANTITY: QT_TRANSLATE_NOOP("InventoryModel", "Total"),
        Columns.BATCHES: QT_TRANSLATE_NOOP("InventoryModel", "Batches"),
        Columns.REORDER: QT_TRANSLATE_NOOP("InventoryModel", "Reorder level"),
        Columns.VALUE: QT_TRANSLATE_NOOP("InventoryModel", "Value at last price"),
    }
    SORT_KEYS = {
        Columns.MATERIAL: "material_code",
        Columns.NAME: "material_name",
        Columns.USABLE: "usable",
        Columns.ON_HOLD: "on_hold",
        Columns.QUANTITY: "quantity",
        Columns.BATCHES: "batch_count",
    }
    DEFAULT_SORT = ("material_code", False)
    FONT_ROLE = FONT
    RIGHT_ALIGNED = frozenset(
        {Columns.USABLE, Columns.ON_HOLD, Columns.QUANTITY, Columns.BATCHES, Columns.REORDER, Columns.VALUE}
    )
    STRETCH = Columns.NAME

    def row_key(self, row: InventoryRow) -> Any:
        return (row.material_code, row.warehouse_code)

    def cell(self, row: InventoryRow, column: Any, role: int) -> Any:
        if role == DISPLAY:
            return self._text(row, column)
        if row.is_material:
            if role == FONT:
                return _bold()
            if role == BACKGROUND:
                return ALERT if row.below_reorder else SUBTOTAL
            if role == TOOLTIP and row.below_reorder:
                return _words("InventoryModel", "{0}: {1} in stock, below the reorder level of {2}").format(
                    row.material_name, qty(row.material_total, row.unit), qty(row.reorder_level, row.unit)
                )
        elif role == FOREGROUND and column == self.Columns.MATERIAL:
            return QBrush(QUIET_TEXT)  # the material's code again, for copying and export; its row says it
        if role == FOREGROUND and column == self.Columns.ON_HOLD and row.on_hold:
            return QBrush(BATCH_COLOURS[BatchStatus.PENDING])
        return None

    def _text(self, row: InventoryRow, column: Any) -> str:
        c = self.Columns
        if column == c.MATERIAL:
            return row.material_code
        if column == c.NAME:
            return row.material_name if row.is_material else ""
        if column == c.KIND:
            return term_of(MaterialKind, row.material_kind) if row.is_material else ""
        if column == c.WAREHOUSE:
            if row.is_material:
                return "" if row.batch_count else _words("InventoryModel", "no stock")
            return f"    {row.warehouse_code}"
        if column == c.REORDER:
            return qty(row.reorder_level, row.unit) if row.is_material and row.reorder_level else ""
        if column == c.BATCHES:
            return str(row.batch_count)
        if column == c.VALUE:
            value = row.value
            return f"{value:,.2f}" if value is not None else ""
        amount = {c.USABLE: row.usable, c.ON_HOLD: row.on_hold, c.QUANTITY: row.quantity}[column]
        return qty(amount, row.unit)


class BatchModel(PagedTableModel[BatchRow]):
    class Columns(IntEnum):
        NUMBER = 0
        MATERIAL = 1
        NAME = 2
        ORIGIN = 3
        LOCATIONS = 4
        QUANTITY = 5
        STATUS = 6
        EXPIRY = 7
        RECEIVED = 8

    HEADERS = {
        Columns.NUMBER: "Batch",
        Columns.MATERIAL: "Material",
        Columns.NAME: "Name",
        Columns.ORIGIN: "Supplier / order",
        Columns.LOCATIONS: "Where",
        Columns.QUANTITY: "Quantity",
        Columns.STATUS: "Quality",
        Columns.EXPIRY: "Expiry",
        Columns.RECEIVED: "Received / produced",
    }
    SORT_KEYS = {
        Columns.NUMBER: "number",
        Columns.MATERIAL: "material_code",
        Columns.ORIGIN: "origin",
        Columns.QUANTITY: "quantity",
        Columns.STATUS: "status",
        Columns.EXPIRY: "expiry_date",
        Columns.RECEIVED: "received_at",
    }
    RIGHT_ALIGNED = frozenset({Columns.QUANTITY})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("received_at", True)
    warning_days = EXPIRY_WARNING_DAYS  # the plant's expiry warning window; the screen keeps it current

    def cell(self, row: BatchRow, column: Any, role: int) -> Any:
        c = self.Columns
        status = of(BatchStatus, row.status)
        if role == DISPLAY:
            return {
                c.NUMBER: row.number,
                c.MATERIAL: row.material_code,
                c.NAME: row.material_name,
                c.ORIGIN: row.origin,
                c.LOCATIONS: row.locations,
                c.QUANTITY: qty(row.quantity, row.unit),
                c.STATUS: term(status),
                c.EXPIRY: day(row.expiry_date),
                c.RECEIVED: moment(row.received_at),
            }[column]
        if role == FOREGROUND and column == c.STATUS:
            return QBrush(BATCH_COLOURS[status])
        if role == BACKGROUND and column == c.EXPIRY:
            return expiry_brush(row.expiry_date, self.warning_days)
        if role == TOOLTIP:
            if column == c.STATUS and row.status_reason:
                return f"{term(status).capitalize()}: {row.status_reason}"
            if column == c.EXPIRY and row.expiry_date:
                left = (row.expiry_date - date.today()).days
                return "Expired" if left < 0 else f"Expires in {left} days"
        return None


class EventModel(PagedTableModel[EventRow]):
    class Columns(IntEnum):
        WHEN = 0
        USER = 1
        ENTITY = 2
        ACTION = 3
        SUMMARY = 4

    HEADERS = {
        Columns.WHEN: "When",
        Columns.USER: "User",
        Columns.ENTITY: "About",
        Columns.ACTION: "Action",
        Columns.SUMMARY: "Summary",
    }
    SORT_KEYS = {
        Columns.WHEN: "occurred_at",
        Columns.USER: "username",
        Columns.ENTITY: "entity_type",
        Columns.ACTION: "action",
    }
    DEFAULT_SORT = ("occurred_at", True)
    STRETCH = Columns.SUMMARY

    def cell(self, row: EventRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:  # only the column asked for: the journal's table shows thousands of cells
            if column == c.WHEN:
                return moment(row.occurred_at)
            if column == c.ENTITY:
                return row.about()
            if column == c.ACTION:
                return journal_words(row.action)
            return row.username if column == c.USER else row.summary
        if role == TOOLTIP and column == c.SUMMARY:
            return row.summary
        if column == c.ENTITY and row.subject:
            if role == FOREGROUND:
                return QBrush(LINK_TEXT)
            if role == TOOLTIP:
                return QCoreApplication.translate("EventModel", "Double-click to open {0}").format(row.about())
        return None


class CustomerModel(PagedTableModel[CustomerRow]):
    class Columns(IntEnum):
        CODE = 0
        NAME = 1
        CONTACT = 2
        EMAIL = 3
        PHONE = 4
        TAX_ID = 5
        OPEN = 6
        TOTAL = 7

    HEADERS = {
        Columns.CODE: "Code",
        Columns.NAME: "Name",
        Columns.CONTACT: "Contact",
        Columns.EMAIL: "E-mail",
        Columns.PHONE: "Phone",
        Columns.TAX_ID: "Tax id",
        Columns.OPEN: "Open orders",
        Columns.TOTAL: "All orders",
    }
    SORT_KEYS = {
        Columns.CODE: "code",
        Columns.NAME: "name",
        Columns.CONTACT: "contact",
        Columns.OPEN: "open_orders",
        Columns.TOTAL: "total_orders",
    }
    RIGHT_ALIGNED = frozenset({Columns.OPEN, Columns.TOTAL})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("name", False)

    def cell(self, row: CustomerRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:
            return {
                c.CODE: row.code,
                c.NAME: row.name + (" (archived)" if row.archived else ""),
                c.CONTACT: row.contact or "",
                c.EMAIL: row.email or "",
                c.PHONE: row.phone or "",
                c.TAX_ID: row.tax_id or "",
                c.OPEN: str(row.open_orders),
                c.TOTAL: str(row.total_orders),
            }[column]
        if role == FOREGROUND and row.archived:
            return QBrush(QUIET_TEXT)
        return None


# ---------------------------------------------------------------- master data


def _archived_name(name: str, archived: bool) -> str:
    return f"{name} ({_words('MasterData', 'archived')})" if archived else name


def _yes(value: bool) -> str:
    return _words("MasterData", "yes") if value else ""


class WarehouseModel(PagedTableModel[WarehouseRow]):
    class Columns(IntEnum):
        CODE = 0
        NAME = 1
        KIND = 2
        ADR = 3
        STOCK = 4

    HEADERS = {
        Columns.CODE: QT_TRANSLATE_NOOP("WarehouseModel", "Code"),
        Columns.NAME: QT_TRANSLATE_NOOP("WarehouseModel", "Name"),
        Columns.KIND: QT_TRANSLATE_NOOP("WarehouseModel", "Kind"),
        Columns.ADR: QT_TRANSLATE_NOOP("WarehouseModel", "ADR"),
        Columns.STOCK: QT_TRANSLATE_NOOP("WarehouseModel", "Batches in stock"),
    }
    SORT_KEYS = {Columns.CODE: "code", Columns.NAME: "name", Columns.KIND: "kind", Columns.STOCK: "batch_count"}
    RIGHT_ALIGNED = frozenset({Columns.STOCK})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("code", False)

    def cell(self, row: WarehouseRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:
            return {
                c.CODE: row.code,
                c.NAME: _archived_name(row.name, row.archived),
                c.KIND: term_of(WarehouseKind, row.kind),
                c.ADR: _yes(row.adr),
                c.STOCK: str(row.batch_count),
            }[column]
        if role == FOREGROUND and row.archived:
            return QBrush(QUIET_TEXT)
        return None


class MaterialModel(PagedTableModel[MaterialRow]):
    class Columns(IntEnum):
        CODE = 0
        NAME = 1
        KIND = 2
        UNIT = 3
        REORDER = 4
        SHELF_LIFE = 5
        STOCK = 6

    HEADERS = {
        Columns.CODE: QT_TRANSLATE_NOOP("MaterialModel", "Code"),
        Columns.NAME: QT_TRANSLATE_NOOP("MaterialModel", "Name"),
        Columns.KIND: QT_TRANSLATE_NOOP("MaterialModel", "Kind"),
        Columns.UNIT: QT_TRANSLATE_NOOP("MaterialModel", "Unit"),
        Columns.REORDER: QT_TRANSLATE_NOOP("MaterialModel", "Reorder level"),
        Columns.SHELF_LIFE: QT_TRANSLATE_NOOP("MaterialModel", "Shelf life"),
        Columns.STOCK: QT_TRANSLATE_NOOP("MaterialModel", "In stock"),
    }
    SORT_KEYS = {
        Columns.CODE: "code",
        Columns.NAME: "name",
        Columns.KIND: "kind",
        Columns.UNIT: "unit",
        Columns.REORDER: "reorder_level",
        Columns.SHELF_LIFE: "shelf_life_days",
        Columns.STOCK: "stock",
    }
    RIGHT_ALIGNED = frozenset({Columns.REORDER, Columns.SHELF_LIFE, Columns.STOCK})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("code", False)

    def cell(self, row: MaterialRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:
            days = row.shelf_life_days
            return {
                c.CODE: row.code,
                c.NAME: _archived_name(row.name, row.archived),
                c.KIND: term_of(MaterialKind, row.kind),
                c.UNIT: term_of(Unit, row.unit),
                c.REORDER: qty(row.reorder_level, row.unit) if row.reorder_level else "",
                c.SHELF_LIFE: _words("MaterialModel", "{0} days").format(days) if days else "",
                c.STOCK: qty(row.stock, row.unit),
            }[column]
        if role == FOREGROUND and row.archived:
            return QBrush(QUIET_TEXT)
        if role == BACKGROUND and column == c.STOCK and row.reorder_level and row.stock < row.reorder_level:
            return ALERT
        return None


class SupplierModel(PagedTableModel[SupplierRow]):
    class Columns(IntEnum):
        CODE = 0
        NAME = 1
        CONTACT = 2
        EMAIL = 3
        PHONE = 4
        TAX_ID = 5
        BATCHES = 6
        LAST = 7

    HEADERS = {
        Columns.CODE: QT_TRANSLATE_NOOP("SupplierModel", "Code"),
        Columns.NAME: QT_TRANSLATE_NOOP("SupplierModel", "Name"),
        Columns.CONTACT: QT_TRANSLATE_NOOP("SupplierModel", "Contact"),
        Columns.EMAIL: QT_TRANSLATE_NOOP("SupplierModel", "E-mail"),
        Columns.PHONE: QT_TRANSLATE_NOOP("SupplierModel", "Phone"),
        Columns.TAX_ID: QT_TRANSLATE_NOOP("SupplierModel", "Tax id"),
        Columns.BATCHES: QT_TRANSLATE_NOOP("SupplierModel", "Batches"),
        Columns.LAST: QT_TRANSLATE_NOOP("SupplierModel", "Last receipt"),
    }
    SORT_KEYS = {
        Columns.CODE: "code",
        Columns.NAME: "name",
        Columns.CONTACT: "contact",
        Columns.BATCHES: "batch_count",
        Columns.LAST: "last_receipt",
    }
    RIGHT_ALIGNED = frozenset({Columns.BATCHES})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("name", False)

    def cell(self, row: SupplierRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:
            return {
                c.CODE: row.code,
                c.NAME: _archived_name(row.name, row.archived),
                c.CONTACT: row.contact or "",
                c.EMAIL: row.email or "",
                c.PHONE: row.phone or "",
                c.TAX_ID: row.tax_id or "",
                c.BATCHES: str(row.batch_count),
                c.LAST: moment(row.last_receipt),
            }[column]
        if role == FOREGROUND and row.archived:
            return QBrush(QUIET_TEXT)
        if role == TOOLTIP and column == c.NAME and row.address:
            return row.address
        return None


class LineModel(PagedTableModel[LineRow]):
    class Columns(IntEnum):
        CODE = 0
        NAME = 1
        STAGE = 2
        RATE = 3
        QUEUED = 4

    HEADERS = {
        Columns.CODE: QT_TRANSLATE_NOOP("LineModel", "Code"),
        Columns.NAME: QT_TRANSLATE_NOOP("LineModel", "Name"),
        Columns.STAGE: QT_TRANSLATE_NOOP("LineModel", "Stage"),
        Columns.RATE: QT_TRANSLATE_NOOP("LineModel", "Rate per hour"),
        Columns.QUEUED: QT_TRANSLATE_NOOP("LineModel", "Orders queued"),
    }
    SORT_KEYS = {
        Columns.CODE: "code",
        Columns.NAME: "name",
        Columns.STAGE: "stage",
        Columns.RATE: "rate_per_hour",
        Columns.QUEUED: "queued",
    }
    RIGHT_ALIGNED = frozenset({Columns.RATE, Columns.QUEUED})
    STRETCH = Columns.NAME
    DEFAULT_SORT = ("code", False)

    def cell(self, row: LineRow, column: Any, role: int) -> Any:
        c = self.Columns
        if role == DISPLAY:
            return {
                c.CODE: row.code,
                c.NAME: _archived_name(row.name, row.archived),
                c.STAGE: term_of(LineStage, row.stage),
                c.RATE: qty(row.rate_per_hour, row.rate_unit) + "/h",
                c.QUEUED: str(row.queued),
            }[column]
        if role == FOREGROUND and row.archived:
            return QBrush(QUIET_TEXT)
        return None


def _order_words(text: str) -> str:
    return QCoreApplication.translate("OrderListModel", text)


class OrderListModel(PagedTableModel[OrderListRow]):
    """Every order, in any status: what, for whom, how much of it has gone to the customer."""

    class Columns(IntEnum):
        NUMBER = 0
        CUSTOMER = 1
        PRODUCT = 2
        QUANTITY = 3
        DELIVERED = 4
        DUE = 5
        STATUS = 6
        LINE = 7
        PRIORITY = 8
        CREATED = 9
        NOTE = 10

    HEADERS = {
        Columns.NUMBER: QT_TRANSLATE_NOOP("OrderListModel", "Order"),
        Columns.CUSTOMER: QT_TRANSLATE_NOOP("OrderListModel", "Customer"),
        Columns.PRODUCT: QT_TRANSLATE_NOOP("OrderListModel", "Product"),
        Columns.QUANTITY: QT_TRANSLATE_NOOP("OrderListModel", "Ordered"),
        Columns.DELIVERED: QT_TRANSLATE_NOOP("OrderListModel", "Delivered"),
        Columns.DUE: QT_TRANSLATE_NOOP("OrderListModel", "Due"),
        Columns.STATUS: QT_TRANSLATE_NOOP("OrderListModel", "Status"),
        Columns.LINE: QT_TRANSLATE_NOOP("OrderListModel", "Line"),
        Columns.PRIORITY: QT_TRANSLATE_NOOP("OrderListModel", "Priority"),
        Columns.CREATED: QT_TRANSLATE_NOOP("OrderListModel", "Created"),
        Columns.NOTE: QT_TRANSLATE_NOOP("OrderListModel", "Note"),
    }
    SORT_KEYS = {
        Columns.NUMBER: "number",
        Columns.CUSTOMER: "customer_name",
        Columns.PRODUCT: "product_code",
        Columns.QUANTITY: "quantity",
        Columns.DELIVERED: "delivered",
        Columns.DUE: "due_date",
        Columns.STATUS: "status",
        Columns.LINE: "line_code",
        Columns.PRIORITY: "priority",
        Columns.CREATED: "created_at",
    }
    RIGHT_ALIGNED = frozenset({Columns.QUANTITY, Columns.DELIVERED, Columns.PRIORITY})
    STRETCH = Columns.PRODUCT
    DEFAULT_SORT = ("due_date", False)

    def row_key(self, row: OrderListRow) -> Any:
        return row.number

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles in the user's language."""
        title = super().headerData(section, orientation, role)
        return _order_words(title) if isinstance(title, str) else title

    def cell(self, row: OrderListRow, column: Any, role: int) -> Any:
        c = self.Columns
        status = of(OrderStatus, row.status)
        if role == DISPLAY:
            return {
                c.NUMBER: row.number,
                c.CUSTOMER: row.customer_name,
                c.PRODUCT: f"{row.product_code} · {row.product_name}",
                c.QUANTITY: qty(row.quantity, row.unit),
                c.DELIVERED: qty(row.delivered, row.unit) if row.delivered else "",
                c.DUE: day(row.due_date),
                c.STATUS: term(status),
                c.LINE: row.line_code or "",
                c.PRIORITY: str(row.priority),
                c.CREATED: moment(row.created_at),
                c.NOTE: row.note or "",
            }[column]
        if role == FOREGROUND and column == c.STATUS:
            return QBrush(ORDER_COLOURS[status])
        if role == BACKGROUND and row.late and column in (c.NUMBER, c.DUE):
            return ALERT
        if role == TOOLTIP:
            if row.late and column in (c.NUMBER, c.DUE):
                return _order_words("Still {0} after its due date {1}").format(term(status), day(row.due_date))
            if column == c.DELIVERED:
                share = row.delivered / row.quantity * 100 if row.quantity else 0
                return _order_words("{0} of {1} delivered ({2:.0f} %)").format(
                    qty(row.delivered, row.unit), qty(row.quantity, row.unit), share
                )
            if column == c.NOTE and row.note:
                return row.note
        return None
