"""Runs database and PDF work off the GUI thread and reports back by signal."""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import ClientCertificateRequired, KnownError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong that should not have. The details are in the log; please tell IT."


class _Relay(QObject):
    finished = Signal(object)  # (token, ok, result or exception)


class _Job(QRunnable):
    def __init__(self, token: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.token, self.fn, self.relay = token, fn, relay

    def run(self) -> None:
        """Run on a pool thread; the result crosses back to the GUI thread through a queued signal."""
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, known or not
            if not isinstance(exc, KnownError):
                log.error("unexpected error in background work:\n%s", traceback.format_exc())
            self.relay.finished.emit((self.token, False, exc))
        else:
            self.relay.finished.emit((self.token, True, result))


class Ops(QObject):
    """One small runner: `run(fn, on_done, on_error)`; callbacks run on the GUI thread."""

    busy_changed = Signal(bool)
    error = Signal(str)  # a message for the status bar when nobody handled a failure

    def __init__(self, parent: QObject | None = None, max_threads: int = 3) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finish)
        self._tokens = itertools.count(1)
        self._pending: dict[int, tuple[Callable[[Any], None] | None, Callable[[Exception], None] | None]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> int:
        token = next(self._tokens)
        was_idle = not self._pending
        self._pending[token] = (on_done, on_error)
        self.pool.start(_Job(token, fn, self._relay))
        if was_idle:
            self.busy_changed.emit(True)
        return token

    @Slot(object)
    def _finish(self, outcome: tuple[int, bool, object]) -> None:
        token, ok, payload = outcome
        on_done, on_error = self._pending.pop(token, (None, None))
        try:
            if ok:
                if on_done is not None:
                    on_done(payload)
            elif on_error is not None:
                assert isinstance(payload, Exception)
                on_error(payload)
            else:
                self.error.emit(message_for(payload))
        finally:
            if not self._pending:
                self.busy_changed.emit(False)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


def message_for(exc: object) -> str:
    if isinstance(exc, ClientCertificateRequired):
        return (
            str(exc)
            + " "
            + QCoreApplication.translate(
                "Ops",
                "Choose the certificate and private key IT issued to you in the connection's settings (Edit…).",
            )
        )
    return str(exc) if isinstance(exc, KnownError) else UNEXPECTED
