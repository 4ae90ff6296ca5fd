"""Receiving and moving stock: the actions the Inventory and Batches screens share, and their handlers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.dto import BatchRow
from ui import forms
from ui.printing import LabelSender
from ui.screen import Host, Menu


class StockActions(QObject):
    """Receive, transfer, issue and adjust. A move starts from the batch selected on the Batches screen."""

    def __init__(self, host: Host, parent: QWidget) -> None:
        super().__init__(parent)
        self.host, self.window = host, parent
        self.selected_batch: Callable[[], BatchRow | None] = lambda: None  # the Batches screen fills this in
        make = host.action
        self.receive_action = make(self, "receive", self.tr("&Receive…"), "stock.receive", self.receive, "Ctrl+R")
        self.transfer_action = make(
            self, "transfer", self.tr("&Transfer…"), "stock.transfer", lambda: self.move_stock("transfer"), "Ctrl+T"
        )
        self.issue_action = make(
            self, "issue", self.tr("&Issue…"), "stock.issue", lambda: self.move_stock("issue"), "Ctrl+I"
        )
        self.adjust_action = make(
            self, "adjust", self.tr("&Adjust…"), "stock.adjust", lambda: self.move_stock("adjust"), "Ctrl+J"
        )
        self.actions = [self.receive_action, self.transfer_action, self.issue_action, self.adjust_action]
        self.labels = LabelSender(host.ctx, host.ops, parent, lambda: host.lookups.current.settings)
        self.labels.sent.connect(lambda text: host.say(text, 10000))
        self.receive_dialog: forms.ReceiveDialog | None = None

    def menu(self) -> Menu:
        return self.tr("&Stock"), list(self.actions)

    def receive(self, after: forms.Pallet | None = None) -> forms.ReceiveDialog:
        """The receipt form; after a pallet with "next pallet follows" ticked, the form for the next one."""
        host = self.host
        dialog = forms.ReceiveDialog(host.ctx, host.ops, host.lookups, self.window, after)
        self.receive_dialog = host.open_form(dialog, self.tr("Delivery received"))
        dialog.succeeded.connect(lambda _batch_id: self._received(dialog))
        return dialog

    def _received(self, dialog: forms.ReceiveDialog) -> None:
        pallet = dialog.sent
        if pallet is None:
            return
        if dialog.wants_label():
            self.labels.send([pallet.number])
        self.host.say(self.tr("Pallet {0} received as batch {1}").format(pallet.count, pallet.number))
        if dialog.next_pallet.isChecked():
            self.receive(pallet)

    def move_stock(self, kind: str) -> forms.MoveDialog:
        host, batch = self.host, self.selected_batch()
        number, unit, warehouse = "", None, ""
        if batch is not None:
            number, unit = batch.number, batch.unit
            warehouse = batch.locations.split(",")[0].strip()
        done = {
            "transfer": self.tr("Stock transferred"),
            "issue": self.tr("Stock issued"),
            "adjust": self.tr("Stock adjusted"),
        }[kind]
        dialog = forms.MoveDialog(kind, host.ctx, host.ops, host.lookups, number, unit, warehouse, self.window)
        return host.open_form(dialog, done)
