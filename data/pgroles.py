"""PostgreSQL roles: who owns the schema, the group role per level, and the login roles of people.

There is no application server, so on PostgreSQL the database enforces the
permission table itself:

- `mpsystem_owner` (NOLOGIN, CREATEROLE) owns every table, view, sequence and
  function. Only it may change or delete journal entries.
- `mpsystem_viewer` … `mpsystem_admin` are NOLOGIN group roles, each a member
  of the one before it, holding the table and column GRANTs (migration 0003).
- Every person is a LOGIN role of their user name, a member of one group.

Administrators manage logins through SECURITY DEFINER functions owned by the
owner role rather than holding CREATEROLE themselves: on PostgreSQL 15 a
CREATEROLE login may create and grant any non-superuser role (the owner
included), so a compromised admin workstation could take over the schema. The
functions can only create, enable, disable, re-group and re-password logins
inside the five groups, and only accept SCRAM verifiers, never a clear password.

Roles are cluster-wide: one MPSYSTEM database per PostgreSQL cluster.
"""

from __future__ import annotations

from typing import Any

from domain.vocabulary import Role

OWNER = "mpsystem_owner"
GROUP_PREFIX = "mpsystem_"
LEVELS = Role.names()  # viewer … admin, each group a member of the one before it
GROUPS = tuple(GROUP_PREFIX + level for level in LEVELS)
NOTIFY_CHANNEL = "mpsystem_changes"


def group_for(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    return GROUP_PREFIX + level


def scram_verifier(dbapi_connection: Any, username: str, password: str) -> str:
    """A SCRAM-SHA-256 verifier computed here, so the clear password never travels to the server."""
    pgconn = dbapi_connection.pgconn
    verifier = pgconn.encrypt_password(password.encode("utf-8"), username.encode("utf-8"), b"scram-sha-256")
    return bytes(verifier).decode("ascii")


def login_roles_sql() -> str:
    """Every login role that belongs to an MPSYSTEM group (used by tests and the deployment checks)."""
    groups = ", ".join(f"'{g}'" for g in GROUPS)
    return (
        "SELECT DISTINCT r.rolname FROM pg_roles r "
        "JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
        f"WHERE g.rolname IN ({groups}) AND r.rolname NOT IN ({groups}) AND r.rolname <> '{OWNER}'"
    )


def adopt_login(conn: Any, username: str) -> None:
    """Put an existing login on the list of MPSYSTEM's logins, beside the users row of its name.

    The functions administrators call act only on logins on that list (they made them); adopting
    one made by hand, or for another database of the server, is the schema owner's decision: only
    the owner may write the list.
    """
    conn.exec_driver_sql(
        "INSERT INTO mpsystem_logins (role_oid, user_id) SELECT r.oid, u.id FROM pg_roles r"
        " JOIN users u ON u.username = r.rolname WHERE r.rolname = %(name)s ON CONFLICT DO NOTHING",
        {"name": username},
    )
