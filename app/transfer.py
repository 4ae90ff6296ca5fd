"""CSV import and export: warehouses, materials, suppliers, customers, lines and opening stock.

An import is all or nothing. Every row is checked first with the rules the forms and services
apply (app/services); one bad row (an unknown code, a duplicate, a bad number or day, a wrong
unit) and nothing is written, and the refusal lists every bad row with its line and column.
Records are matched by code (opening stock by batch number), so importing the same file twice
creates nothing twice: a record that exists is updated where the file differs, a batch that
exists is reported and not received again. What is written is journaled record by record, as
the services journal it, plus one entry for the import itself, in one transaction.

Opening stock books each batch's receipt into the ledger like any other receipt; a batch the
file gives as approved or blocked then gets that quality decision, journaled as such. Only an
admin imports, and an admin may take a manager's decisions, so the database's rule that only a
manager sets a status other than pending holds for the import too.

An export writes the same columns, so export → import gives back the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.sql.schema import Table as SqlTable

from app import csvfiles, journal
from app import validation as v
from app.csvfiles import Table
from app.errors import ValidationError
from app.permissions import require
from app.services import masterdata as md
from app.services.customers import customer_fields
from data.models import (
    Batch,
    Customer,
    Material,
    ProductionLine,
    StockBalance,
    StockMovement,
    Supplier,
    Warehouse,
)
from data.uow import UnitOfWork
from domain.vocabulary import (
    CODE_LEN,
    NUMBER_LEN,
    REASON_LEN,
    BatchStatus,
    ImportKind,
    LineStage,
    MaterialKind,
    MovementKind,
    Term,
    Unit,
    WarehouseKind,
)

Progress = Callable[[str, int, int], None]  # stage ("checking", "writing"), done, of how many
CHECKING, WRITING = "checking", "writing"
CHUNK = 1000  # rows per statement, and between progress reports
OPENING_NOTE = "opening stock"
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")


def _silent(_stage: str, _done: int, _total: int) -> None:
    pass


# ---------------------------------------------------------------- what an import says


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, or header) of the file."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRefused(ValidationError):
    """The file has bad rows: nothing was written. The message names every one."""

    def __init__(self, file_name: str, problems: Sequence[Problem]) -> None:
        count = len({p.line for p in problems})
        head = f"Nothing was imported from {file_name}: {count} line{'s' if count != 1 else ''} cannot be taken."
        super().__init__("\n".join([head, *(str(p) for p in problems)]), "file")
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ImportResult:
    kind: ImportKind
    file_name: str
    rows: int
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    existing: tuple[str, ...] = ()  # opening stock: batches already in the plant, not received again
    dry_run: bool = False  # checked only: what the import would do

    def summary(self) -> str:
        will = "would be " if self.dry_run else ""
        stock = self.kind is ImportKind.OPENING_STOCK
        noun = ("batch", "batches") if stock else ("record", "records")
        parts = [f"{_count(len(self.created), *noun)} {will}created"]
        if not stock:
            parts.append(f"{len(self.updated)} {will}updated")
            parts.append(f"{self.unchanged} unchanged")
        if self.existing:
            parts.append(f"{_count(len(self.existing), *noun)} already in the plant, not received again")
        return f"{self.file_name}, {self.kind.label}: " + ", ".join(parts) + "."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Columns:
    """A file's columns: those it must have, and those it may (left out: kept on update, default on create)."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


COLUMNS: dict[ImportKind, Columns] = {
    ImportKind.WAREHOUSES: Columns(("code", "name", "kind"), ("adr", "archived")),
    ImportKind.MATERIALS: Columns(("code", "name", "kind", "unit"), ("reorder_level", "shelf_life_days", "archived")),
    ImportKind.SUPPLIERS: Columns(("code", "name"), ("contact", "email", "phone", "address", "tax_id", "archived")),
    ImportKind.CUSTOMERS: Columns(
        ("code", "name"), ("contact", "email", "phone", "address", "tax_id", "notes", "archived")
    ),
    ImportKind.LINES: Columns(("code", "name", "stage", "rate_per_hour", "rate_unit"), ("archived",)),
    ImportKind.OPENING_STOCK: Columns(
        ("batch_number", "material", "warehouse", "quantity"),
        ("unit", "supplier", "received", "expiry", "status", "reason"),
    ),
}


