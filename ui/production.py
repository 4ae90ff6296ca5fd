"""Production from the planning board: new and edited orders, start, consumption, output, finish, cancel.

The board owns these actions; each works on the order selected on it, and is enabled only when
the vocabulary's rules let that order take the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from app import services as s
from app.dto import OrderRow
from domain.vocabulary import OrderStatus
from ui import forms
from ui.screen import Host, Menu
from ui.words import of, term

if TYPE_CHECKING:
    from ui.board import PlanningBoard


class ProductionActions(QObject):
    def __init__(self, host: Host, board: PlanningBoard) -> None:
        super().__init__(board)
        self.host, self.board = host, board
        make = host.action
        new = make(self, "new_order", self.tr("&New order…"), "order.edit", self.new_order, "Ctrl+Shift+N")
        edit = make(self, "edit_order", self.tr("&Edit order…"), "order.edit", self.edit_order)
        start = make(self, "start", self.tr("&Start"), "order.run", self.start)
        consume = make(self, "consume", self.tr("Record &consumption…"), "order.run", self.consume)
        output = make(self, "output", self.tr("Record &output…"), "order.run", self.output)
        finish = make(self, "finish", self.tr("&Finish"), "order.run", self.finish)
        unplan = make(self, "unplan", self.tr("Back to &backlog"), "order.plan", self.unplan)
        optimise = make(self, "optimise", self.tr("O&ptimise line"), "order.plan", self.optimise_line)
        cancel = make(self, "cancel_order", self.tr("C&ancel order…"), "order.cancel", self.cancel_order)
        self.entries: list[QAction | None] = [
            new, edit, None, start, consume, output, finish, None, unplan, optimise, cancel
        ]  # fmt: skip

    def menu(self) -> Menu:
        return self.tr("&Production"), list(self.entries)

    def update(self) -> None:
        """Enable what the selected order may do next (the vocabulary's rules), and what its line may."""
        order, line = self.board.selected, self.board.selected_line
        status = of(OrderStatus, order.status) if order is not None else None
        busy = self.board.line_is_running(line)
        wants = {
            "edit_order": status is not None and status.may_edit,
            "start": status is not None and status.may_start and not busy,
            "consume": status is not None and status.is_running,
            "output": status is not None and status.is_running,
            "finish": status is not None and status.is_running,
            "unplan": status is not None and status.may_unplan,
            "cancel_order": status is not None and status.may_cancel,
            "optimise": line is not None,
        }
        if order is None or status is None:
            waiting = dict.fromkeys(wants, self.tr("Select an order on the planning board first."))
            waiting["optimise"] = self.tr("Select an order in a line's queue first.")
        else:
            now = self.tr("{0} is {1}.").format(order.number, term(status))
            waiting = dict.fromkeys(wants, now)
            if status.may_start and busy:
                waiting["start"] = self.tr("{0} is running another order; finish it first.").format(line)
            waiting["optimise"] = self.tr("Select an order in a line's queue first.")
        self.host.enable(wants, waiting)

    # ---------------------------------------------------------------- handlers

    def _need_order(self) -> OrderRow | None:
        order = self.board.selected
        if order is None:
            self.host.say(self.tr("Select an order on the planning board first."), 6000)
        return order

    def new_order(self) -> forms.OrderDialog:
        host = self.host
        dialog = forms.OrderDialog(host.ctx, host.ops, host.lookups, None, self.board)
        return host.open_form(dialog, self.tr("Order created"))

    def edit_order(self) -> forms.OrderDialog | None:
        order = self._need_order()
        if order is None:
            return None
        host = self.host
        dialog = forms.OrderDialog(host.ctx, host.ops, host.lookups, order, self.board)
        return host.open_form(dialog, self.tr("{0} saved").format(order.number))

    def _step(self, service: Callable[..., Any], done: str) -> None:
        order = self._need_order()
        if order is None:
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: service(ctx.uow(), number=order.number, expected_version=order.version),
            done.format(order.number),
            self.board,
        )

    def start(self) -> None:
        self._step(s.start_order, self.tr("{0} started"))

    def finish(self) -> None:
        self._step(s.finish_order, self.tr("{0} finished"))

    def unplan(self) -> None:
        self._step(s.unplan_order, self.tr("{0} is back in the backlog"))

    def consume(self) -> forms.ConsumeDialog | None:
        order = self._need_order()
        if order is None:
            return None
        host = self.host
        dialog = forms.ConsumeDialog(host.ctx, host.ops, host.lookups, order.number, self.board)
        return host.open_form(dialog, self.tr("Consumption recorded"))

    def output(self) -> forms.OutputDialog | None:
        order = self._need_order()
        if order is None:
            return None
        host = self.host
        dialog = forms.OutputDialog(host.ctx, host.ops, host.lookups, order.number, self.board)
        return host.open_form(dialog, self.tr("Output recorded"))

    def optimise_line(self) -> None:
        line = self.board.selected_line
        if line is None:
            self.host.say(self.tr("Select an order in a line's queue first."), 6000)
            return
        ctx = self.host.ctx
        self.host.run(
            lambda: s.optimise_line(ctx.uow(), line=line), self.tr("Queue of {0} optimised").format(line), self.board
        )

    def cancel_order(self) -> forms.ReasonDialog | None:
        order = self._need_order()
        if order is None:
            return None
        ctx = self.host.ctx
        dialog = forms.ReasonDialog(
            self.tr("Cancel order {0}").format(order.number),
            self.tr("Reason"),
            self.host.ops,
            lambda reason: s.cancel_order(
                ctx.uow(), number=order.number, reason=reason, expected_version=order.version
            ),
            self.board,
        )
        return self.host.open_form(dialog, self.tr("{0} cancelled").format(order.number))
