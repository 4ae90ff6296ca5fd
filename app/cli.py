"""The `mpsystem` command: the composition root.

Exit codes: 0 success, 1 a known error (one line on stderr, never a
traceback), 2 a usage error.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import app
from app.errors import ConnectionFailed, KnownError, ValidationError
from app.permissions import Role, parse_role

if TYPE_CHECKING:
    from app.context import Context
    from app.security import CurrentUser
    from data.db import Database

# The database layer (SQLAlchemy, the models, the queries) is imported by the commands that use it,
# not here: plain `mpsystem` shows the sign-in dialog without it and loads it while the user types.

log = logging.getLogger("mpsystem")
DEMO_EVENTS = 100_000


def _read_password(args: argparse.Namespace, prompt: str = "Password") -> str:
    from app.security import check_password_rules

    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise ValidationError("No password on standard input.")
        return check_password_rules(password)
    if not sys.stdin.isatty():
        raise ValidationError("No terminal to ask for the password on; pass it with --password-stdin.")
    first = getpass.getpass(f"{prompt}: ")
    check_password_rules(first)
    if getpass.getpass(f"{prompt} (again): ") != first:
        raise ValidationError("The two passwords differ.")
    return first


def _open(args: argparse.Namespace) -> Database:
    """Open the database; on a server, ask for the login's password if libpq found none.

    Scripts give it the PostgreSQL way: PGPASSWORD, or a ~/.pgpass (pgpass.conf on Windows) file.
    """
    from app.config import database_url
    from app.errors import AuthenticationFailed
    from data.db import normalise_url, open_database

    url = database_url(getattr(args, "url", None))
    try:
        return open_database(url)
    except AuthenticationFailed:
        parsed = normalise_url(url)
        if parsed.get_backend_name() != "postgresql" or parsed.password is not None or not sys.stdin.isatty():
            raise
        who = parsed.username or getpass.getuser()
        return open_database(url, password=getpass.getpass(f"Password for {who}@{parsed.host or 'localhost'}: "))


def _actor(database: Database) -> CurrentUser:
    """On a local file the command line acts as the system; on a server, as the login it connected with."""
    from sqlalchemy import func, select

    from app.security import SYSTEM, CurrentUser
    from data.models import User

    if database.is_sqlite:
        return SYSTEM
    with database.engine.connect() as conn:
        login = conn.scalar(select(func.current_user()))
        row = conn.execute(
            select(User.id, User.username, User.full_name, User.role).where(User.username == login)
        ).first()
    if row is None:
        return SYSTEM  # the schema owner, who runs `db init` and upgrades
    return CurrentUser(row.id, row.username, row.full_name, parse_role(row.role))


def _context(args: argparse.Namespace) -> Context:
    from app.context import Context
    from data.migrate import check_schema

    database = _open(args)
    check_schema(database)
    return Context(database, _actor(database))


# ---------------------------------------------------------------- commands


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from data.migrate import current_revision, head_revision, upgrade

    database = _open(args)
    before = current_revision(database)
    notes = upgrade(database)
    after = head_revision()
    if before == after:
        print(f"The database {database.describe()} is up to date (schema {after}).")
    else:
        print(f"Upgraded {database.describe()} from schema {before or 'empty'} to {after}.")
    for note in notes:
        print(note)
    if not database.is_sqlite:
        _list_users_without_login(database)
    return 0


def _list_users_without_login(database: Database) -> None:
    from data.plant import users_without_login

    with database.engine.connect() as conn:
        names = users_without_login(conn)
    if names:
        print(
            f"{_count(len(names), 'user')} without a server login (made before logins existed; PostgreSQL cannot "
            f"use the old passwords): {', '.join(names)}. Give each one a password, which creates the login: "
            "mpsystem users passwd NAME --url … (as this schema's owner or an administrator)."
        )


def cmd_db_init(args: argparse.Namespace) -> int:
    from app import services
    from app.context import Context
    from app.security import SYSTEM
    from app.services.users import clean_username
    from data.migrate import initialise, may_initialise

    admin = clean_username(args.admin)  # a name the server cannot take is refused before anything is asked
    database = _open(args)
    may_initialise(database)
    password = _read_password(args, f"Password for {admin}")
    initialise(
        database,
        lambda db: services.create_user(
            Context(db, SYSTEM).uow(), username=admin, role=Role.ADMIN, full_name=args.full_name, password=password
        ),
    )
    print(f"Initialised {database.describe()}; administrator {admin} created.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
    from app.security import hash_password
    from data.migrate import current_revision, upgrade

    if args.events < 0:
        raise ValidationError("--events cannot be negative.")
    database = _open(args)
    if current_revision(database) is None:
        upgrade(database)
    else:
        from data.migrate import check_schema

        check_schema(database)
    started = time.perf_counter()
    summary = load_demo(database, events=args.events, password_hash=hash_password)
    elapsed = time.perf_counter() - started
    print(f"Demo plant loaded into {database.describe()} in {elapsed:.1f} s:")
    for line in summary.lines_of_text():
        print("  " + line)
    print(
        f"Demo users (password {DEMO_PASSWORD} for all): "
        + ", ".join(f"{name} ({role})" for name, _full, role in DEMO_USERS)
    )
    if not database.is_sqlite:
        print("These are server logins with a published password: load the demo on a training server only.")
    return 0


def demo_database() -> tuple[Database, bool]:
    """The local demo plant: created (and filled) the first time, reused afterwards."""
    from app.config import default_demo_database
    from app.demo import load_demo
    from app.security import hash_password
    from data.db import open_database
    from data.migrate import current_revision, upgrade

    path = default_demo_database()
    fresh = not path.exists()
    database = open_database(path)
    if fresh or current_revision(database) is None:
        upgrade(database)
        load_demo(database, events=DEMO_EVENTS, password_hash=hash_password)
        fresh = True
    return database, fresh


def cmd_open_demo(args: argparse.Namespace) -> int:
    from app import profiles, queries
    from app.context import Context
    from app.demo import DEMO_PASSWORD, DEMO_USERS
    from app.security import SYSTEM
    from data.migrate import check_schema

    database, fresh = demo_database()
    check_schema(database)
    ctx = Context(database, SYSTEM)
    print(("Created" if fresh else "Opened") + f" the demo plant in {database.describe()}:")
    print(f"  batches    {queries.batches(ctx.reader(), limit=1).total}")
    print(f"  orders     {queries.orders(ctx.reader(), limit=1).total}")
    print(f"  customers  {queries.customers(ctx.reader(), queries.CustomerFilter(archived=None), limit=1).total}")
    print(f"  events     {queries.events(ctx.reader(), limit=1).total}")
    names = ", ".join(name for name, _f, _r in DEMO_USERS)
    print(f"Sign in as {names} with the password {DEMO_PASSWORD}.", flush=True)
    database.dispose()
    return _start_client(profiles.demo_profile(), f"Demo plant: sign in as {names}; the password is {DEMO_PASSWORD}.")


def _start_client(profile: Any = None, hint: str = "") -> int:
    from ui.main import run  # Qt loads only when a window is wanted

    return run(profile, hint)


def cmd_self_test(_args: argparse.Namespace) -> int:
    from ui import selftest  # Qt loads only here

    return selftest.run()


def cmd_users_add(args: argparse.Namespace) -> int:
    from app import services

    ctx = _context(args)
    password = _read_password(args, f"Password for {args.name}")
    services.create_user(ctx.uow(), username=args.name, role=args.role, full_name=args.full_name, password=password)
    print(f"Created user {args.name.lower()} ({parse_role(args.role).label}).")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from app import queries

    ctx = _context(args)
    rows = queries.users(ctx.reader())
    width = max([len(r.username) for r in rows] + [8])
    print(f"{'USERNAME':<{width}}  {'ROLE':<8}  {'STATE':<8}  FULL NAME")
    for r in rows:
        state = ("active" if r.active else "disabled") if r.has_login else "no login"
        print(f"{r.username:<{width}}  {r.role.label:<8}  {state:<8}  {r.full_name}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from app import services

    ctx = _context(args)
    services.set_user_active(ctx.uow(), username=args.name, active=False)
    print(f"Disabled user {args.name.lower()}.")
    return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    from app import services

    ctx = _context(args)
    services.set_user_active(ctx.uow(), username=args.name, active=True)
    print(f"Enabled user {args.name.lower()}.")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    from app import services

    ctx = _context(args)
    password = _read_password(args, f"New password for {args.name}")
    if services.change_password(ctx.uow(), username=args.name, new_password=password):
        print(f"Gave {args.name.lower()} a server login with the new password.")
    else:
        print(f"Changed the password of {args.name.lower()}.")
    return 0


def cmd_users_role(args: argparse.Namespace) -> int:
    from app import services

    ctx = _context(args)
    services.change_role(ctx.uow(), username=args.name, role=args.role)
    print(f"{args.name.lower()} is now a {parse_role(args.role).label}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app import transfer
    from domain.vocabulary import ImportKind

    path = Path(args.file).expanduser()
    data = transfer.read_file(path)
    ctx = _context(args)
    kind = ImportKind(args.kind)
    shown = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        # A line now and then on a terminal, so 50,000 rows do not look like a hang.
        if sys.stderr.isatty() and (time.monotonic() - shown[0] > 1 or done == total):
            shown[0] = time.monotonic()
            print(f"\r{stage} {done:,} of {total:,}", end="" if done < total else "\n", file=sys.stderr)

    result = transfer.import_csv(ctx.uow(), kind, data, file_name=path.name, dry_run=args.dry_run, progress=progress)
    print(("Checked, nothing written: " if args.dry_run else "") + result.summary())
    if result.existing:
        print("Already in the plant: " + ", ".join(result.existing[:20]) + (" …" if len(result.existing) > 20 else ""))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app import transfer
    from domain.vocabulary import ImportKind

    out = _writable(args.file)
    ctx = _context(args)
    data, rows = transfer.export_csv(ctx.reader(), ImportKind(args.kind))
    out.write_bytes(data)
    print(f"Wrote {_count(rows, 'row')} of {ImportKind(args.kind).label} to {out}.")
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    from app import reporting
    from app.settings import plant_settings
    from domain.vocabulary import LabelLayout, LabelPrinter
    from reports.labels import labels_pdf, labels_zpl

    ctx = _context(args)
    labels = reporting.batch_labels(ctx, args.numbers)
    out = _writable(args.out)
    defaults = plant_settings(ctx.reader())  # what the plant's label printers take, unless told otherwise
    printer = args.format or defaults.label_printer
    sheet = args.sheet if args.sheet is not None else defaults.label_layout == LabelLayout.SHEET
    if printer == LabelPrinter.ZPL:
        out.write_text(labels_zpl(labels), encoding="utf-8")
        print(f"Wrote {_count(len(labels), 'label')} (ZPL) to {out}.")
    else:
        pages = labels_pdf(labels, str(out), sheet=sheet)
        print(f"Wrote {_count(len(labels), 'label')} on {_count(pages, 'page')} to {out}.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reports.registry import by_key

    report = by_key(args.kind)
    ctx = _context(args)
    out = _writable(args.out)
    values = _report_values(report, args)
    missing = report.missing(values)
    if missing is not None:
        if missing.positional:
            raise ValidationError(
                f"The {report.key} report needs {missing.help}: "
                f"mpsystem report {report.key} {missing.value_name} --out FILE.pdf."
            )
        raise ValidationError(f"The {report.key} report needs {missing.options()[0]} {missing.value_name}.")
    pages = report.write(report.gather(ctx, values), str(out))
    print(f"Wrote the {report.key} report ({_count(pages, 'page')}) to {out}.")
    return 0


def _report_values(report: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The report's parameters from the options given; a date range's ends are checked as days."""
    from reports.registry import Kind, day_range

    values: dict[str, Any] = {}
    for param in report.parameters:
        if param.kind is Kind.DATE_RANGE:
            (start, end), (start_dest, end_dest) = param.options(), param.dests()
            values[param.name] = day_range(_date(getattr(args, start_dest), start), _date(getattr(args, end_dest), end))
        else:
            (dest,) = param.dests()
            values[param.name] = (getattr(args, dest) or "").strip() or None
    return values