def column_name(text: str) -> str:
    """A header as people write it ("Batch number", "tax-id") in the file's column words."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _header_problems(kind: ImportKind, header: tuple[str, ...]) -> list[Problem]:
    names = [column_name(h) for h in header]
    known = COLUMNS[kind]
    problems = [
        Problem(1, h, f"unknown column; a file of {kind.label} has: {', '.join(known.all)}")
        for h, name in zip(header, names, strict=True)
        if name not in known.all
    ]
    problems += [
        Problem(1, h, "the column is there twice")
        for i, (h, name) in enumerate(zip(header, names, strict=True))
        if name in names[:i]
    ]
    problems += [Problem(1, name, "the file needs this column") for name in known.required if name not in names]
    return problems


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


class _Row:
    """One line of the file, its cells by column, read as the plant's values."""

    def __init__(self, line: int, header: Sequence[str], cells: Sequence[str], decimal_comma: bool) -> None:
        self.line = line
        self.cells = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        self.decimal_comma = decimal_comma

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def term(self, column: str, vocabulary: type[Term]) -> str:
        """A stored value ("raw_materials") or its words ("raw materials"), in any case."""
        given = self.text(column)
        wanted = given.lower()
        for member in vocabulary:
            if wanted in (member.value.lower(), member.label.lower()):
                return member.value
        raise _Bad(column, f"“{given}” is not one of: {', '.join(vocabulary.values())}")

    def flag(self, column: str) -> bool:
        given = self.text(column).lower()
        if given in YES:
            return True
        if given in NO:
            return False
        raise _Bad(column, f"“{self.text(column)}” is neither yes nor no")

    def number(self, column: str) -> str:
        given = self.text(column)
        if not given:
            return ""
        try:
            return csvfiles.number(given, self.decimal_comma)
        except ValueError:
            raise _Bad(column, f"“{given}” is not a number") from None

    def code(self, column: str, length: int = CODE_LEN) -> str:
        try:
            return v.code(self.text(column), column, length)
        except ValidationError as exc:
            raise _Bad(column, _message(exc)) from None


def _message(exc: ValidationError) -> str:
    """A service's sentence as a cell's message: without its final full stop."""
    return str(exc).rstrip(".")


def _rows(table: Table) -> Iterator[_Row]:
    header = [column_name(h) for h in table.header]
    for line, cells in table.rows:
        yield _Row(line, header, cells, table.decimal_comma)


# ---------------------------------------------------------------- master data


@dataclass(frozen=True)
class _Master:
    """How a kind of master data is matched, checked and written."""

    model: Any
    entity: str  # the journal's word
    values: Callable[[_Row, Any], dict[str, Any]]  # the row's fields (an existing record fills what it leaves out)
    created: Callable[[str, dict[str, Any]], journal.Entry]
    check_edit: Callable[[UnitOfWork, Any, dict[str, Any]], None] | None = None
    check_archive: Callable[[UnitOfWork, Any], None] | None = None


def _keep(row: _Row, column: str, existing: Any, read: Callable[[str], Any], default: Any = None) -> Any:
    """The row's value, or (the column left out of the file) the record's own, or the default."""
    if row.has(column):
        return read(column)
    return getattr(existing, column) if existing is not None else default


def _warehouse(row: _Row, old: Any) -> dict[str, Any]:
    return md.warehouse_fields(
        _keep(row, "name", old, row.text),
        _keep(row, "kind", old, lambda c: row.term(c, WarehouseKind)),
        _keep(row, "adr", old, row.flag, False),
    )


