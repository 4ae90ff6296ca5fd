"""CSV import and export (app/transfer.py) on both backends: all or nothing, every bad row named,
the same file twice creates nothing twice, opening stock booked like any receipt, export → import
gives back the same plant."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from app import queries as q
from app import services as s
from app import transfer
from app.audit import audit
from app.context import Context
from app.demo import load_demo
from app.errors import PermissionDenied, ValidationError
from app.permissions import Role
from app.transfer import ImportRefused
from data.db import open_database
from domain.vocabulary import ImportKind
from tests.conftest import in_days, snapshot
from tests.helpers import ledger_mismatches

W, M, SUP, C, L, STOCK = (
    ImportKind.WAREHOUSES,
    ImportKind.MATERIALS,
    ImportKind.SUPPLIERS,
    ImportKind.CUSTOMERS,
    ImportKind.LINES,
    ImportKind.OPENING_STOCK,
)


def run(ctx: Context, kind: ImportKind, csv: str, **kwargs: object) -> transfer.ImportResult:
    return transfer.import_csv(ctx.uow(), kind, csv.encode("utf-8"), file_name=f"{kind.value}.csv", **kwargs)  # type: ignore[arg-type]


def refused(ctx: Context, kind: ImportKind, csv: str) -> list[tuple[int, str]]:
    before = snapshot(ctx.database)
    with pytest.raises(ImportRefused) as info:
        run(ctx, kind, csv)
    assert snapshot(ctx.database) == before  # nothing written
    assert str(info.value).startswith(f"Nothing was imported from {kind.value}.csv")
    return [(p.line, p.column) for p in info.value.problems]


def test_master_data_comes_in_once_and_updates_by_code(admin: Context) -> None:
    warehouses = "code;name;kind;adr\nmag-1;Raw materials;raw materials;no\nMAG-1.1;ADR store;ADR;\n"
    assert run(admin, W, warehouses).created == ("MAG-1", "MAG-1.1")
    again = run(admin, W, warehouses)
    assert (again.created, again.updated, again.unchanged) == ((), (), 2)
    materials = (
        "\ufeffCode;Name;Kind;Unit;Reorder level;Shelf life days\n"
        'LDPE;"LDPE granulate; film";granulate;kg;"1 250,5";720\nCORE-76;Cores 76 mm;core;pcs;100;\n'
    )
    result = run(admin, M, materials)
    assert result.summary() == "materials.csv, materials: 2 records created, 0 updated, 0 unchanged."
    ldpe = q.materials(admin.reader(), q.MasterFilter(text="LDPE")).rows[0]
    assert (ldpe.name, ldpe.reorder_level, ldpe.shelf_life_days) == ("LDPE granulate; film", Decimal("1250.5"), 720)
    # A file with fewer columns updates what it has and keeps the rest.
    updated = run(admin, M, "code,name,kind,unit\nLDPE,LDPE FT5230,granulate,kg\nCORE-76,Cores 76 mm,core,pcs\n")
    assert (updated.updated, updated.unchanged) == (("LDPE",), 1)
    ldpe = q.materials(admin.reader(), q.MasterFilter(text="LDPE")).rows[0]
    assert (ldpe.name, ldpe.reorder_level, ldpe.shelf_life_days, ldpe.version) == (
        "LDPE FT5230",
        Decimal("1250.5"),
        720,
        2,
    )
    archived = run(admin, W, "code,name,kind,archived\nMAG-1.1,ADR store,adr,yes\n")
    assert archived.updated == ("MAG-1.1",)
    assert q.warehouses(admin.reader(), q.MasterFilter(archived=True)).rows[0].code == "MAG-1.1"
    run(admin, SUP, 'code,name,address,tax_id\nBASELL,LyondellBasell,"Frankfurt, DE",DE1\n')
    run(admin, C, 'code,name,notes\nC-001,Mleczarnia Łódź,"two\nlines"\n')
    run(admin, L, "code,name,stage,rate_per_hour,rate_unit\nEX-1,Extruder,extrusion,450,kg\n")
    assert q.customers(admin.reader()).rows[0].notes == "two\nlines"
    actions = [(e.entity_type, e.action) for e in q.events(admin.reader(), descending=False, limit=100).rows]
    assert actions.count(("material", "created")) == 2 and ("material", "edited") in actions
    assert ("warehouse", "archived") in actions and actions.count(
        ("import", "imported")
    ) == 7  # the unchanged file wrote nothing
    assert audit(admin.database) == []


def test_one_bad_row_and_nothing_is_written_every_bad_row_named(admin: Context) -> None:
    s.create_material(admin.uow(), code="LDPE", name="LDPE", kind="granulate", unit="kg")
    s.receive_batch(
        admin.uow(), number="B-1", material="LDPE", supplier=_supplier(admin), quantity=5, warehouse=_store(admin)
    )
    problems = refused(
        admin,
        M,
        "code,name,kind,unit,reorder_level,shelf_life_days\n"
        "INK,Ink,ink,kg,10,365\n"  # fine
        "INK,Ink again,ink,kg,,\n"  # a duplicate
        "X1,X,plastic,kg,,\n"  # no such kind
        "X2,X,ink,kgs,,\n"  # no such unit
        "X3,X,ink,kg,ten,\n"  # not a number
        "X4,X,core,pcs,2.5,\n"  # pieces are whole
        "X5,X,ink,kg,,0\n"  # no shelf life of 0 days
        ",Nameless,ink,kg,,\n"  # no code
        "LDPE,LDPE,granulate,m,,\n",  # its batches are counted in kg
    )
    assert problems == [
        (3, "code"),
        (4, "kind"),
        (5, "unit"),
        (6, "reorder_level"),
        (7, "reorder_level"),
        (8, "shelf_life_days"),
        (9, "code"),
        (10, "unit"),
    ]
    assert refused(admin, W, "code,name\nMAG-9,Nine\n") == [(1, "kind")]
    assert refused(admin, W, "code,name,kind,colour\nMAG-9,Nine,production,red\n") == [(1, "colour")]
    with pytest.raises(ValidationError, match="The file is empty"):
        run(admin, W, "")
    with pytest.raises(ValidationError, match="not UTF-8"):
        transfer.import_csv(admin.uow(), W, "code\nŁódź\n".encode("cp1250"), file_name="w.csv")


def _store(ctx: Context) -> str:
    s.create_warehouse(ctx.uow(), code="MAG-1", name="Raw", kind="raw_materials")
    return "MAG-1"


def _supplier(ctx: Context) -> str:
    s.create_supplier(ctx.uow(), code="BASELL", name="LyondellBasell")
    return "BASELL"


def test_opening_stock_is_received_like_any_receipt(plant: Context) -> None:
    s.receive_batch(plant.uow(), number="B-0", material="LDPE", supplier="BASELL", quantity=5, warehouse="MAG-1")
    s.set_supplier_archived(plant.uow(), code="BASELL", archived=True)
    s.create_supplier(plant.uow(), code="SIEGWERK", name="Siegwerk")
    stock = (
        "batch_number,material,warehouse,quantity,unit,supplier,received,expiry,status,reason\n"
        'O-1,LDPE,MAG-1,"1,000.5",kg,SIEGWERK,2026-01-05 08:30,2028-01-05,approved,\n'
        "O-2,INK-CYAN,MAG-1.1,20,,SIEGWERK,05.02.2026,,blocked,colour off\n"
        "O-2,INK-CYAN,MAG-1,5,,SIEGWERK,05.02.2026,,blocked,colour off\n"
        "O-3,FILM-PE-50,MAG-6,480,,,,,,\n"
        "B-0,LDPE,MAG-1,5,,,,,,\n"
    )
    checked = run(plant, STOCK, stock, dry_run=True)
    assert checked.summary() == (
        "opening-stock.csv, opening stock: 3 batches would be created, "
        "1 batch already in the plant, not received again."
    )
    assert q.batches(plant.reader()).total == 1  # a dry run writes nothing
    done = run(plant, STOCK, stock)
    assert done.created == ("O-1", "O-2", "O-3") and done.existing == ("B-0",)
    batches = {b.number: b for b in q.batches(plant.reader(), limit=10).rows}
    assert (batches["O-1"].status, batches["O-1"].quantity, batches["O-1"].expiry_date.isoformat()) == (
        "approved",
        Decimal("1000.5"),
        "2028-01-05",
    )
    assert batches["O-2"].status == "blocked" and batches["O-2"].status_reason == "colour off"
    assert batches["O-2"].quantity == 25 and batches["O-2"].locations == "MAG-1, MAG-1.1"
    assert batches["O-3"].origin == "" and batches["O-3"].status == "pending"
    received = q.events(plant.reader(), q.EventFilter(action="received", text="Opening stock")).rows
    assert len(received) == 4  # one per receipt; O-2 came into two warehouses
    decisions = {e.summary for e in q.events(plant.reader(), q.EventFilter(entity_type="batch")).rows}
    assert {"Approved batch O-1 (was pending)", "Blocked batch O-2: colour off"} <= decisions
    assert ledger_mismatches(plant.database) == [] and audit(plant.database) == []
    again = run(plant, STOCK, stock)
    assert again.created == () and set(again.existing) == {"O-1", "O-2", "O-3", "B-0"}
    assert q.batches(plant.reader()).total == 4


def test_bad_opening_stock_rows(plant: Context) -> None:
    s.set_material_archived(plant.uow(), code="CORE-76", archived=True)
    s.set_warehouse_archived(plant.uow(), code="MAG-8", archived=True)
    problems = refused(
        plant,
        STOCK,
        "batch_number;material;warehouse;quantity;unit;supplier;received;expiry;status;reason\n"
        "O-1;LDPE;MAG-1;10;;;;;;\n"  # fine
        "O-2;NOPE;MAG-1;10;;;;;;\n"  # no such material
        "O-3;LDPE;MAG-99;10;;;;;;\n"  # no such warehouse
        "O-4;LDPE;MAG-1;10,5;pcs;;;;;\n"  # LDPE is counted in kg
        "O-5;LDPE;MAG-1;ten;;;;;;\n"  # not a number
        "O-6;LDPE;MAG-1;-4;;;;;;\n"  # not a receipt
        "O-7;LDPE;MAG-1;1;;;31.02.2026;;;\n"  # no such day
        f"O-8;LDPE;MAG-1;1;;;;{in_days(-1000):%Y-%m-%d};;\n"  # expires before it came
        "O-9;LDPE;MAG-1;1;;;;;blocked;\n"  # blocked without a reason
        "O-10;LDPE;MAG-1;1;;;;;fine;\n"  # no such status
        "O-11;CORE-76;MAG-8;1;;;;;;\n"  # the material no longer bought is fine; the warehouse is archived
        "O-1;LDPE;MAG-1;3;;;;;;\n"  # the same batch in the same warehouse twice
        "O-12;LDPE;MAG-1;1;;NOBODY;;;;\n",  # no such supplier
    )
    assert problems == [
        (3, "material"),
        (4, "warehouse"),
        (5, "unit"),
        (6, "quantity"),
        (7, "quantity"),
        (8, "received"),
        (9, "expiry"),
        (10, "reason"),
        (11, "status"),
        (12, "warehouse"),
        (13, "batch_number"),
        (14, "supplier"),
    ]


def test_only_an_admin_imports_anyone_exports(people: dict[Role, Context], plant: Context) -> None:
    for role in (Role.VIEWER, Role.CLERK, Role.PLANNER, Role.MANAGER):
        with pytest.raises(PermissionDenied, match="Only an admin may import data from CSV files"):
            run(people[role], W, "code,name,kind\nMAG-9,Nine,production\n")
    data, rows = transfer.export_csv(people[Role.VIEWER].reader(), W)
    assert rows == 5 and data.startswith(b"\xef\xbb\xbfcode,name,kind,adr,archived\r\n")


def test_export_then_import_gives_back_the_same_plant(database_url: str, tmp_path: Path, backend: str) -> None:
    """The demo plant exported, imported into a new empty database, exported again: the same files."""
    from app.security import SYSTEM
    from data.migrate import upgrade

    source = open_database(database_url)
    load_demo(source, events=0)
    s.set_supplier_archived(Context(source, SYSTEM).uow(), code="SMURFIT", archived=True)
    first = {kind: transfer.export_csv(Context(source, SYSTEM).reader(), kind) for kind in ImportKind}
    source.dispose()
    if backend == "sqlite":
        target_url = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    else:
        target_url = database_url + "_copy"
        with psycopg.connect(_server(database_url), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {target_url.rsplit('/', 1)[1]}")
        from tests.conftest import claim_plant

        claim_plant(target_url)  # the suite's server holds one plant at a time: this one now
    target = open_database(target_url)
    try:
        upgrade(target)
        copy = Context(target, SYSTEM)
        for kind in (W, M, SUP, C, L, STOCK):
            data, rows = first[kind]
            result = transfer.import_csv(copy.uow(), kind, data, file_name=f"{kind.value}.csv")
            numbers = {line.split(",")[0] for line in data.decode("utf-8-sig").splitlines()[1:]}
            assert len(result.created) == (len(numbers) if kind is STOCK else rows)
        second = {kind: transfer.export_csv(copy.reader(), kind) for kind in ImportKind}
        for kind in ImportKind:
            assert second[kind] == first[kind], kind
        assert audit(target) == [] and ledger_mismatches(target) == []
        with target.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM suppliers WHERE archived")).scalar() == 1
    finally:
        target.dispose()
        if backend == "postgresql":
            with psycopg.connect(_server(database_url), autocommit=True) as conn:
                conn.execute(f"DROP DATABASE {target_url.rsplit('/', 1)[1]} WITH (FORCE)")


def _server(database_url: str) -> str:
    """The server's maintenance database, as a plain libpq URL."""
    return database_url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres"
