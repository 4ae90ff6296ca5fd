"""One engine factory for both backends, and the translation of driver errors."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from data.changes import watch_sqlite
from data.errors import AuthenticationFailed, ClientCertificateRequired, ConnectionFailed

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_lower(value: Any) -> Any:
    # SQLite's own lower() folds ASCII only; filters must find "Łódź" when typed "łódź".
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front, so two workstations never deadlock
        # upgrading a read lock; readers stay deferred and never block a writer under WAL.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def normalise_url(url: str | os.PathLike[str] | URL) -> URL:
    """Accept the URLs people type: postgresql://… means psycopg 3, a bare path means SQLite."""
    if isinstance(url, URL):
        parsed = url
    else:
        text = str(url).strip()
        if "://" not in text:
            text = "sqlite:///" + str(Path(text).expanduser().resolve())
        try:
            parsed = make_url(text)
            port = parsed.port
        except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            raise ConnectionFailed(f"“{_without_password(text)}” is not a database address.") from exc
        if port is not None and not 1 <= port <= 65535:
            raise ConnectionFailed(
                f"“{_without_password(text)}” is not a database address: the port must be between 1 and 65535."
            )
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConnectionFailed(f"Unsupported database “{parsed.get_backend_name()}”: use PostgreSQL or SQLite.")
    return parsed


def _without_password(text: str) -> str:
    """An address as it may be shown or logged: never with its password."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", text)


def _private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by this user only, before SQLite does with 0644.

    Whoever can read or write a local database file has all of it: the file is the boundary.
    """
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConnectionFailed(f"Cannot create the folder {folder}: {exc.strerror}.") from exc
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise ConnectionFailed(f"Cannot create the database file {path}: {exc.strerror}.") from exc


@dataclass
class Database:
    """A shared engine and a session factory; one session per operation and per thread."""

    url: URL
    engine: Engine
    session_factory: sessionmaker[Session] = field(repr=False)
    write_session_factory: sessionmaker[Session] = field(repr=False)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def describe(self) -> str:
        """Where the data lives, as the status bar shows it."""
        if self.is_sqlite:
            return f"file {self.url.database}"
        port = f":{self.url.port}" if self.url.port else ""
        return f"server {self.url.host or 'localhost'}{port}/{self.url.database}"

    @property
    def change_key(self) -> str:
        """What identifies this database to the in-process change feed (SQLite)."""
        return sqlite_key(self.url)

    def reset_connections(self) -> None:
        """The server restarted or the network came back: open fresh connections from now on."""
        self.engine.dispose(close=False)  # connections in use finish; the pool starts anew

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_key(url: URL) -> str:
    database = url.database or ":memory:"
    return database if database == ":memory:" else str(Path(database).expanduser().resolve())


def open_database(
    url: str | os.PathLike[str] | URL,
    *,
    username: str | None = None,
    password: str | None = None,
    check: bool = True,
    **engine_options: Any,
) -> Database:
    """Create the engine; with `check`, connect once so a bad address fails here, clearly."""
    parsed = normalise_url(url)
    if username is not None:
        parsed = parsed.set(username=username)
    if password is not None:
        parsed = parsed.set(password=password)
    # Errors never carry their statement's values: a password's verifier is one of them.
    engine_options.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "postgresql" and check:
        _certificate_files(parsed)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).expanduser().resolve()
            if not path.exists():
                _private_file(path)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **engine_options)
        _configure_sqlite(engine)
        watch_sqlite(engine, sqlite_key(parsed))
    else:
        connect_args = {"connect_timeout": 5, "application_name": "mpsystem"}
        # No ping before every checkout: it is one more round trip per operation (about 15% of the
        # throughput under load). A dead connection is noticed instead: SQLAlchemy drops the whole
        # pool on the first disconnect error, and the change listener resets it as soon as it sees
        # the server come back (see `reset_connections`), before the user tries again.
        engine = create_engine(parsed, pool_recycle=1800, connect_args=connect_args, **engine_options)
    database = Database(
        url=parsed,
        engine=engine,
        session_factory=sessionmaker(engine, expire_on_commit=False),
        write_session_factory=sessionmaker(engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False),
    )
    if check:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            engine.dispose()
            raise translate_connect_error(exc, database) from exc
    return database