def _material(row: _Row, old: Any) -> dict[str, Any]:
    return md.material_fields(
        _keep(row, "name", old, row.text),
        _keep(row, "kind", old, lambda c: row.term(c, MaterialKind)),
        _keep(row, "unit", old, lambda c: row.term(c, Unit)),
        _keep(row, "reorder_level", old, row.number, None),
        _keep(row, "shelf_life_days", old, row.number, None),
    )


def _supplier(row: _Row, old: Any) -> dict[str, Any]:
    keep = [_keep(row, c, old, row.optional) for c in ("contact", "email", "phone", "address", "tax_id")]
    return md.supplier_fields(_keep(row, "name", old, row.text), *keep)


def _customer(row: _Row, old: Any) -> dict[str, Any]:
    keep = [_keep(row, c, old, row.optional) for c in ("contact", "email", "phone", "address", "tax_id", "notes")]
    return customer_fields(_keep(row, "name", old, row.text), *keep)


def _line(row: _Row, old: Any) -> dict[str, Any]:
    return md.line_fields(
        _keep(row, "name", old, row.text),
        _keep(row, "stage", old, lambda c: row.term(c, LineStage)),
        _keep(row, "rate_per_hour", old, row.number),
        _keep(row, "rate_unit", old, lambda c: row.term(c, Unit)),
    )


MASTERS: dict[ImportKind, _Master] = {
    ImportKind.WAREHOUSES: _Master(
        Warehouse,
        journal.WAREHOUSE,
        _warehouse,
        lambda code, f: journal.warehouse_created(code, f["name"], f["kind"], f["adr"]),
        check_archive=md.check_warehouse_archive,
    ),
    ImportKind.MATERIALS: _Master(
        Material,
        journal.MATERIAL,
        _material,
        lambda code, f: journal.material_created(
            code, f["name"], f["kind"], f["unit"], f["reorder_level"], f["shelf_life_days"]
        ),
        check_edit=md.check_material_edit,
    ),
    ImportKind.SUPPLIERS: _Master(
        Supplier, journal.SUPPLIER, _supplier, lambda code, f: journal.supplier_created(code, f["name"])
    ),
    ImportKind.CUSTOMERS: _Master(
        Customer, journal.CUSTOMER, _customer, lambda code, f: journal.customer_created(code, f["name"], f)
    ),
    ImportKind.LINES: _Master(
        ProductionLine,
        journal.LINE,
        _line,
        lambda code, f: journal.line_created(code, f["name"], f["stage"], f["rate_per_hour"], f["rate_unit"]),
        check_edit=md.check_line_edit,
        check_archive=md.check_line_archive,
    ),
}


@dataclass
class _Create:
    code: str
    fields: dict[str, Any]
    archived: bool


@dataclass
class _Update:
    record: Any
    fields: dict[str, Any]  # every field, as it will be
    changed: dict[str, Any]  # those that change
    archived: bool


@dataclass
class _MasterPlan:
    creates: list[_Create] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    unchanged: int = 0


def _plan_master(
    uow: UnitOfWork, kind: ImportKind, table: Table, problems: list[Problem], progress: Progress, lock: bool
) -> _MasterPlan:
    spec = MASTERS[kind]
    stmt = select(spec.model)
    if lock:
        stmt = stmt.with_for_update()
    existing = {record.code: record for record in uow.session.scalars(stmt)}
    plan = _MasterPlan()
    seen: dict[str, int] = {}
    total = len(table.rows)
    for done, row in enumerate(_rows(table), start=1):
        if done % CHUNK == 0:
            progress(CHECKING, done, total)
        try:
            _plan_record(uow, spec, row, existing, seen, plan)
        except _Bad as bad:
            problems.append(Problem(row.line, bad.column, bad.message))
        except ValidationError as exc:
            problems.append(Problem(row.line, exc.field or "", _message(exc)))
    progress(CHECKING, total, total)
    return plan


