"""TLS to the server: a profile with sslmode verify-full and a CA file connects encrypted and checks the server.

The suite's server gets a certificate signed by a throwaway CA for this test
(TLS is switched on by a configuration reload, and off again afterwards).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import profiles as pf
from app import security
from app import services as s
from app.context import Context
from app.errors import ConnectionFailed, ValidationError
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


@pytest.fixture
def tls_server(pg_server: object, tmp_path: Path) -> Iterator[Path]:
    """TLS on the test server with a certificate for 127.0.0.1 and localhost; yields the CA file."""
    if not isinstance(pg_server, PgCluster):
        pytest.fail("this test reconfigures the server; it needs the suite's own cluster", pytrace=False)
    ca = make_ca(tmp_path, "plant-ca")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr", cwd=tmp_path)  # fmt: skip
    (tmp_path / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "plant-ca.crt", "-CAkey", "plant-ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.crt", cwd=tmp_path)  # fmt: skip
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
