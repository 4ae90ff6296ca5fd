"""The backlog's cards: a fixed layout that shows how pressing each order is, sorted and grouped as asked.

A card always has three lines: the number and customer (with an overdue or due-soon tag at the right),
the product and quantity, and the due date with the priority in words. Whatever is too long for the
width is the product or customer text, shortened with an ellipsis; the number, the tag, the quantity
and the due date are always whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.dto import OrderRow
from domain.vocabulary import DUE_SOON_DAYS, PRIORITY_LABELS, QT_TRANSLATE_NOOP, LineStage, Urgency
from ui.tables import day, qty
from ui.words import of, term

Index = QModelIndex | QPersistentModelIndex
ORDER_ROLE = Qt.ItemDataRole.UserRole + 1  # the OrderRow behind a card
CAPTION_ROLE = Qt.ItemDataRole.UserRole + 2  # the group's caption, on the first card of each group
GROUPINGS: tuple[tuple[str, str], ...] = (
    ("due", QT_TRANSLATE_NOOP("Backlog", "due date")),
    ("stage", QT_TRANSLATE_NOOP("Backlog", "stage")),
    ("customer", QT_TRANSLATE_NOOP("Backlog", "customer")),
)
TAG_COLOURS = {Urgency.OVERDUE: QColor("#b3261e"), Urgency.DUE_SOON: QColor("#b06000")}
PAD = 6


def tr(text: str) -> str:
    return QCoreApplication.translate("Backlog", text)


def priority_words(priority: int) -> str:
    return QCoreApplication.translate("Priority", PRIORITY_LABELS.get(priority, str(priority)))


def arranged(
    orders: Sequence[OrderRow], grouping: str, stages: Mapping[str, str], today: date
) -> list[tuple[OrderRow, str | None]]:
    """The orders in the grouping's order, each with its group's caption on the first of the group."""
    stage_order = {s.value: i for i, s in enumerate(LineStage)}

    def group(o: OrderRow) -> tuple[object, str]:
        if grouping == "stage":
            stage = stages.get(o.product_code, "")
            known = stage in stage_order
            return stage_order.get(stage, 99), term(of(LineStage, stage)) if known else tr("no stage")
        if grouping == "customer":
            return o.customer_name.casefold(), o.customer_name
        urgency = Urgency.of_due(o.due_date, today)
        if urgency is Urgency.OVERDUE:
            return 0, tr("Overdue")
        if urgency is Urgency.DUE_SOON:
            return 1, tr("Due within {0} days").format(DUE_SOON_DAYS)
        return 2, tr("Due later")

    keyed = sorted(((group(o), o) for o in orders), key=lambda k: (k[0][0], k[1].due_date, k[1].priority, k[1].number))
    result: list[tuple[OrderRow, str | None]] = []
    last: object = None
    for (key, caption), order in keyed:
        result.append((order, caption if key != last else None))
        last = key
    return result


class CardDelegate(QStyledItemDelegate):
    """Paints a backlog card in its fixed three lines, its group's caption above the first of a group."""

    def __init__(self, today: Callable[[], date], parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.today = today
        self.painted: dict[str, dict[str, str]] = {}  # each card's texts as last painted, by order number

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Three lines of text at the size now, and a caption's line when a group starts here."""
        line = QFontMetrics(option.font).lineSpacing()
        caption = line + PAD if index.data(CAPTION_ROLE) else 0
        return QSize(240, line * 3 + 2 * PAD + caption)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The card: number, customer and tag; product and quantity; due date and priority."""
        order = index.data(ORDER_ROLE)
        if not isinstance(order, OrderRow):
            super().paint(painter, option, index)
            return
        painter.save()
        rect = QRect(option.rect)
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.lineSpacing()
        caption = index.data(CAPTION_ROLE)
        if caption:
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(QColor("#5f6368"))
            painter.drawText(
                rect.adjusted(4, 2, -4, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, caption
            )
            rect.setTop(rect.top() + line + PAD)
        card = rect.adjusted(1, 1, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.setPen(QPen(QColor("#1a73e8") if selected else QColor("#dadce0"), 1.5 if selected else 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight).lighter(185) if selected else QColor("#ffffff"))
        painter.drawRoundedRect(QRectF(card), 4, 4)
        text = card.adjusted(PAD, PAD - 2, -PAD, -PAD)
        urgency = Urgency.of_due(order.due_date, self.today())
        painter.setFont(font)

        # first line: the number, whole; the tag, whole, at the right; the customer in what is left
        bold = QFont(font)
        bold.setBold(True)
        number_w = QFontMetrics(bold).horizontalAdvance(order.number) + 8
        painter.setFont(bold)
        painter.setPen(QColor("#202124"))
        painter.drawText(QRect(text.left(), text.top(), number_w, line), Qt.AlignmentFlag.AlignLeft, order.number)
        right = text.right()
        if urgency is not None:
            tag = term(urgency).upper()
            tag_w = QFontMetrics(bold).horizontalAdvance(tag) + 10
            tag_rect = QRect(right - tag_w, text.top(), tag_w, line)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TAG_COLOURS[urgency])
            painter.drawRoundedRect(QRectF(tag_rect), 3, 3)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(tag_rect, Qt.AlignmentFlag.AlignCenter, tag)
            right = tag_rect.left() - 6
        painter.setFont(font)
        painter.setPen(QColor("#3c4043"))
        customer = QRect(text.left() + number_w, text.top(), max(0, right - text.left() - number_w), line)
        who = metrics.elidedText(order.customer_name, Qt.TextElideMode.ElideRight, customer.width())
        painter.drawText(customer, Qt.AlignmentFlag.AlignLeft, who)

        # second line: the quantity, whole, at the right; the product shortened to what is left
        y = text.top() + line
        amount = qty(order.quantity, order.unit)
        amount_w = metrics.horizontalAdvance(amount) + 4
        painter.drawText(QRect(text.right() - amount_w, y, amount_w, line), Qt.AlignmentFlag.AlignRight, amount)
        product = QRect(text.left(), y, max(0, text.width() - amount_w - 8), line)
        what = metrics.elidedText(order.product_name, Qt.TextElideMode.ElideRight, product.width())
        painter.drawText(product, Qt.AlignmentFlag.AlignLeft, what)

        # third line: the due date, never shortened, and the priority in words
        y += line
        due = tr("due {0}").format(day(order.due_date))
        painter.setPen(TAG_COLOURS[urgency] if urgency is not None else QColor("#3c4043"))
        painter.drawText(QRect(text.left(), y, text.width(), line), Qt.AlignmentFlag.AlignLeft, due)
        painter.setPen(QColor("#b3261e") if order.priority == 1 else QColor("#5f6368"))
        due_w = metrics.horizontalAdvance(due) + 10
        room = QRect(text.left() + due_w, y, max(0, text.width() - due_w), line)
        priority = metrics.elidedText(
            tr("priority: {0}").format(priority_words(order.priority)), Qt.TextElideMode.ElideLeft, room.width()
        )  # the priority gives way, never the due date
        painter.drawText(room, Qt.AlignmentFlag.AlignRight, priority)
        painter.restore()
        self.painted[order.number] = {
            "customer": who,
            "tag": term(urgency) if urgency is not None else "",
            "product": what,
            "amount": amount,
            "due": due,
            "priority": priority,
            "caption": caption or "",
        }