def _plan_record(
    uow: UnitOfWork, spec: _Master, row: _Row, existing: dict[str, Any], seen: dict[str, int], plan: _MasterPlan
) -> None:
    """What the row does: create a record, update one, or nothing; _Bad or ValidationError when it cannot."""
    code = md.new_code(row.text("code"))
    if code in seen:
        raise _Bad("code", f"{code} is on line {seen[code]} already")
    seen[code] = row.line
    old = existing.get(code)
    fields = spec.values(row, old)
    archived = _keep(row, "archived", old, row.flag, False)
    if old is None:
        plan.creates.append(_Create(code, fields, archived))
        return
    changed = {k: val for k, val in fields.items() if getattr(old, k) != val}
    if not changed and old.archived == archived:
        plan.unchanged += 1
        return
    if changed and spec.check_edit is not None:
        spec.check_edit(uow, old, fields)
    if archived and not old.archived and spec.check_archive is not None:
        try:
            spec.check_archive(uow, old)
        except ValidationError as exc:
            raise _Bad("archived", _message(exc)) from None
    plan.updates.append(_Update(old, fields, changed, archived))


def _table(model: Any) -> SqlTable:
    """A model's table, for statements that write many rows at once without the ORM."""
    table = model.__table__
    assert isinstance(table, SqlTable)
    return table


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ids(uow: UnitOfWork, column: Any, keys: Sequence[str], id_column: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys, 500):
        rows = uow.session.execute(select(column.label("key"), id_column.label("id")).where(column.in_(chunk)))
        found.update({row.key: row.id for row in rows})
    return found


def _write_master(uow: UnitOfWork, kind: ImportKind, plan: _MasterPlan, progress: Progress) -> int:
    """Insert and update in chunks; returns the journal entries written."""
    spec = MASTERS[kind]
    table = _table(spec.model)
    total = len(plan.creates) + len(plan.updates)
    done = entries = 0
    for chunk in _chunks(plan.creates):
        written = uow.session.execute(
            insert(table).returning(table.c.code, table.c.id),
            [{"code": c.code, **c.fields, "archived": c.archived, "version": 1} for c in chunk],
        )
        ids: dict[str, int] = {code: id_ for code, id_ in written}
        journal_rows = []
        for c in chunk:
            entry = spec.created(c.code, c.fields)
            journal_rows.append((spec.entity, ids[c.code], entry.action, entry.summary, entry.details))
            if c.archived:
                entry = journal.archived(spec.entity, c.code, c.fields["name"], True, "imported as archived")
                journal_rows.append((spec.entity, ids[c.code], entry.action, entry.summary, entry.details))
        uow.record_events(journal_rows)
        entries += len(journal_rows)
        done += len(chunk)
        progress(WRITING, done, total)
    if plan.updates:
        names = list(plan.updates[0].fields)
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                **{name: bindparam(name) for name in names},
                archived=bindparam("_archived"),
                version=table.c.version + 1,
            )
        )
        for chunk in _chunks(plan.updates):
            uow.session.execute(
                statement,
                [{"_id": u.record.id, "_archived": u.archived, **u.fields} for u in chunk],
                execution_options={"synchronize_session": False},
            )
            journal_rows = []
            for u in chunk:
                code = u.record.code
                if u.changed:
                    entry = journal.edited(spec.entity, code, u.changed)
                    journal_rows.append((spec.entity, u.record.id, entry.action, entry.summary, entry.details))
                if u.archived != u.record.archived:
                    entry = journal.archived(spec.entity, code, u.fields["name"], u.archived, "by import")
                    journal_rows.append((spec.entity, u.record.id, entry.action, entry.summary, entry.details))
            uow.record_events(journal_rows)
            entries += len(journal_rows)
            done += len(chunk)
            progress(WRITING, done, total)
    return entries


# ---------------------------------------------------------------- opening stock