def _report_options(parser: argparse.ArgumentParser) -> None:
    """One option per report parameter (a date range: two), each named once."""
    from reports.registry import REPORTS, Kind

    seen: set[str] = set()
    for report in REPORTS:
        for param in report.parameters:
            if param.name in seen or param.positional:
                continue
            seen.add(param.name)
            if param.kind is Kind.DATE_RANGE:
                for option, dest, end in zip(param.options(), param.dests(), ("from", "up to"), strict=True):
                    parser.add_argument(
                        option, dest=dest, metavar="YYYY-MM-DD", help=f"{report.key}: {end} {param.help}"
                    )
            else:
                parser.add_argument(param.options()[0], help=f"{report.key}: {param.help}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _writable(path: str) -> Path:
    out = Path(path).expanduser()
    if out.is_dir():
        raise ValidationError(f"{out} is a folder; give a file name with --out.")
    if not out.parent.exists():
        raise ValidationError(f"The folder {out.parent} does not exist.")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValidationError(f"Cannot write to {out}.")
    return out


def _date(text: str | None, option: str) -> Any:
    from app import validation

    return validation.a_date(text, option, required=False) if text else None


# ---------------------------------------------------------------- parser


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mpsystem", description="MPSYSTEM Desktop: production and warehouse.")
    parser.add_argument("--version", action="version", version=f"mpsystem {app.__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the local demo plant (created the first time, with a user for every role)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def url_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", help="database URL (default: $MPSYSTEM_DATABASE_URL, else the local file)")

    def add(
        parent: Any, name: str, handler: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        url_arg(p)
        return p

    db = sub.add_parser("db", help="create and upgrade the database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add(db_sub, "upgrade", cmd_db_upgrade, "upgrade the schema to this version of MPSYSTEM")
    p = add(db_sub, "init", cmd_db_init, "create the schema and the first administrator")
    p.add_argument("--admin", required=True, metavar="NAME", help="user name of the first administrator")
    p.add_argument("--full-name", default=None)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    p = add(sub, "demo", cmd_demo, "load the demo film plant into an empty database")
    p.add_argument(
        "--events",
        type=_non_negative,
        default=5000,
        metavar="N",
        help="fill the journal up to N events with older history (default 5000; the plant's own story is about 3,100)",
    )

    from domain.vocabulary import ImportKind

    kinds = ImportKind.values()
    p = add(sub, "import", cmd_import, "import warehouses, materials, suppliers, customers, lines or opening stock")
    p.add_argument("kind", choices=kinds, metavar="KIND", help="one of: " + ", ".join(kinds))
    p.add_argument("file", metavar="FILE.csv", help="UTF-8, comma or semicolon separated, with a header row")
    p.add_argument("--dry-run", action="store_true", help="check every row and say what would change; write nothing")
    p = add(sub, "export", cmd_export, "export them as CSV, in the columns the import reads")
    p.add_argument("kind", choices=kinds, metavar="KIND", help="one of: " + ", ".join(kinds))
    p.add_argument("file", metavar="FILE.csv")

    p = add(sub, "label", cmd_label, "print batch labels to a PDF or ZPL file")
    p.add_argument("numbers", nargs="+", metavar="NUMBER", help="batch numbers")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--format", choices=["pdf", "zpl"], help="default: the plant's label printer setting")
    p.add_argument(
        "--sheet",
        action=argparse.BooleanOptionalAction,
        help="ten labels to an A4 sheet, or (--no-sheet) one per page; default: the plant's label layout",
    )

    p = add(sub, "report", cmd_report, "write a report as PDF")
    from reports.registry import REPORTS, SUBJECT

    p.add_argument("kind", choices=[report.key for report in REPORTS])
    subjects = ", ".join(f"{r.key}: {param.help}" for r in REPORTS for param in r.parameters if param.positional)
    p.add_argument(SUBJECT, nargs="?", metavar="NUMBER", help=subjects)
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    _report_options(p)

    p = sub.add_parser(
        "self-test",
        help="check this installation end to end, offscreen, on a throwaway database",
        description="Create a temporary SQLite database, migrate it, load a small demo plant, sign in, open the "
        "main window and every table offscreen, render a label and a report. Prints `self-test ok` and exits 0, "
        "or names the step that failed and exits 1.",
    )
    p.set_defaults(handler=cmd_self_test)

    users = sub.add_parser("users", help="manage user accounts")
    u_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = add(u_sub, "add", cmd_users_add, "create a user")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.label for r in Role])
    p.add_argument("--full-name", default=None)
    p.add_argument("--password-stdin", action="store_true")
    add(u_sub, "list", cmd_users_list, "list users")
    add(u_sub, "disable", cmd_users_disable, "disable a user").add_argument("name")
    add(u_sub, "enable", cmd_users_enable, "enable a disabled user").add_argument("name")
    p = add(u_sub, "passwd", cmd_users_passwd, "set a user's password")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    p = add(u_sub, "role", cmd_users_role, "change a user's role")
    p.add_argument("name")
    p.add_argument("role", choices=[r.label for r in Role])
    return parser


def _advice(exc: KnownError) -> str:
    """What the command line's user does about an error whose remedy differs from the dialog's."""
    from app.errors import ClientCertificateRequired

    if isinstance(exc, ClientCertificateRequired):
        return (
            " Put the certificate and private key IT issued to you where libpq looks for them, "
            "~/.postgresql/postgresql.crt and ~/.postgresql/postgresql.key (%APPDATA%\\postgresql\\ on Windows), "
            "or name them in the address: …?sslmode=verify-full&sslcert=FILE&sslkey=FILE."
        )
    return ""


def _is_database_error(exc: Exception) -> bool:
    """A driver's error SQLAlchemy passed on; without SQLAlchemy loaded there can be none."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.DBAPIError)


def _database_failure(exc: Any) -> int:
    """Whatever the unit of work did not translate, a server gone away mid-command, in one line."""
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
    print(f"mpsystem: error: {ConnectionFailed('The database refused the command: ' + reason)}", file=sys.stderr)
    log.debug("database error", exc_info=exc)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        args.handler = cmd_open_demo if args.demo else (lambda _a: _start_client())
    from app.logs import setup_logging

    setup_logging()
    log.info("mpsystem %s: %s", app.__version__, args.command or ("demo" if args.demo else "client"))
    try:
        return int(args.handler(args))
    except KnownError as exc:
        print(f"mpsystem: error: {exc}{_advice(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `mpsystem users list | head`: the reader left; that is not an error. Caught before the
        # catch-all below, which would log it as a bug and end with a traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
    except KeyboardInterrupt:
        print("mpsystem: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if _is_database_error(exc):
            return _database_failure(exc)
        log.exception("unexpected failure")  # the traceback goes to the log file for the bug report
        raise


if __name__ == "__main__":
    sys.exit(main())
