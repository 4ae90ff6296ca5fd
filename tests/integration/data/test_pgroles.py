"""PostgreSQL enforces the permission table itself.

Each test connects with a person's own login, outside the application, the way
someone with psql and their password would, and shows what the server allows.
A second set signs in through the application as each role and does that
role's work, proving the grants are enough for the client.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import queries as q
from app import security
from app import services as s
from app.context import Context
from app.errors import AuthenticationFailed
from app.permissions import Role
from data.models import Base
from data.pgroles import GROUPS, login_roles_sql
from tests.conftest import in_days

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

PASSWORD = "correct horse"  # the `people` fixture's password
TABLES = sorted(Base.metadata.tables)
DENIED = (errors.InsufficientPrivilege,)


def connect(database_url: str, username: str, password: str = PASSWORD, **kwargs: object) -> psycopg.Connection:
    """psql's way in: a plain connection as that login, with nothing of the application in between."""
    url = make_url(database_url)
    return psycopg.connect(
        host=url.host,
        port=url.port,
        dbname=url.database,
        user=username,
        password=password,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def psql(database_url: str, people: dict[Role, Context], plant: Context) -> Iterator[dict[Role, psycopg.Connection]]:
    """A raw connection per role, as its own login (viewer1 … admin1), on a plant with a batch and an order."""
    s.receive_batch(plant.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=1000, warehouse="MAG-1")
    s.create_order(
        plant.uow(), number="PO-1", customer="C-001", product="PE-50", quantity=500, unit="kg", due_date=in_days(5)
    )
    conns = {role: connect(database_url, f"{role.label}1", autocommit=True) for role in Role}
    yield conns
    for conn in conns.values():
        conn.close()


def refused(conn: psycopg.Connection, sql: str, params: tuple[object, ...] = ()) -> bool:
    try:
        conn.execute(sql, params)  # type: ignore[arg-type]
    except DENIED:
        return True
    return False


def writes(table: str) -> list[str]:
    """An INSERT, an UPDATE and a DELETE on `table`, each refused before any row is looked at."""
    column = next(iter(Base.metadata.tables[table].columns)).name
    return [
        f"INSERT INTO {table} DEFAULT VALUES",
        f"UPDATE {table} SET {column} = {column}",
        f"DELETE FROM {table}",
        f"TRUNCATE {table}",
    ]


def test_a_viewer_reads_everything_and_writes_nothing(psql: dict[Role, psycopg.Connection]) -> None:
    viewer = psql[Role.VIEWER]
    for table in [*TABLES, "production_queue"]:
        viewer.execute(f"SELECT count(*) FROM {table}").fetchone()
    for table in TABLES:
        for sql in writes(table):
            assert refused(viewer, sql), sql
    assert refused(viewer, "SELECT mpsystem_create_login('mallory', 'admin', 'SCRAM-SHA-256$x')")
    assert refused(viewer, "SELECT mpsystem_set_login('clerk1', 'admin', true)")
    assert refused(viewer, "CREATE TABLE mine (id int)")


def test_a_clerk_cannot_change_quality_edit_orders_touch_users_or_the_journal(
    psql: dict[Role, psycopg.Connection],
) -> None:
    clerk = psql[Role.CLERK]
    assert refused(clerk, "UPDATE batches SET status = 'approved' WHERE number = 'B-1'")
    assert refused(clerk, "UPDATE batches SET status_reason = 'fine' WHERE number = 'B-1'")
    # A new batch starts pending: inserting one already approved is a quality decision too.
    assert refused(
        clerk,
        "INSERT INTO batches (number, material_id, received_at, status, version) "
        "SELECT 'B-X', id, now(), 'approved', 1 FROM materials LIMIT 1",
    )
    assert refused(clerk, "UPDATE production_orders SET priority = 1")
    assert refused(clerk, "INSERT INTO production_orders DEFAULT VALUES")
    assert refused(clerk, "UPDATE customers SET name = 'x'")
    for sql in writes("users"):
        assert refused(clerk, sql), sql
    assert refused(clerk, "UPDATE events SET summary = 'nothing happened'")
    assert refused(clerk, "DELETE FROM events")
    assert refused(clerk, "SELECT mpsystem_set_password('viewer1', 'SCRAM-SHA-256$4096:x')")
    assert refused(clerk, "UPDATE stock_balances SET batch_id = batch_id")  # only the quantity may change
    # the catalogue is the planners'; a delivery, once written, stays as it was
    assert refused(clerk, "INSERT INTO products DEFAULT VALUES")
    assert refused(clerk, "INSERT INTO recipe_lines DEFAULT VALUES")
    assert refused(clerk, "UPDATE deliveries SET note = 'x'")
    assert refused(clerk, "UPDATE delivery_lines SET quantity = 1")
    # What a clerk may do, they may do from psql too; the journal then names them, whoever they claim to be.
    clerk.execute(
        "INSERT INTO events (occurred_at, user_id, entity_type, action, summary) "
        "VALUES (now(), (SELECT id FROM users WHERE username = 'admin1'), 'note', 'note', 'written by hand')"
    )
    author = clerk.execute(
        "SELECT u.username FROM events e JOIN users u ON u.id = e.user_id WHERE e.summary = 'written by hand'"
    ).fetchone()
    assert author == ("clerk1",)


def test_a_planner_cannot_touch_users_the_journal_quality_or_cancel(psql: dict[Role, psycopg.Connection]) -> None:
    planner = psql[Role.PLANNER]
    planner.execute("UPDATE production_orders SET priority = 1 WHERE number = 'PO-1'")
    for sql in writes("users"):
        assert refused(planner, sql), sql
    assert refused(planner, "UPDATE events SET summary = 'x'")
    assert refused(planner, "DELETE FROM events")
    assert refused(planner, "UPDATE batches SET status = 'approved'")
    assert refused(planner, "UPDATE production_orders SET status = 'cancelled' WHERE number = 'PO-1'")
    assert refused(planner, "UPDATE customers SET archived = true")
    assert refused(planner, "SELECT mpsystem_create_login('mallory', 'admin', 'SCRAM-SHA-256$x')")
    assert refused(planner, "UPDATE production_lines SET rate_per_hour = 1")
    planner.execute("UPDATE products SET name = name || ' ' WHERE code = 'PE-50'")  # the catalogue is theirs
    assert refused(planner, "UPDATE recipe_lines SET quantity = 1")  # a recipe changes by a new revision only


def test_a_manager_decides_quality_but_manages_no_users(psql: dict[Role, psycopg.Connection]) -> None:
    manager = psql[Role.MANAGER]
    manager.execute("UPDATE batches SET status = 'blocked', status_reason = 'test' WHERE number = 'B-1'")
    manager.execute("UPDATE customers SET archived = true WHERE code = 'C-002'")
    assert refused(manager, "UPDATE users SET role = 'admin'")
    assert refused(manager, "INSERT INTO warehouses (code, name, kind) VALUES ('X', 'X', 'adr')")


def test_no_application_role_changes_or_deletes_the_journal(psql: dict[Role, psycopg.Connection]) -> None:
    for role, conn in psql.items():
        for sql in ("UPDATE events SET summary = 'rewritten'", "DELETE FROM events", "TRUNCATE events"):
            assert refused(conn, sql), (role, sql)
        # Not by stepping into a group role either.
        conn.execute("SET ROLE mpsystem_admin" if role is Role.ADMIN else f"SET ROLE mpsystem_{role.label}")
        assert refused(conn, "DELETE FROM events"), role
        conn.execute("RESET ROLE")


def test_an_admin_manages_logins_only_inside_the_groups(
    psql: dict[Role, psycopg.Connection], database_url: str
) -> None:
    admin = psql[Role.ADMIN]
    assert refused(admin, "CREATE ROLE mallory LOGIN SUPERUSER")
    assert refused(admin, "ALTER ROLE mpsystem_owner LOGIN")
    with pytest.raises(errors.UndefinedObject):
        admin.execute("SELECT mpsystem_set_password('mpsystem_owner', 'SCRAM-SHA-256$4096:x')")
    with pytest.raises(errors.UndefinedObject):
        admin.execute("SELECT mpsystem_set_login('mpsystem_test_owner', 'admin', true)")
    with pytest.raises(errors.InvalidParameterValue, match="never in clear"):
        admin.execute("SELECT mpsystem_set_password('clerk1', 'a clear password')")
    with pytest.raises(errors.InvalidParameterValue):
        admin.execute("SELECT mpsystem_create_login('mallory', 'owner', 'SCRAM-SHA-256$x')")
    with pytest.raises(errors.InvalidParameterValue, match="reserved"):
        admin.execute("SELECT mpsystem_create_login('mpsystem_owner', 'admin', 'SCRAM-SHA-256$x')")
    with pytest.raises(errors.DuplicateObject):
        admin.execute("SELECT mpsystem_create_login('viewer1', 'admin', 'SCRAM-SHA-256$x')")
    roles = {r for (r,) in admin.execute(login_roles_sql()).fetchall()}
    assert roles == {f"{r.label}1" for r in Role}


def test_a_disabled_user_cannot_connect(
    psql: dict[Role, psycopg.Connection], admin: Context, database_url: str
) -> None:
    s.set_user_active(admin.uow(), username="clerk1", active=False)
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        connect(database_url, "clerk1")
    # The open session of a disabled user is ended, not left running.
    assert psql[Role.CLERK].closed or refused_after_disable(psql[Role.CLERK])
    s.set_user_active(admin.uow(), username="clerk1", active=True)
    connect(database_url, "clerk1").close()


def refused_after_disable(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_passwords_reach_the_server_only_as_scram_verifiers(admin: Context, database_url: str) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(f"{statement} {parameters}")

    event.listen(admin.database.engine, "before_cursor_execute", capture)
    try:
        s.create_user(admin.uow(), username="nadia", role="clerk", password="plain words here")
        s.change_password(admin.uow(), username="nadia", new_password="other plain words")
    finally:
        event.remove(admin.database.engine, "before_cursor_execute", capture)
    sent = "\n".join(statements)
    assert "plain words" not in sent
    assert sent.count("SCRAM-SHA-256$4096:") == 2
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'nadia'").fetchone()
    assert stored is not None and stored[0].startswith("SCRAM-SHA-256$")
    connect(database_url, "nadia", "other plain words").close()


def test_every_table_of_the_schema_has_its_grants(database_url: str) -> None:
    """A later migration that adds a table without GRANTs fails here."""
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", (table,)).fetchone()
            assert owner == ("mpsystem_owner",), table
            assert conn.execute("SELECT has_table_privilege('mpsystem_viewer', %s, 'SELECT')", (table,)).fetchone() == (
                True,
            ), table
            for group in GROUPS:
                for privilege in ("DELETE", "TRUNCATE"):
                    assert conn.execute(
                        "SELECT has_table_privilege(%s, %s, %s)", (group, table, privilege)
                    ).fetchone() == (False,), (group, table, privilege)


def test_each_role_does_its_work_through_the_application_with_its_own_login(
    database_url: str, people: dict[Role, Context], plant: Context
) -> None:
    """The grants are not only tight but enough: every role's work, signed in as that role."""

    def sign_in(role: Role) -> Context:
        database, user = security.sign_in(database_url, f"{role.label}1", PASSWORD)
        return Context(database, user)

    viewer, clerk, planner, manager, admin = (sign_in(r) for r in Role)
    try:
        s.receive_batch(clerk.uow(), number="B-1", material="LDPE", supplier="BASELL", quantity=1000, warehouse="MAG-1")
        s.receive_batch(
            clerk.uow(), number="F-1", material="FILM-PE-50", supplier="BASELL", quantity=300, warehouse="MAG-6"
        )
        s.approve_batch(manager.uow(), batch="B-1")
        s.block_batch(manager.uow(), batch="F-1", reason="wrong thickness")
        s.transfer_stock(clerk.uow(), batch="B-1", from_warehouse="MAG-1", to_warehouse="MAG-3", quantity=400)
        s.issue_stock(clerk.uow(), batch="B-1", warehouse="MAG-1", quantity=100)
        s.adjust_stock(clerk.uow(), batch="B-1", warehouse="MAG-1", change="-0.5", reason="spillage")
        s.create_customer(planner.uow(), code="C-100", name="New Dairy")
        s.edit_customer(planner.uow(), code="C-100", name="New Dairy Ltd")
        s.set_customer_archived(manager.uow(), code="C-100", archived=True)
        for n in ("PO-1", "PO-2", "PO-3"):
            s.create_order(
                planner.uow(),
                number=n,
                customer="C-001",
                product="PE-50",
                quantity=500,
                unit="kg",
                due_date=in_days(5),
            )
        s.edit_order(
            planner.uow(),
            number="PO-1",
            customer="C-001",
            product="PE-60",
            quantity=600,
            unit="kg",
            priority=2,
            due_date=in_days(6),
        )
        for n in ("PO-1", "PO-2", "PO-3"):
            s.plan_order(planner.uow(), number=n, line="EXTRUDER-1")
        s.move_order(planner.uow(), number="PO-3", line="EXTRUDER-1", position=1)
        s.optimise_line(planner.uow(), line="EXTRUDER-1")
        s.start_order(planner.uow(), number="PO-1")
        s.consume_batch(planner.uow(), order="PO-1", batch="B-1", warehouse="MAG-3", quantity=300)
        s.record_output(planner.uow(), order="PO-1", material="FILM-PE-50", quantity=280, warehouse="MAG-6")
        s.finish_order(planner.uow(), number="PO-1")
        s.approve_batch(manager.uow(), batch="PO-1-001")
        s.deliver(clerk.uow(), order="PO-1", lines=[s.DeliveryItem("PO-1-001", "MAG-6", "200")])
        s.create_product(planner.uow(), code="PE-70", name="PE film 70 µm", stage="extrusion", unit="kg")
        s.edit_product(planner.uow(), code="PE-70", name="PE film 70 µm natural", stage="extrusion", unit="kg")
        s.set_recipe(planner.uow(), product="PE-70", lines=[s.RecipeItem(1, "extrusion", "LDPE", "1.02", "3")])
        s.set_product_archived(planner.uow(), code="PE-70", archived=True)
        s.cancel_order(manager.uow(), number="PO-2", reason="customer withdrew")
        s.unplan_order(planner.uow(), number="PO-3")
        s.create_warehouse(admin.uow(), code="MAG-9", name="Overflow", kind="finished")
        s.create_material(admin.uow(), code="INK-RED", name="Flexo ink red", kind="ink", unit="kg")
        s.create_supplier(admin.uow(), code="SIEGWERK", name="Siegwerk")
        s.create_line(
            admin.uow(), code="SLITTER-1", name="Slitter 1", stage="slitting", rate_per_hour=3000, rate_unit="m"
        )
        s.create_user(admin.uow(), username="olga", role="viewer", full_name="Olga", password="olga's password")
        s.change_role(admin.uow(), username="olga", role="clerk")
        s.set_user_active(admin.uow(), username="olga", active=False)
        s.change_password(viewer.uow(), username="viewer1", new_password="a better password")
        s.create_stop_reason(admin.uow(), code="FILM-BREAK", name="film break")
        s.record_stop(clerk.uow(), line="EXTRUDER-1", reason="FILM-BREAK", note="web broke at the winder")
        s.end_stop(clerk.uow(), line="EXTRUDER-1")
        s.record_stop(planner.uow(), line="EXTRUDER-1", reason="CLEANING")
        assert q.line_stops(viewer.reader(), q.LineStopFilter(open_only=True)).total == 1
        # Everyone reads every screen.
        for ctx in (viewer, clerk):
            assert q.inventory(ctx.reader()).total > 0
            assert q.batches(ctx.reader()).total == 3
            assert q.orders(ctx.reader()).total == 3
            assert q.customers(ctx.reader(), q.CustomerFilter(archived=None)).total == 3
            assert q.events(ctx.reader()).total > 20
        with admin.uow() as uow:
            journal = dict(
                uow.session.execute(
                    text(
                        "SELECT e.action, u.username FROM events e JOIN users u ON u.id = e.user_id WHERE e.action "
                        "IN ('received', 'approved', 'password_changed', 'cancelled', 'delivered', 'recipe')"
                    )
                ).all()
            )
        assert journal == {
            "received": "clerk1",
            "approved": "manager1",
            "password_changed": "viewer1",
            "cancelled": "manager1",
            "delivered": "clerk1",
            "recipe": "planner1",
        }
        with admin.uow() as uow:
            balance = uow.session.scalar(
                text(
                    "SELECT sum(quantity) FROM stock_balances b JOIN batches x ON x.id = b.batch_id "
                    "WHERE x.number = 'B-1'"
                )
            )
        assert balance == Decimal("599.500")  # 1000 − 100 issued − 0.5 adjusted − 300 consumed
        with pytest.raises(AuthenticationFailed):
            security.sign_in(database_url, "viewer1", PASSWORD)
    finally:
        for ctx in (viewer, clerk, planner, manager, admin):
            ctx.database.dispose()


def test_settings_and_master_data_belong_to_admins(psql: dict[Role, psycopg.Connection]) -> None:
    psql[Role.VIEWER].execute("SELECT key, value FROM settings").fetchall()
    for role in (Role.CLERK, Role.PLANNER, Role.MANAGER):
        conn = psql[role]
        assert refused(conn, "INSERT INTO settings (key, value) VALUES ('plant_name', 'Mine')"), role
        assert refused(conn, "UPDATE materials SET archived = true"), role
        assert refused(conn, "UPDATE warehouses SET adr = true"), role
        assert refused(conn, "UPDATE suppliers SET tax_id = 'x'"), role
    admin = psql[Role.ADMIN]
    admin.execute("INSERT INTO settings (key, value) VALUES ('plant_name', 'By hand')")
    admin.execute("UPDATE settings SET value = 'Again' WHERE key = 'plant_name'")
    assert refused(admin, "DELETE FROM settings")


def test_an_admin_sets_up_and_imports_with_their_own_login(
    database_url: str, people: dict[Role, Context], plant: Context
) -> None:
    """The admin's grants are enough for the setup screens, the settings and an import with quality decisions."""
    from app import transfer
    from app.settings import plant_settings
    from domain.vocabulary import ImportKind

    database, user = security.sign_in(database_url, "admin1", PASSWORD)
    admin = Context(database, user)
    try:
        s.create_warehouse(admin.uow(), code="MAG-10", name="Overflow", kind="finished", adr=True)
        s.edit_material(admin.uow(), code="LDPE", name="LDPE", kind="granulate", unit="kg", shelf_life_days=700)
        s.set_supplier_archived(admin.uow(), code="BASELL", archived=True)
        s.set_supplier_archived(admin.uow(), code="BASELL", archived=False)
        s.edit_line(admin.uow(), code="EXTRUDER-2", name="E2", stage="extrusion", rate_per_hour=300, rate_unit="kg")
        s.save_settings(
            admin.uow(), plant_name="Folie Nowak", expiry_warning_days=20, label_layout="sheet", label_printer="pdf"
        )
        assert plant_settings(people[Role.VIEWER].reader()).plant_name == "Folie Nowak"
        stock = (
            "batch_number,material,warehouse,quantity,supplier,status,reason\n"
            "O-1,LDPE,MAG-1,100,BASELL,approved,\nO-2,LDPE,MAG-1,50,BASELL,blocked,wet\n"
        )
        transfer.import_csv(admin.uow(), ImportKind.OPENING_STOCK, stock.encode(), file_name="stock.csv")
        transfer.import_csv(
            admin.uow(), ImportKind.CUSTOMERS, b"code,name,archived\nC-009,Old customer,yes\n", file_name="c.csv"
        )
        with admin.uow() as uow:
            journal = dict(
                uow.session.execute(
                    text(
                        "SELECT e.action, u.username FROM events e JOIN users u ON u.id = e.user_id "
                        "WHERE e.action IN ('approved', 'blocked', 'imported') "
                    )
                ).all()
            )
        assert journal == {"approved": "admin1", "blocked": "admin1", "imported": "admin1"}
        statuses = {b.number: b.status for b in q.batches(admin.reader()).rows}
        assert statuses == {"O-1": "approved", "O-2": "blocked"}
    finally:
        database.dispose()


# ---------------------------------------------------------------- who wrote it, by the role's OID


def superuser(database_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True)


def verifier(conn: psycopg.Connection, name: str, password: str = PASSWORD) -> str:
    return bytes(conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")).decode()


def test_renaming_a_users_row_or_a_role_changes_no_ones_authorship(
    psql: dict[Role, psycopg.Connection], database_url: str
) -> None:
    """Hole: an admin renamed their users row, wrote an event with a clerk's id, renamed it back."""
    admin = psql[Role.ADMIN]
    assert refused(admin, "UPDATE users SET username = 'admin1x' WHERE username = 'admin1'")
    assert refused(admin, "UPDATE users SET username = 'admin1' WHERE username = 'clerk1'")
    admin.execute(
        "INSERT INTO events (occurred_at, user_id, entity_type, action, summary) "
        "VALUES ('2020-01-01', (SELECT id FROM users WHERE username = 'clerk1'), 'note', 'note', 'as the clerk')"
    )
    admin.execute("UPDATE users SET full_name = 'Anna K.' WHERE username = 'admin1'")  # what admins may change
    # IT renames the clerk's role: the clerk still writes as themselves, not as whoever the new name says.
    with superuser(database_url) as it:
        it.execute("ALTER ROLE clerk1 RENAME TO viewer1x")
        with connect(database_url, "viewer1x", autocommit=True) as renamed:
            renamed.execute(
                "INSERT INTO events (occurred_at, entity_type, action, summary)"
                " VALUES (now(), 'note', 'note', 'renamed')"
            )
        it.execute("ALTER ROLE viewer1x RENAME TO clerk1")
        authors = dict(
            it.execute(
                "SELECT e.summary, u.username FROM events e JOIN users u ON u.id = e.user_id"
                " WHERE e.summary IN ('as the clerk', 'renamed')"
            ).fetchall()
        )
        year = it.execute("SELECT extract(year FROM occurred_at) FROM events WHERE summary = 'as the clerk'").fetchone()
    assert authors == {"as the clerk": "admin1", "renamed": "clerk1"}
    assert year is not None and int(year[0]) != 2020


def test_a_login_that_is_not_an_mpsystem_users_may_not_write(
    psql: dict[Role, psycopg.Connection], database_url: str
) -> None:
    """An unknown session raises: IT's hand-made login in the clerk group, with a users row of its name."""
    with superuser(database_url) as it:
        it.execute("CREATE ROLE handmade LOGIN PASSWORD 'correct horse' IN ROLE mpsystem_clerk")
        it.execute(
            "INSERT INTO users (username, full_name, role, active, failed_logins, created_at)"
            " VALUES ('handmade', 'Hand Made', 'clerk', true, 0, now())"
        )
        before = it.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM stock_movements)").fetchone()
    with connect(database_url, "handmade", autocommit=True) as stranger:
        stranger.execute("SELECT count(*) FROM batches")  # reading is what the group grants
        with pytest.raises(errors.InsufficientPrivilege, match="not an MPSYSTEM user's login"):
            stranger.execute(
                "INSERT INTO events (occurred_at, entity_type, action, summary) VALUES (now(), 'x', 'x', 'x')"
            )
        with pytest.raises(errors.InsufficientPrivilege, match="not an MPSYSTEM user's login"):
            stranger.execute(
                "INSERT INTO stock_movements (batch_id, kind, quantity, to_warehouse_id, created_at)"
                " SELECT id, 'receipt', 1, (SELECT id FROM warehouses LIMIT 1), now() FROM batches LIMIT 1"
            )
    with superuser(database_url) as it:
        after = it.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM stock_movements)").fetchone()
    assert after == before


# ---------------------------------------------------------------- the login functions


def test_the_login_functions_touch_only_the_logins_they_made(
    psql: dict[Role, psycopg.Connection], database_url: str
) -> None:
    """Hole: an admin took over a CREATEROLE login that IT had also put into a group."""
    with superuser(database_url) as it:
        it.execute("CREATE ROLE itadmin LOGIN CREATEROLE PASSWORD 'it secret' IN ROLE mpsystem_admin")
        it.execute("CREATE ROLE handmade LOGIN PASSWORD 'it secret' IN ROLE mpsystem_clerk")
        for name in ("itadmin", "handmade"):
            it.execute(
                "INSERT INTO users (username, full_name, role, active, failed_logins, created_at)"
                " VALUES (%s, 'IT', 'admin', true, 0, now())",
                (name,),
            )
        scram = verifier(it, "itadmin", "taken over")
    admin = psql[Role.ADMIN]
    for name in ("itadmin", "handmade"):
        with pytest.raises(errors.UndefinedObject, match=f"no MPSYSTEM login named {name}"):
            admin.execute("SELECT mpsystem_set_password(%s, %s)", (name, scram))
        with pytest.raises(errors.UndefinedObject):
            admin.execute("SELECT mpsystem_set_login(%s, 'viewer', false)", (name,))
    with pytest.raises(psycopg.OperationalError):
        connect(database_url, "itadmin", "taken over")
    connect(database_url, "itadmin", "it secret").close()


def test_the_login_functions_refuse_nulls(psql: dict[Role, psycopg.Connection]) -> None:
    """Hole: mpsystem_set_login(name, NULL, true) took a login out of every group."""
    admin = psql[Role.ADMIN]
    groups = (
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'clerk1'"
    )
    before = admin.execute(groups).fetchall()
    scram = verifier(admin, "nobody")
    for sql, params in (
        ("SELECT mpsystem_set_login('clerk1', NULL, true)", ()),
        ("SELECT mpsystem_set_login('clerk1', 'clerk', NULL)", ()),
        ("SELECT mpsystem_set_login(NULL, 'clerk', true)", ()),
        ("SELECT mpsystem_create_login(NULL, 'clerk', %s)", (scram,)),
        ("SELECT mpsystem_create_login('nobody', NULL, %s)", (scram,)),
        ("SELECT mpsystem_create_login('nobody', 'clerk', NULL)", ()),
        ("SELECT mpsystem_set_password(NULL, %s)", (scram,)),
        ("SELECT mpsystem_set_password('clerk1', NULL)", ()),
    ):
        with pytest.raises((errors.InvalidParameterValue, errors.UndefinedObject)):
            admin.execute(sql, params)
    assert admin.execute(groups).fetchall() == before == [("mpsystem_clerk",)]


def test_reserved_names_are_refused_before_a_verifier_reaches_any_statement(
    psql: dict[Role, psycopg.Connection],
) -> None:
    """Hole: a user named public or none failed inside CREATE ROLE, and the error carried the verifier."""
    admin = psql[Role.ADMIN]
    for name in ("public", "none", "current_user", "session_user", "pg_monitor2", "mpsystem_admin2"):
        admin.execute(
            "INSERT INTO users (username, full_name, role, active, failed_logins, created_at)"
            " VALUES (%s, '', 'viewer', true, 0, now())",
            (name,),
        )
        scram = verifier(admin, name)
        with pytest.raises(errors.InvalidParameterValue, match="reserved") as refusal:
            admin.execute("SELECT mpsystem_create_login(%s, 'viewer', %s)", (name, scram))
        assert "SCRAM-SHA-256" not in str(refusal.value), str(refusal.value)


# ---------------------------------------------------------------- the search_path attack


ATTACK = r"""
CREATE TABLE public.pwned (who text, superuser boolean);
GRANT INSERT ON public.pwned TO PUBLIC;
CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.pwned SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
    DELETE FROM public.events WHERE action = 'evidence';
    RETURN pg_catalog.format($1, $2, $3);
END $$;
CREATE FUNCTION public.cardinality(bigint[]) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.pwned SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        COPY (SELECT 1) TO PROGRAM 'cat > /dev/null';  -- a program that reads what it is sent: no broken pipe
        INSERT INTO public.pwned VALUES ('COPY TO PROGRAM', true);
    END IF;
    RETURN pg_catalog.cardinality($1);
END $$;
"""


@pytest.fixture
def schema_at(pg_server: object) -> Iterator[Any]:
    """A fresh database migrated to a given revision, with a viewer login of its own (roles are cluster-wide)."""
    from data.db import open_database
    from data.migrate import upgrade
    from tests.conftest import drop_login_roles, new_pg_database, pg_admin_url

    urls: list[str] = []

    def make(revision: str) -> tuple[str, str]:
        url = new_pg_database(pg_server, None)  # type: ignore[arg-type]
        urls.append(url)
        database = open_database(url)
        upgrade(database, revision)
        database.dispose()
        viewer = f"viewer_at_{revision}"
        with superuser(url) as it:
            it.execute(
                "INSERT INTO users (username, full_name, role, active, failed_logins, created_at)"
                " VALUES (%s, 'Viewer', 'viewer', true, 0, now())",
                (viewer,),
            )
            it.execute("SELECT mpsystem_create_login(%s, 'viewer', %s)", (viewer, verifier(it, viewer)))
            it.execute(
                "INSERT INTO events (occurred_at, entity_type, action, summary) VALUES (now(), 'x', 'evidence', 'x')"
            )
            # Where PUBLIC may create in the schema: the default up to PostgreSQL 14, and clusters upgraded from it.
            it.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        return url, viewer

    yield make
    with psycopg.connect(pg_admin_url(pg_server).replace("+psycopg", ""), autocommit=True) as it:  # type: ignore[arg-type]
        for url in urls:  # every database first: each holds objects of its attacker's role
            it.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
        drop_login_roles(it)


def _attack(url: str, viewer: str) -> tuple[list[tuple[str, bool]], int]:
    """A viewer plants look-alikes of PostgreSQL's functions, then waits for owner code to call them."""
    with connect(url, viewer, autocommit=True) as attacker:
        attacker.execute(ATTACK)
        attacker.execute("SELECT mpsystem_set_password(%s, %s)", (viewer, verifier(attacker, viewer, "new words")))
    with superuser(url) as it:
        it.execute("INSERT INTO warehouses (code, name, kind) VALUES ('X', 'X', 'adr')")  # IT at work in psql
        ran = [(who, su) for who, su in it.execute("SELECT who, superuser FROM public.pwned").fetchall()]
        evidence = it.execute("SELECT count(*) FROM events WHERE action = 'evidence'").fetchone()
    assert evidence is not None
    return ran, int(evidence[0])


def test_the_search_path_attack_worked_on_0003_and_fails_now(schema_at: Any, backend: str) -> None:
    """Hole: a viewer shadowed format() where PUBLIC may CREATE, became the owner, deleted a journal row,
    and ran COPY … TO PROGRAM as the server's operating-system user."""
    ran, evidence = _attack(*schema_at("0003"))
    assert ("mpsystem_owner", False) in ran and evidence == 0  # the owner's rights, the journal row gone
    assert ("COPY TO PROGRAM", True) in ran  # and a superuser's, through a trigger
    ran, evidence = _attack(*schema_at("head"))
    assert ran == [] and evidence == 1


# ---------------------------------------------------------------- db init without a superuser


@pytest.fixture
def owner_login(pg_server: object) -> Iterator[Any]:
    """A database for MPSYSTEM belonging to IT's own CREATEROLE login, as the deployment guide describes."""
    from tests.conftest import claim_plant, drop_login_roles, pg_admin_url

    made: list[tuple[str, str]] = []

    def make(name: str, *, as_postgresql_14: bool = False) -> str:
        with psycopg.connect(pg_admin_url(pg_server).replace("+psycopg", ""), autocommit=True) as it:  # type: ignore[arg-type]
            it.execute(f"CREATE ROLE {name} LOGIN CREATEROLE PASSWORD 'it password'")
            it.execute(f"CREATE DATABASE {name}_db OWNER {name}")
        made.append((name, f"{name}_db"))
        claim_plant(pg_admin_url(pg_server, f"{name}_db"))  # type: ignore[arg-type]  # the cluster's plant now
        if as_postgresql_14:
            with psycopg.connect(pg_admin_url(pg_server, f"{name}_db").replace("+psycopg", ""), autocommit=True) as it:  # type: ignore[arg-type]
                it.execute("ALTER SCHEMA public OWNER TO CURRENT_USER")
                it.execute("GRANT CREATE, USAGE ON SCHEMA public TO PUBLIC")
        base = pg_admin_url(pg_server, f"{name}_db")  # type: ignore[arg-type]
        return base.replace(base.split("//")[1].split("@")[0], f"{name}:it%20password")

    yield make
    with psycopg.connect(pg_admin_url(pg_server).replace("+psycopg", ""), autocommit=True) as it:  # type: ignore[arg-type]
        for _name, db in made:
            it.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        drop_login_roles(it)
        for name, _db in made:
            it.execute(f"DROP ROLE IF EXISTS {name}")


def test_db_init_as_a_non_superuser_owner_works_in_one_transaction(
    owner_login: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    """Hole: `db init` as the guide's CREATEROLE owner failed with "Only an MPSYSTEM administrator…" and
    left a schema with no administrator, which a second run refused."""
    import io

    from app import cli
    from data.db import open_database
    from data.migrate import current_revision

    url = owner_login("it_owner")
    monkeypatch.setattr("sys.stdin", io.StringIO("anna's password\n"))
    # A name the server already has: the administrator cannot be made, so nothing at all is made.
    assert cli.main(["db", "init", "--url", url, "--admin", "it_owner", "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err
    database = open_database(url)
    assert current_revision(database) is None
    database.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("anna's password\n"))
    assert cli.main(["db", "init", "--url", url, "--admin", "anna", "--password-stdin"]) == 0
    anna = url.replace("it_owner:it%20password", "anna:anna's%20password")
    database, user = security.sign_in(anna, "anna", "anna's password")
    try:
        assert user.role is Role.ADMIN
        s.create_user(Context(database, user).uow(), username="piotr", role="clerk", password="piotr's password")
        with database.engine.connect() as conn:
            author = conn.execute(
                text(
                    "SELECT u.username FROM events e JOIN users u ON u.id = e.user_id WHERE e.action = 'created'"
                    " AND e.summary LIKE '%piotr%'"
                )  # fmt: skip
            ).scalar_one()
            owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'events'")).scalar_one()
        assert (author, owner) == ("anna", "it_owner")
    finally:
        database.dispose()


def test_the_migration_refuses_a_schema_others_may_create_in(
    owner_login: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    import io

    from app import cli
    from data.db import open_database
    from data.migrate import current_revision

    url = owner_login("it_owner14", as_postgresql_14=True)  # public belongs to a superuser; PUBLIC may create
    monkeypatch.setattr("sys.stdin", io.StringIO("anna's password\n"))
    assert cli.main(["db", "init", "--url", url, "--admin", "anna", "--password-stdin"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Others may still create objects in schema public (PUBLIC)" in err[0], err
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC" in err[0]
    database = open_database(url)
    assert current_revision(database) is None  # nothing was created
    database.dispose()


def test_upgrading_lists_the_logins_made_before_and_only_those(schema_at: Any, backend: str) -> None:
    """A plant running schema 0003 keeps its people: their logins join the list, IT's hand-made ones do not."""
    from data.db import open_database
    from data.migrate import upgrade

    url, viewer = schema_at("0003")
    with superuser(url) as it:
        it.execute("CREATE ROLE it_helper LOGIN CREATEROLE PASSWORD 'it secret' IN ROLE mpsystem_admin")
        it.execute(
            "INSERT INTO users (username, full_name, role, active, failed_logins, created_at)"
            " VALUES ('it_helper', 'IT', 'admin', true, 0, now())"
        )
    database = open_database(url)
    upgrade(database)
    database.dispose()
    with superuser(url) as it:
        listed = {r for (r,) in it.execute(
            "SELECT r.rolname FROM mpsystem_logins l JOIN pg_roles r ON r.oid = l.role_oid"
        ).fetchall()}  # fmt: skip
        # run by a superuser, the upgrade itself closed the schema that PUBLIC could create in
        open_to_public = it.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')").fetchone()
    assert listed == {viewer} and open_to_public == (False,)
    with connect(url, viewer, autocommit=True) as person:
        person.execute("SELECT mpsystem_set_password(%s, %s)", (viewer, verifier(person, viewer, "new words")))
    connect(url, viewer, "new words").close()
