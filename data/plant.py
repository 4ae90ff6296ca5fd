"""One MPSYSTEM plant per PostgreSQL cluster, and the database that is it.

PostgreSQL keeps roles per cluster, not per database: a person's login has one
password and one LOGIN/NOLOGIN state on the whole server, and MPSYSTEM's group
roles (`mpsystem_viewer` … `mpsystem_admin`) hold the GRANTs of every database
that names them. A second plant, or a copy restored beside the plant to try
things on, would share all of that: its administrators could manage the
plant's logins, and disabling someone in the copy would lock them out of the
plant. Per-database role names would not help: the people's logins would still
be shared unless they signed in under other names, and a copy restored from a
dump is granted to the roles its original names. So a cluster holds one plant,
and another plant (or a copy to work on) gets a cluster of its own.

The cluster remembers which database is its plant in a comment on the group
role `mpsystem_admin` (comments on roles are cluster-wide, and `pg_dumpall
--roles-only` keeps them): its name, its OID and the cluster's system
identifier (which `initdb` draws, and a streaming replica shares). A restored
plant has another OID, or another cluster, so it cannot be signed in to before
its owner has run `mpsystem db upgrade`, which links the logins to the roles of
the server it now lives on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection

from data.errors import PlantMismatch

MARK_ROLE = "mpsystem_admin"
GROUPS = tuple(f"mpsystem_{level}" for level in ("viewer", "clerk", "planner", "manager", "admin"))
_MARK = re.compile(r"^MPSYSTEM plant: database (?P<name>.+) \(oid (?P<oid>\d+), cluster (?P<cluster>\d+)\)$")
GUIDE = "docs/DEPLOYMENT.md, “One plant per cluster”"


@dataclass(frozen=True)
class Mark:
    """What the cluster says about its plant, as seen from the database a connection is in."""

    roles_exist: bool
    name: str | None  # the plant's database when the mark was written
    oid: int | None
    plant_now: str | None  # the name the database with that OID has now, if it is on this cluster
    here_name: str
    here_oid: int
    here_cluster: str

    @property
    def is_here(self) -> bool:
        return self.oid == self.here_oid and self.plant_now is not None

    @property
    def elsewhere(self) -> bool:
        """The mark names another database of this cluster that still exists."""
        return self.oid is not None and not self.is_here and self.plant_now is not None

    def text(self) -> str:
        """The mark that names the database this connection is in."""
        return f"MPSYSTEM plant: database {self.here_name} (oid {self.here_oid}, cluster {self.here_cluster})"


def read_mark(conn: Connection) -> Mark:
    row = conn.exec_driver_sql(
        "SELECT current_database(), (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()),"
        " (SELECT system_identifier FROM pg_catalog.pg_control_system())::text,"
        " (SELECT pg_catalog.shobj_description(r.oid, 'pg_authid') FROM pg_catalog.pg_roles r"
        "   WHERE r.rolname = %(role)s),"
        " EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = %(role)s)",
        {"role": MARK_ROLE},
    ).one()
    here_name, here_oid, here_cluster, comment, roles_exist = (
        str(row[0]),
        int(row[1]),
        str(row[2]),
        row[3],
        bool(row[4]),
    )
    found = _MARK.match(comment or "")
    if found is None:
        return Mark(roles_exist, None, None, None, here_name, here_oid, here_cluster)
    oid = int(found["oid"])
    plant_now = None
    if found["cluster"] == here_cluster:  # an OID of another cluster names nothing here
        plant_now = conn.exec_driver_sql(
            "SELECT datname FROM pg_catalog.pg_database WHERE oid = %(oid)s", {"oid": oid}
        ).scalar()
    return Mark(roles_exist, found["name"], oid, plant_now, here_name, here_oid, here_cluster)


def check(conn: Connection) -> None:
    """Refuse to work in a database that is not the cluster's plant: a copy beside it, or one not yet settled."""
    mark = read_mark(conn)
    if mark.is_here and mark.name == mark.here_name:
        return
    if mark.elsewhere:
        raise PlantMismatch(
            f"The database “{mark.here_name}” is a copy beside the plant in “{mark.plant_now}” on the same server, "
            "and shares its logins: MPSYSTEM does not sign in to it. "
            "Restore a copy to work on onto a PostgreSQL cluster of its own."
        )
    raise PlantMismatch(
        f"The database “{mark.here_name}” was restored, renamed or set up by an earlier version, and its logins "
        "are not yet linked to this server's roles: the schema's owner runs `mpsystem db upgrade` on it once."
    )


def logins_in_groups(conn: Connection) -> list[str]:
    """The login roles in any of MPSYSTEM's groups, on the whole cluster."""
    return [
        str(name)
        for (name,) in conn.exec_driver_sql(
            "SELECT DISTINCT r.rolname FROM pg_catalog.pg_roles r"
            " JOIN pg_catalog.pg_auth_members m ON m.member = r.oid"
            " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
            " WHERE g.rolname = ANY (%(groups)s) AND r.rolcanlogin ORDER BY 1",
            {"groups": list(GROUPS)},
        )
    ]


