"""A table model fed page by page from an app query on a worker thread.

The GUI thread never waits on the database: `data()` answers from the pages it
has and asks the worker for a missing page, which arrives by signal. Sorting
and filtering are sent to SQL; only a bounded number of pages is kept, so a
table of a million rows costs the memory of a few thousand.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from enum import IntEnum
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.dto import Page
from ui.ops import Ops, message_for

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
Fetch = Callable[[Any, str | None, bool, int, int], Page[Any]]


# Roles no list answers (no icons, check boxes or sizes of its own), though Qt asks each cell for them
# whenever it paints or measures one: answered before the row is looked up.
UNANSWERED = frozenset({Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.SizeHintRole})


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Subclasses set `Columns`, `HEADERS`, `SORT_KEYS` and implement `cell()`."""

    Columns: ClassVar[type[IntEnum]]
    HEADERS: ClassVar[dict[Any, str]]
    SORT_KEYS: ClassVar[dict[Any, str]] = {}
    RIGHT_ALIGNED: ClassVar[frozenset[Any]] = frozenset()
    STRETCH: ClassVar[Any] = None  # the column that takes the spare width (a name or a summary)
    DEFAULT_SORT: ClassVar[tuple[str | None, bool]] = (None, False)

    PAGE_SIZE = 200
    MAX_PAGES = 30
    REQUERY_PAGES = 3  # pages read again on a live update: those last shown, which hold the visible rows

    loaded = Signal()  # the first page (and the row count) arrived
    failed = Signal(str)
    replacing = Signal()  # rows came or went on a requery: the view notes its place...
    replaced = Signal()  # ...and takes it up again among the new rows
    counted_rows = Signal()  # the exact count replaced a first page's lower bound

    def __init__(self, ops: Ops, fetch: Fetch, filter_: Any = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._fetch = fetch
        self.filter = filter_
        self.sort_key, self.descending = self.DEFAULT_SORT
        self.total = 0
        self.counted = True  # False: `total` is a lower bound while the exact count is read
        self._pages: OrderedDict[int, tuple[T, ...]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.loading = False
        self._columns = {int(c): c for c in self.Columns}  # data() asks for a column thousands of times

    # ---------------------------------------------------------------- Qt overrides

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Every row the filter matches, loaded or not."""
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One column per `Columns` member."""
        return 0 if parent.isValid() else len(self.Columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles from HEADERS."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.Columns):
            if role == Qt.ItemDataRole.DisplayRole:
                # Headers are English source text; each model's class name is their translation context.
                return QCoreApplication.translate(type(self).__name__, self.HEADERS[self.Columns(section)])
            if role == Qt.ItemDataRole.TextAlignmentRole and self.Columns(section) in self.RIGHT_ALIGNED:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cells of loaded pages; a missing page is requested and shows as empty until it arrives."""
        if role in UNANSWERED or not index.isValid() or index.row() >= self.total:
            return None
        row = self.row_at(index.row())
        column = self._columns[index.column()]
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.cell(row, column, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by the column's key; columns without one keep the current order."""
        key = self.SORT_KEYS.get(self.Columns(column)) if 0 <= column < len(self.Columns) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if key is None or (key, descending) == (self.sort_key, self.descending):
            return  # e.g. the view announcing the order the rows already come in
        self.sort_key, self.descending = key, descending
        self.refresh()

    # ---------------------------------------------------------------- for subclasses

    def cell(self, row: T, column: Any, role: int) -> Any:
        raise NotImplementedError

    # ---------------------------------------------------------------- loading

    def set_filter(self, filter_: Any) -> None:
        self.filter = filter_
        self.refresh()

    def refresh(self) -> None:
        """Throw away what is loaded and ask again from the first page."""
        self._generation += 1
        generation = self._generation
        self._pending.clear()
        self.loading = True
        filter_, key, desc = self.filter, self.sort_key, self.descending
        self.ops.run(
            lambda: self._fetch(filter_, key, desc, 0, self.PAGE_SIZE),
            lambda page: self._first_page(generation, page),
            lambda exc: self._failed(generation, exc),
        )

    def requery(self) -> None:
        """Read the rows the user is looking at again, keeping their place.

        The most recently shown pages are read again in one job; pages further away are dropped
        and read when scrolled to. If the count is unchanged the rows update in place. If rows
        came or went, the model is replaced between `replacing` and `replaced`, which the view
        uses to keep the same record selected and at the same place on the screen.
        """
        if self.loading or not self._pages:
            self.refresh()
            return
        self._generation += 1
        generation = self._generation
        self._pending.clear()
        numbers = list(self._pages)[-self.REQUERY_PAGES :]
        filter_, key, desc, fetch, size = self.filter, self.sort_key, self.descending, self._fetch, self.PAGE_SIZE

        def read() -> dict[int, Page[T]]:
            pages = {number: fetch(filter_, key, desc, number * size, size) for number in sorted(numbers)}
            if not any(page.counted for page in pages.values()):
                exact = self._exact_count(fetch, filter_, key, desc)
                pages = {number: replace(page, total=exact, counted=True) for number, page in pages.items()}
            return pages

        self.ops.run(
            read,
            lambda pages: self._requeried(generation, pages),
            lambda exc: self._failed(generation, exc),
        )

    def _requeried(self, generation: int, pages: dict[int, Page[T]]) -> None:
        if generation != self._generation:
            return
        totals = {page.total for page in pages.values() if page.counted}
        if len(totals) != 1:
            self.refresh()  # a write landed between two of the reads: read once more from the top
            return
        (total,) = totals
        fresh = OrderedDict((number, pages[number].rows) for number in pages if number * self.PAGE_SIZE < total)
        if self.counted and total == self.total:
            for number in [n for n in self._pages if n not in fresh]:
                del self._pages[number]
            self._pages.update(fresh)
            if total:
                self.dataChanged.emit(self.index(0, 0), self.index(total - 1, len(self.Columns) - 1))
            return
        self.replacing.emit()
        self.beginResetModel()
        self.total, self.counted = total, True
        self._pages = fresh
        self.endResetModel()
        self.replaced.emit()

    def row_key(self, row: T) -> Any:
        """What identifies a row across reads (its id unless a subclass says otherwise)."""
        return getattr(row, "id", None)

    def find_key(self, key: Any) -> int | None:
        """The row now showing the record `key`, if it is among the loaded pages."""
        if key is None:
            return None
        for number, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if self.row_key(row) == key:
                    return number * self.PAGE_SIZE + offset
        return None

    def _first_page(self, generation: int, page: Page[T]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self.total, self.counted = page.total, page.counted
        self._pages = OrderedDict({0: page.rows})
        self.endResetModel()
        self.loading = False
        self.loaded.emit()
        if not page.counted:
            self._count_rows(generation)

    def _count_rows(self, generation: int) -> None:
        """The first page came with a lower bound of the count: read the exact one behind it."""
        filter_, key, desc, fetch = self.filter, self.sort_key, self.descending, self._fetch
        self.ops.run(
            lambda: self._exact_count(fetch, filter_, key, desc),
            lambda total: self._counted(generation, total),
            lambda exc: self._failed(generation, exc),
        )

    @classmethod
    def _exact_count(cls, fetch: Fetch, filter_: Any, key: str | None, desc: bool) -> int:
        return fetch(filter_, key, desc, cls.PAGE_SIZE, 1).total  # pages past the first are always counted

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation and not self.counted:
            self._adopt_total(total)

    def _adopt_total(self, total: int) -> bool:
        """Take the exact count in place of the lower bound; False if rows went meanwhile and all is read again."""
        if total < self.total:
            self.refresh()
            return False
        self.counted = True
        if total > self.total:
            self.beginInsertRows(QModelIndex(), self.total, total - 1)
            self.total = total
            self.endInsertRows()
        self.counted_rows.emit()
        return True

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation == self._generation:
            self.loading = False
            self.failed.emit(message_for(exc))

    def row_at(self, row: int) -> T | None:
        number, offset = divmod(row, self.PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            self._request(number)
            return None
        self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def is_loaded(self, row: int) -> bool:
        return row // self.PAGE_SIZE in self._pages

    def _request(self, number: int) -> None:
        if number in self._pending:
            return
        self._pending.add(number)
        generation = self._generation
        filter_, key, desc = self.filter, self.sort_key, self.descending
        self.ops.run(
            lambda: self._fetch(filter_, key, desc, number * self.PAGE_SIZE, self.PAGE_SIZE),
            lambda page: self._page_arrived(generation, number, page),
            lambda exc: self._failed(generation, exc),
        )

    def _page_arrived(self, generation: int, number: int, page: Page[T]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        if page.counted and not self.counted:
            if not self._adopt_total(page.total):
                return
        elif page.counted and page.total != self.total:
            # Rows came or went since the count: read again rather than show a shifted page.
            self.requery()
            return
        self._pages[number] = page.rows
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = number * self.PAGE_SIZE
        last = min(first + len(page.rows), self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.Columns) - 1))

    def fetch_all(self) -> Callable[[], list[T]]:
        """A function for a worker that reads every row of the current filter and sort, page by page."""
        filter_, key, desc, fetch = self.filter, self.sort_key, self.descending, self._fetch

        def read() -> list[T]:
            rows: list[T] = []
            offset = 0
            while True:
                page = fetch(filter_, key, desc, offset, 1000)
                rows.extend(page.rows)
                offset += len(page.rows)
                if not page.rows or offset >= page.total:
                    return rows

        return read

    def text(self, row: T, column: Any) -> str:
        value = self.cell(row, column, Qt.ItemDataRole.DisplayRole)
        return "" if value is None else str(value)
