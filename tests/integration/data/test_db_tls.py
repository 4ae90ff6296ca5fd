"""TLS to the server: a profile with sslmode verify-full and a CA file connects encrypted and checks the server.

The suite's server gets a certificate signed by a throwaway CA for this test
(TLS is switched on by a configuration reload, and off again afterwards).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import profiles as pf
from app import security
from app import services as s
from app.context import Context
from app.errors import AuthenticationFailed, ClientCertificateRequired, ConnectionFailed, ValidationError
from data.changes import ChangeListener
from tests.pgcluster import PgCluster

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str) -> Path:
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
        "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=folder,
    )  # fmt: skip
    return folder / f"{name}.crt"


def issue_certificate(folder: Path, name: str, common_name: str, extensions: str = "") -> tuple[Path, Path]:
    """`name`.crt and `name`.key for `common_name`, signed by the plant CA of `folder`."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={common_name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=folder)  # fmt: skip
    extfile = []
    if extensions:
        (folder / f"{name}.cnf").write_text(extensions + "\n")
        extfile = ["-extfile", f"{name}.cnf"]
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "plant-ca.crt", "-CAkey", "plant-ca.key",
            "-CAcreateserial", "-days", "2", *extfile, "-out", f"{name}.crt", cwd=folder)  # fmt: skip
    (folder / f"{name}.key").chmod(0o600)
    return folder / f"{name}.crt", folder / f"{name}.key"