def refuse_second_plant(conn: Connection) -> None:
    """Before a new schema is created: the cluster may hold no other plant."""
    mark = read_mark(conn)
    if mark.elsewhere:
        raise PlantMismatch(
            f"This PostgreSQL server already holds the MPSYSTEM plant in database “{mark.plant_now}”. "
            "Logins and MPSYSTEM's roles belong to the whole server, so another plant, or a copy to try things "
            f"on, needs a PostgreSQL cluster of its own (see {GUIDE})."
        )
    if mark.roles_exist and mark.oid is None:
        logins = logins_in_groups(conn)
        if logins:
            shown = ", ".join(logins[:5]) + (" …" if len(logins) > 5 else "")
            raise PlantMismatch(
                f"This PostgreSQL server already has MPSYSTEM logins ({shown}), made for a plant by an earlier "
                "version: run `mpsystem db upgrade` on that plant's database first. Another plant needs a "
                f"PostgreSQL cluster of its own (see {GUIDE})."
            )


def settle(conn: Connection) -> list[str]:
    """After an upgrade: make this database the cluster's plant if it may be; say what was done.

    Runs as the schema's owner (or a superuser). A copy beside the plant is closed to everyone
    but its owner instead, since its people's logins are the plant's.
    """
    mark = read_mark(conn)
    if not mark.roles_exist:
        return []
    quoted = conn.exec_driver_sql("SELECT pg_catalog.quote_ident(current_database())").scalar()
    owner = conn.exec_driver_sql(
        "SELECT pg_catalog.quote_ident(tableowner) FROM pg_catalog.pg_tables"
        " WHERE schemaname = current_schema() AND tablename = 'events'"
    ).scalar()
    if mark.elsewhere:
        _database_acl(conn, f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted} FROM PUBLIC, mpsystem_viewer")
        return [
            f"This database is a copy beside the plant in “{mark.plant_now}” and shares its logins: "
            "only its owner and superusers may connect to it, and MPSYSTEM does not sign in to it."
        ]
    notes = []
    if not mark.is_here and mark.oid is not None:
        relinked = relink_logins(conn)
        notes.append(
            f"This database was restored or renamed (it was “{mark.name}”): it is now this server's plant"
            + (f", and {relinked} logins are linked to this server's roles by name." if relinked else ".")
        )
    elif mark.is_here and mark.name != mark.here_name:
        notes.append(f"The plant's database was renamed from “{mark.name}” to “{mark.here_name}”.")
    _write_mark(conn, mark)
    # What a restore into a database made by hand loses: only MPSYSTEM's people connect.
    _database_acl(
        conn,
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted} FROM PUBLIC;"
        f" GRANT CONNECT, TEMPORARY ON DATABASE {quoted} TO mpsystem_viewer, {owner}",
    )
    return notes


def claim(conn: Connection) -> None:
    """Mark this database as the cluster's plant, whatever the mark said (for test clusters' fixtures)."""
    mark = read_mark(conn)
    if mark.roles_exist:
        _write_mark(conn, mark)


def _write_mark(conn: Connection, mark: Mark) -> None:
    # A utility statement takes no parameters; the name is quoted as a literal.
    _execute(conn, f"COMMENT ON ROLE {MARK_ROLE} IS {_literal(mark.text())}")


def _database_acl(conn: Connection, statements: str) -> None:
    """Database privileges are the database owner's (or a superuser's) to change: try as the session's login."""
    _execute(
        conn,
        "DO $$ DECLARE me text := current_user; BEGIN"
        " EXECUTE 'RESET ROLE';"
        f" EXECUTE {_literal(statements)};"
        " EXECUTE pg_catalog.format('SET LOCAL ROLE %I', me);"
        " EXCEPTION WHEN insufficient_privilege THEN"
        " RAISE WARNING 'Only the database''s owner may change who connects to it: % (run it as them).', "
        f"{_literal(statements)}; END $$",
    )


def _execute(conn: Connection, sql: str) -> None:
    """A statement without parameters: the driver would read a % in it as one."""
    conn.exec_driver_sql(sql.replace("%", "%%"))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def relink_logins(conn: Connection) -> int:
    """Link each user's row to the login role of their name on this server (after a restore, OIDs differ).

    Only plain logins in one of the groups are linked: never a superuser, a role that may create
    roles, or a member of the schema's owner.
    """
    conn.exec_driver_sql(
        "DELETE FROM mpsystem_logins l USING users u WHERE l.user_id = u.id AND l.role_oid IS DISTINCT FROM"
        " (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = u.username)"
    )
    inserted = conn.exec_driver_sql(
        "INSERT INTO mpsystem_logins (role_oid, user_id)"
        " SELECT r.oid, u.id FROM users u JOIN pg_catalog.pg_roles r ON r.rolname = u.username"
        " WHERE NOT r.rolsuper AND NOT r.rolcreaterole AND NOT r.rolreplication AND NOT r.rolbypassrls"
        "  AND r.rolname <> ALL (%(groups)s)"
        "  AND NOT pg_catalog.pg_has_role(r.oid, (SELECT c.relowner FROM pg_catalog.pg_class c"
        "   WHERE c.oid = 'events'::pg_catalog.regclass), 'MEMBER')"
        "  AND EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
        "   WHERE m.member = r.oid AND g.rolname = ANY (%(groups)s))"
        " ON CONFLICT DO NOTHING",
        {"groups": list(GROUPS)},
    )
    return int(inserted.rowcount or 0)


def users_without_login(conn: Connection) -> list[str]:
    """Users whose row has no server login: made before logins existed (schema 0002 and older)."""
    return [
        str(name)
        for (name,) in conn.exec_driver_sql(
            "SELECT u.username FROM users u WHERE NOT EXISTS"
            " (SELECT 1 FROM mpsystem_logins l WHERE l.user_id = u.id) ORDER BY u.username"
        )
    ]