@dataclass
class _Batch:
    line: int
    number: str
    material: Material
    supplier: Supplier | None
    received: datetime
    expiry: Any
    status: str
    reason: str | None
    stock: list[tuple[Warehouse, Decimal]] = field(default_factory=list)


@dataclass
class _StockPlan:
    batches: list[_Batch] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def _known(records: dict[str, Any], row: _Row, column: str, noun: str, *, in_use: bool = False) -> Any:
    code = row.code(column).upper()
    record = records.get(code)
    if record is None:
        raise _Bad(column, f"there is no {noun} “{code}”")
    if in_use and record.archived:
        raise _Bad(column, f"{noun} {code} is archived")
    return record


def _stock_row(uow: UnitOfWork, row: _Row, ref: dict[str, dict[str, Any]]) -> tuple[_Batch, Warehouse, Decimal]:
    number = row.code("batch_number", NUMBER_LEN)
    # Opening stock is what is on the shelves already: it may be of a material no longer bought, from a
    # supplier no longer used (archived), but it lies in a warehouse in use.
    mat: Material = _known(ref["materials"], row, "material", "material")
    wh: Warehouse = _known(ref["warehouses"], row, "warehouse", "warehouse", in_use=True)
    sup: Supplier | None = _known(ref["suppliers"], row, "supplier", "supplier") if row.text("supplier") else None
    if row.text("unit"):
        unit = row.term("unit", Unit)
        if unit != mat.unit:
            raise _Bad("unit", f"{mat.code} is counted in {mat.unit}, not in {unit}")
    try:
        qty = v.quantity(row.number("quantity") or None, mat.unit)
    except ValidationError as exc:
        raise _Bad("quantity", _message(exc)) from None
    received = ref["now"]["at"]
    if row.text("received"):
        try:
            received = csvfiles.a_moment(row.text("received"))
        except ValueError:
            raise _Bad("received", f"“{row.text('received')}” is not a day (YYYY-MM-DD or DD.MM.YYYY)") from None
        if received > ref["now"]["at"] + timedelta(minutes=5):
            raise _Bad("received", f"{received:%Y-%m-%d %H:%M} lies in the future")
    expiry = None
    if row.text("expiry"):
        try:
            expiry = csvfiles.a_day(row.text("expiry"))
        except ValueError:
            raise _Bad("expiry", f"“{row.text('expiry')}” is not a day (YYYY-MM-DD or DD.MM.YYYY)") from None
        if expiry < received.date():
            raise _Bad("expiry", f"{expiry:%Y-%m-%d} is before the day received, {received:%Y-%m-%d}")
    status = row.term("status", BatchStatus) if row.text("status") else BatchStatus.PENDING.value
    try:
        reason = v.text(row.text("reason"), "reason", REASON_LEN, required=status == BatchStatus.BLOCKED)
    except ValidationError:
        raise _Bad("reason", "a blocked batch needs the reason it is blocked") from None
    batch = _Batch(row.line, number, mat, sup, received, expiry, status, reason)
    return batch, wh, qty


def _same_batch(first: _Batch, again: _Batch) -> str | None:
    """Why two rows of one batch number cannot be one batch (in two warehouses), if they cannot."""
    for what, a, b in (
        ("material", first.material.code, again.material.code),
        ("supplier", first.supplier.code if first.supplier else "", again.supplier.code if again.supplier else ""),
        ("day received", first.received, again.received),
        ("expiry", first.expiry, again.expiry),
        ("status", first.status, again.status),
    ):
        if a != b:
            return f"batch {first.number} is on line {first.line} with another {what}"
    return None