@pytest.fixture
def tls_server(pg_server: object, tmp_path: Path) -> Iterator[Path]:
    """TLS on the test server with a certificate for 127.0.0.1 and localhost; yields the CA file."""
    if not isinstance(pg_server, PgCluster):
        pytest.fail("this test reconfigures the server; it needs the suite's own cluster", pytrace=False)
    ca = make_ca(tmp_path, "plant-ca")
    issue_certificate(tmp_path, "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    for name in ("server.crt", "server.key"):
        target = pg_server.datadir / name
        shutil.copyfile(tmp_path / name, target)
        target.chmod(0o600)
        if pg_server.as_postgres:
            shutil.chown(target, "postgres", "postgres")
    admin = pg_server.url().replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET ssl = on")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield ca
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET ssl")
            conn.execute("SELECT pg_reload_conf()")


def server_profile(database_url: str, sslmode: str, ca: Path | None, host: str = "127.0.0.1") -> pf.Profile:
    url = make_url(database_url)
    return pf.validate(
        pf.Profile(
            name="Plant server", kind="postgresql", host=host, port=url.port or 5432, database=url.database or "",
            sslmode=sslmode, sslrootcert=str(ca) if ca else "",
        )
    )  # fmt: skip


def test_verify_full_connects_encrypted_and_refuses_a_foreign_server(
    tls_server: Path, database_url: str, admin: Context, tmp_path: Path
) -> None:
    s.create_user(admin.uow(), username="tls_clerk", role="clerk", password="over the wire")
    for host in ("127.0.0.1", "localhost"):
        profile = server_profile(database_url, "verify-full", tls_server, host)
        database, user = security.sign_in(profile.url(), "tls_clerk", "over the wire")
        try:
            with database.engine.connect() as conn:
                row = conn.exec_driver_sql("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").one()
            assert row[0] is True and row[1].startswith("TLS")
            assert user.username == "tls_clerk"
        finally:
            database.dispose()

    # A CA that did not sign the server's certificate: the client refuses to talk to it.
    stranger = make_ca(tmp_path, "other-ca")
    profile = server_profile(database_url, "verify-full", stranger)
    with pytest.raises(ConnectionFailed, match="certificate") as info:
        security.sign_in(profile.url(), "tls_clerk", "over the wire")
    assert "CA certificate" in str(info.value)


def test_profiles_need_a_ca_file_to_verify(tmp_path: Path, database_url: str) -> None:
    with pytest.raises(ValidationError, match="choose the CA certificate file"):
        server_profile(database_url, "verify-ca", None)
    with pytest.raises(ValidationError, match="does not exist"):
        server_profile(database_url, "verify-full", tmp_path / "missing.crt")
    require = server_profile(database_url, "require", None)
    assert "sslmode=require" in require.url()


@pytest.fixture
def client_certificates_required(tls_server: Path, pg_server: PgCluster, database_url: str) -> Iterator[Path]:
    """The server trusts the plant CA for client certificates and asks tls_clerk for one, with the password."""
    shutil.copyfile(tls_server, pg_server.datadir / "root.crt")
    if pg_server.as_postgres:
        shutil.chown(pg_server.datadir / "root.crt", "postgres", "postgres")
    hba = pg_server.datadir / "pg_hba.conf"
    original = hba.read_text()
    database = make_url(database_url).database
    hba.write_text(
        f"hostssl {database} tls_clerk 127.0.0.1/32 scram-sha-256 clientcert=verify-full\n"
        f"hostnossl {database} tls_clerk 127.0.0.1/32 reject\n" + original
    )
    admin = pg_server.url().replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET ssl_ca_file = 'root.crt'")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield tls_server
    finally:
        hba.write_text(original)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET ssl_ca_file")
            conn.execute("SELECT pg_reload_conf()")


def test_a_server_that_asks_for_client_certificates_gets_this_users_one(
    client_certificates_required: Path, database_url: str, admin: Context, tmp_path: Path
) -> None:
    ca = client_certificates_required
    s.create_user(admin.uow(), username="tls_clerk", role="clerk", password="over the wire")
    base = server_profile(database_url, "verify-full", ca)

    # No certificate on this workstation: refused, and told what is missing.
    with pytest.raises(ClientCertificateRequired, match="asks for the client certificate issued to you"):
        security.sign_in(base.url(), "tls_clerk", "over the wire")

    cert, key = issue_certificate(tmp_path, "tls_clerk", "tls_clerk")
    profile = pf.validate(replace(base, sslcert=str(cert), sslkey=str(key)))
    database, user = security.sign_in(profile.url(), "tls_clerk", "over the wire")
    try:
        with database.engine.connect() as conn:
            dn = conn.exec_driver_sql("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar()
        assert dn == "/CN=tls_clerk" and user.username == "tls_clerk"
        # The live-update listener opens its own connection with the same certificate.
        states: list[tuple[bool, str]] = []
        listener = ChangeListener(database.url, lambda _changes: None, lambda up, why: states.append((up, why)))
        listener.start()
        try:
            assert listener.connected.wait(10), states
        finally:
            listener.stop()
    finally:
        database.dispose()

    # The certificate and the password still have to belong to the same person.
    other_cert, other_key = issue_certificate(tmp_path, "someone_else", "someone_else")
    borrowed = pf.validate(replace(base, sslcert=str(other_cert), sslkey=str(other_key)))
    with pytest.raises(AuthenticationFailed, match="client certificate is issued to another user"):
        security.sign_in(borrowed.url(), "tls_clerk", "over the wire")

    # A damaged certificate file: named, so IT knows what to replace.
    damaged = tmp_path / "damaged.crt"
    damaged.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    broken = pf.validate(replace(base, sslcert=str(damaged), sslkey=str(key)))
    with pytest.raises(ConnectionFailed, match="cannot be used") as info:
        security.sign_in(broken.url(), "tls_clerk", "over the wire")
    assert str(damaged) in str(info.value)


def test_client_certificate_files_are_checked_before_connecting(tmp_path: Path, database_url: str) -> None:
    base = server_profile(database_url, "require", None)
    cert, key = tmp_path / "me.crt", tmp_path / "me.key"
    cert.write_text("certificate")
    key.write_text("key")
    with pytest.raises(ValidationError, match="needs both files") as info:
        pf.validate(replace(base, sslcert=str(cert)))
    assert info.value.field == "sslkey"
    with pytest.raises(ValidationError, match="does not exist"):
        pf.validate(replace(base, sslcert=str(tmp_path / "gone.crt"), sslkey=str(key)))
    key.chmod(0o644)
    with pytest.raises(ValidationError, match="chmod 600"):
        pf.validate(replace(base, sslcert=str(cert), sslkey=str(key)))
    key.chmod(0o640)  # libpq accepts this for a key owned by root only
    if key.stat().st_uid == 0:
        pf.validate(replace(base, sslcert=str(cert), sslkey=str(key)))
    else:
        with pytest.raises(ValidationError, match="chmod 600"):
            pf.validate(replace(base, sslcert=str(cert), sslkey=str(key)))
    key.chmod(0o600)
    with pytest.raises(ValidationError, match="other than disable"):
        pf.validate(replace(base, sslmode="disable", sslcert=str(cert), sslkey=str(key)))
    url = pf.validate(replace(base, sslcert=str(cert), sslkey=str(key))).url()
    assert f"sslcert={cert}" in url and f"sslkey={key}" in url


def _cli_url(database_url: str, user: str, password: str, query: str) -> str:
    url = make_url(database_url)
    return f"postgresql://{user}:{password}@127.0.0.1:{url.port}/{url.database}?{query}"


def test_the_command_line_says_where_its_certificate_goes_never_the_dialogs_settings(
    client_certificates_required: Path,
    database_url: str,
    admin: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import cli
    from ui.ops import message_for

    monkeypatch.setenv("HOME", str(tmp_path))  # libpq's own ~/.postgresql/postgresql.crt: none here
    ca = client_certificates_required
    s.create_user(admin.uow(), username="tls_clerk", role="clerk", password="over the wire")
    verify = f"sslmode=verify-full&sslrootcert={ca}"

    assert cli.main(["users", "list", "--url", _cli_url(database_url, "tls_clerk", "over the wire", verify)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "asks for the client certificate issued to you" in error
    assert "~/.postgresql/postgresql.crt" in error and "sslcert=" in error and "Edit" not in error

    # A certificate named in the address that is not there: said so, before libpq sends none instead.
    missing = tmp_path / "nowhere" / "client.crt"
    url = _cli_url(database_url, "tls_clerk", "over the wire", f"{verify}&sslcert={missing}&sslkey={missing}")
    assert cli.main(["users", "list", "--url", url]) == 1
    error = capsys.readouterr().err
    assert f"The client certificate file {missing} named in the connection (sslcert) does not exist." in error
    assert "Edit" not in error

    # The sign-in dialog gets the same refusal with its own advice.
    profile = server_profile(database_url, "verify-full", ca)
    with pytest.raises(ClientCertificateRequired) as info:
        security.sign_in(profile.url(), "tls_clerk", "over the wire")
    assert "connection's settings (Edit…)" in message_for(info.value)

    # With libpq's own files in place the command line needs nothing in the address.
    folder = tmp_path / ".postgresql"
    folder.mkdir()
    cert, key = issue_certificate(tmp_path, "tls_clerk", "tls_clerk")
    cert.rename(folder / "postgresql.crt")
    key.rename(folder / "postgresql.key")
    assert cli.main(["users", "list", "--url", _cli_url(database_url, "tls_clerk", "over the wire", verify)]) == 0
    assert "tls_clerk" in capsys.readouterr().out


@pytest.fixture
def tls_only(tls_server: Path, pg_server: PgCluster, database_url: str) -> Iterator[Path]:
    """The server refuses every connection to this database that is not encrypted."""
    hba = pg_server.datadir / "pg_hba.conf"
    original = hba.read_text()
    database = make_url(database_url).database
    hba.write_text(f"hostnossl {database} all 127.0.0.1/32 reject\n" + original)
    admin = pg_server.url().replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield tls_server
    finally:
        hba.write_text(original)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_a_server_that_refuses_unencrypted_connections_is_named_as_such(
    tls_only: Path, database_url: str, admin: Context
) -> None:
    s.create_user(admin.uow(), username="tls_clerk", role="clerk", password="over the wire")
    plain = server_profile(database_url, "disable", None)
    with pytest.raises(ConnectionFailed) as info:
        security.sign_in(plain.url(), "tls_clerk", "over the wire")
    message = str(info.value)
    assert "accepts only encrypted connections (TLS)" in message and "verify-full" in message
    assert "Is the server running" not in message

    database, user = security.sign_in(server_profile(database_url, "verify-full", tls_only).url(), "tls_clerk",
                                      "over the wire")  # fmt: skip
    database.dispose()
    assert user.username == "tls_clerk"