def _server_refusals(text: str) -> list[str]:
    """The server's pg_hba.conf refusals, one per attempt libpq reports (it may try with TLS, then without).

    Only when every attempt was unencrypted is the server's rule "TLS only": an encrypted attempt
    refused too means the rules admit nobody of this name, database or address.
    """
    return [
        m.strip() for m in re.findall(r"(?:pg_hba\.conf rejects connection|no pg_hba\.conf entry) for [^\n]*", text)
    ]


def _certificate_files(url: URL) -> None:
    """A certificate file named in the address must exist: libpq silently sends no certificate instead."""
    for key, what in (("sslrootcert", "CA certificate"), ("sslcert", "client certificate"), ("sslkey", "private key")):
        value = url.query.get(key)
        if isinstance(value, str) and value and value != "system" and not Path(value).expanduser().is_file():
            raise ConnectionFailed(f"The {what} file {value} named in the connection ({key}) does not exist.")


def translate_connect_error(exc: DBAPIError, database: Database) -> Exception:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if (
        "password authentication failed" in lowered
        or "no password supplied" in lowered
        or ("role" in lowered and "does not exist" in lowered)
        or "not permitted to log in" in lowered
    ):
        if database.url.query.get("sslcert"):
            # The server reports a certificate issued to someone else as a failed password.
            return AuthenticationFailed(
                "Sign-in failed: the user name or the password is wrong, the account is disabled, "
                "or this connection's client certificate is issued to another user."
            )
        return AuthenticationFailed(
            "Sign-in failed: the user name or the password is wrong, or the account is disabled."
        )
    if database.is_sqlite:
        return ConnectionFailed(f"Cannot open the database {database.describe()}: {text}.")
    first_line = text.splitlines()[0] if text else type(exc).__name__
    if "requires a valid client certificate" in lowered:
        # Where to choose the certificate differs between the dialog and the command line: they add it.
        return ClientCertificateRequired(
            f"The {database.describe()} asks for the client certificate issued to you, and this connection sent none."
        )
    refusals = _server_refusals(text)
    refusal = refusals[-1] if refusals else None
    if refusals and all(r.endswith("no encryption") for r in refusals):
        return ConnectionFailed(
            f"The {database.describe()} accepts only encrypted connections (TLS), and this one was not: "
            "use sslmode verify-full with the plant's CA certificate (ask IT for the file)."
        )
    if refusal is not None:
        return ConnectionFailed(
            f"The {database.describe()} does not admit {database.url.username or 'this login'} to "
            f"“{database.url.database}” from this computer ({refusal}); ask IT."
        )
    cert = database.url.query.get("sslcert")
    client_side = "private key" in lowered or "certificate file" in lowered or "client certificate" in lowered
    if cert and client_side and "root certificate" not in lowered:
        return ConnectionFailed(
            f"The client certificate {cert} or its private key {database.url.query.get('sslkey')} "
            f"cannot be used ({first_line}); ask IT for a new pair."
        )
    if "certificate" in lowered or "ssl" in lowered and "does not support" in lowered:
        ca = database.url.query.get("sslrootcert")
        return ConnectionFailed(
            f"The {database.describe()} could not be trusted over TLS ({first_line}). "
            + (
                f"Check that the CA certificate {ca} signed the server's certificate"
                if ca
                else "Check the CA certificate"
            )
            + " and that the host name matches it; ask IT."
        )
    if isinstance(exc, OperationalError) and "database" in lowered and "does not exist" in lowered:
        return ConnectionFailed(f"The database “{database.url.database}” does not exist on the server.")
    return ConnectionFailed(
        f"Cannot reach the database {database.describe()}. Is the server running? ({text.splitlines()[0]})"
    )