def _plan_stock(uow: UnitOfWork, table: Table, problems: list[Problem], progress: Progress) -> _StockPlan:
    s = uow.session
    ref: dict[str, dict[str, Any]] = {
        "materials": {m.code: m for m in s.scalars(select(Material))},
        "warehouses": {w.code: w for w in s.scalars(select(Warehouse))},
        "suppliers": {x.code: x for x in s.scalars(select(Supplier))},
        "now": {"at": uow.now()},  # a row without its day was received now: the same moment for every row
    }
    batches: dict[str, _Batch] = {}
    total = len(table.rows)
    for done, row in enumerate(_rows(table), start=1):
        if done % CHUNK == 0:
            progress(CHECKING, done, total)
        try:
            batch, wh, qty = _stock_row(uow, row, ref)
        except _Bad as bad:
            problems.append(Problem(row.line, bad.column, bad.message))
            continue
        first = batches.get(batch.number)
        if first is None:
            batches[batch.number] = first = batch
        else:
            clash = _same_batch(first, batch)
            if clash is None and any(w.id == wh.id for w, _q in first.stock):
                clash = f"batch {batch.number} is in {wh.code} on line {first.line} already"
            if clash is not None:
                problems.append(Problem(row.line, "batch_number", clash))
                continue
        first.stock.append((wh, qty))
    progress(CHECKING, total, total)
    numbers = list(batches)
    there = set(_ids(uow, Batch.number, numbers, Batch.id))
    return _StockPlan(
        batches=[b for number, b in batches.items() if number not in there],
        existing=[number for number in batches if number in there],
    )


def _write_stock(uow: UnitOfWork, plan: _StockPlan, progress: Progress) -> int:
    """Each batch, its receipts into the ledger, and its quality decision; returns the journal entries written.

    A batch the file gives as approved or blocked is written with that status at once, which the database
    lets only a manager (an admin is one) do, and its decision is journaled like a manager's.
    """
    if any(b.status != BatchStatus.PENDING for b in plan.batches):
        require(uow.actor, "batch.quality")
    now, user = uow.now(), uow.actor.id
    total, done, entries = len(plan.batches), 0, 0
    for chunk in _chunks(plan.batches):
        ids = uow.insert_many_with_ids(
            Batch,
            [
                {
                    "number": b.number,
                    "material_id": b.material.id,
                    "supplier_id": b.supplier.id if b.supplier else None,
                    "production_order_id": None,
                    "received_at": b.received,
                    "expiry_date": b.expiry,
                    "status": b.status,
                    "status_reason": b.reason if b.status == BatchStatus.BLOCKED else None,
                    "version": 1,
                }
                for b in chunk
            ],
            "number",
        )
        receipts = [(ids[b.number], wh, qty, b) for b in chunk for wh, qty in b.stock]
        uow.insert_many(
            StockMovement,
            [
                {
                    "batch_id": batch_id,
                    "kind": MovementKind.RECEIPT.value,
                    "quantity": qty,
                    "from_warehouse_id": None,
                    "to_warehouse_id": wh.id,
                    "production_order_id": None,
                    "user_id": user,
                    "created_at": now,
                    "note": OPENING_NOTE,
                }
                for batch_id, wh, qty, _b in receipts
            ],
        )
        journal_rows: list[tuple[str, int | None, str, str, dict[str, Any] | None]] = []
        for batch_id, wh, qty, b in receipts:
            sup = b.supplier
            entry = journal.opening_stock(
                b.number, b.material.code, b.material.name, sup.code if sup else None, sup.name if sup else None,
                wh.code, qty, b.material.unit, b.expiry,
            )  # fmt: skip
            journal_rows.append(("batch", batch_id, entry.action, entry.summary, entry.details))
        for b in chunk:
            if b.status == BatchStatus.APPROVED:
                entry = journal.approved(b.number, BatchStatus.PENDING.value)
            elif b.status == BatchStatus.BLOCKED:
                entry = journal.blocked(b.number, BatchStatus.PENDING.value, b.reason or "")
            else:
                continue
            journal_rows.append(("batch", ids[b.number], entry.action, entry.summary, entry.details))
        uow.record_events(journal_rows)
        entries += len(journal_rows)
        done += len(chunk)
        progress(WRITING, done, total)
    return entries


# ---------------------------------------------------------------- the import


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.", "file") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not a CSV file.", "file") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.", "file") from None


def import_csv(
    uow: UnitOfWork,
    kind: ImportKind,
    data: bytes,
    *,
    file_name: str = "the file",
    dry_run: bool = False,
    progress: Progress = _silent,
) -> ImportResult:
    """Check the file and, unless `dry_run` or it has bad rows, write all of it in one transaction.

    Raises ImportRefused (nothing written) when any row is bad; a dry run raises it as well, so the
    preview shows the same refusal the import would give.
    """
    require(uow.actor, "import.run")
    table = csvfiles.read(data)
    header_problems = _header_problems(kind, table.header)
    if header_problems:
        raise ImportRefused(file_name, header_problems)
    if not table.rows:
        raise ValidationError(f"{file_name} has a header but no rows.", "file")
    problems: list[Problem] = []
    uow.write = not dry_run
    with uow:
        if kind is ImportKind.OPENING_STOCK:
            stock = _plan_stock(uow, table, problems, progress)
            created, updated = tuple(b.number for b in stock.batches), ()
            unchanged, existing = 0, tuple(stock.existing)
        else:
            master = _plan_master(uow, kind, table, problems, progress, not dry_run)
            created = tuple(c.code for c in master.creates)
            updated = tuple(u.record.code for u in master.updates)
            unchanged, existing = master.unchanged, ()
        if problems:
            raise ImportRefused(file_name, sorted(problems, key=lambda p: p.line))
        result = ImportResult(kind, file_name, len(table.rows), created, updated, unchanged, existing, dry_run)
        if dry_run or not (created or updated):
            return result
        if kind is ImportKind.OPENING_STOCK:
            entries = _write_stock(uow, stock, progress)
        else:
            entries = _write_master(uow, kind, master, progress)
        uow.record_event(
            "import",
            None,
            "imported",
            f"Imported {result.summary()}",
            {"kind": kind.value, "file": file_name, "created": len(created), "updated": len(updated)},
        )
        uow.commit(entries=entries + 1)
        return result


# ---------------------------------------------------------------- the export


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, Decimal):
        return csvfiles.plain(value)
    return str(value)


def _master_rows(uow: UnitOfWork, kind: ImportKind) -> Iterator[list[str]]:
    model = MASTERS[kind].model
    columns = COLUMNS[kind].all
    for record in uow.session.scalars(select(model).order_by(model.code)):
        yield [_text(getattr(record, c)) for c in columns]


def _stock_rows(uow: UnitOfWork) -> Iterator[list[str]]:
    rows = uow.session.execute(
        select(
            Batch.number.label("number"),
            Material.code.label("material"),
            Warehouse.code.label("warehouse"),
            StockBalance.quantity.label("quantity"),
            Material.unit.label("unit"),
            Supplier.code.label("supplier"),
            Batch.received_at.label("received"),
            Batch.expiry_date.label("expiry"),
            Batch.status.label("status"),
            Batch.status_reason.label("reason"),
        )
        .select_from(StockBalance)
        .join(Batch, Batch.id == StockBalance.batch_id)
        .join(Material, Material.id == Batch.material_id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
        .where(StockBalance.quantity > 0)
        .order_by(Batch.number, Warehouse.code)
    )
    for r in rows:
        yield [
            r.number,
            r.material,
            r.warehouse,
            csvfiles.plain(r.quantity),
            r.unit,
            r.supplier or "",
            r.received.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            r.expiry.isoformat() if r.expiry else "",
            r.status,
            r.reason or "",
        ]


def export_csv(uow: UnitOfWork, kind: ImportKind) -> tuple[bytes, int]:
    """The kind's records as a CSV file in the import's columns, and how many rows it holds."""
    require(uow.actor, "read")
    with uow:
        rows = list(_stock_rows(uow) if kind is ImportKind.OPENING_STOCK else _master_rows(uow, kind))
    return csvfiles.write(COLUMNS[kind].all, rows), len(rows)
