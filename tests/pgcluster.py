"""A throwaway PostgreSQL cluster for the test suite and the benchmarks.

PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` system user and every server command runs through `runuser`.
Set MPSYSTEM_TEST_PG_URL to use an existing server instead (a superuser URL).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "mpsystem_test_owner"


def _pg_bindir() -> Path:
    env = os.environ.get("MPSYSTEM_PG_BINDIR")
    if env:
        return Path(env)
    base = Path("/usr/lib/postgresql")
    if base.is_dir():
        versions = sorted(
            (p for p in base.iterdir() if (p / "bin" / "initdb").exists()),
            key=lambda p: int(p.name) if p.name.isdigit() else 0,
        )
        if versions:
            return versions[-1] / "bin"
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found; install the `postgresql` package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    root: Path
    port: int
    password: str
    bindir: Path
    as_postgres: bool

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socketdir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"postgresql+psycopg://{user}:{pw}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.socketdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100 -c shared_buffers=256MB",
            "start",
        )

    def restart(self) -> None:
        """What `systemctl restart postgresql` does for a packaged server: settings that need it take effect."""
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.root / "server.log"), "-w", "-t", "60", "restart")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(Exception):  # already stopped is fine when tearing down
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.root / "server.log").read_text().splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def start_cluster() -> PgCluster:
    """initdb + start on a random port with scram-sha-256; about a second and a half."""
    bindir = _pg_bindir()
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="mpsystem-pg-"))
    password = secrets.token_urlsafe(16)
    cluster = PgCluster(root=root, port=_free_port(), password=password, bindir=bindir, as_postgres=as_postgres)
    (root / "socket").mkdir()
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "socket", "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    os.chmod(root, 0o755)
    os.chmod(root / "socket", 0o755)
    try:
        cluster._run(
            "initdb",
            "-D",
            str(cluster.datadir),
            "-U",
            SUPERUSER,
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        pwfile.unlink()
        cluster.start()
    except subprocess.CalledProcessError as exc:
        log = cluster.log_tail()
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{log}") from exc
    return cluster


def wait_until_accepting(url: str, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    while True:
        try:
            psycopg.connect(plain, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start_packaged_cluster() -> PgCluster:
    """A cluster as a distribution's package sets one up, for the deployment guide's test.

    The superuser is `postgres`, without a password; the `postgres` system user reaches it over
    the local socket (peer), TCP asks for a password (scram-sha-256), and it listens on localhost.
    Its port and socket folder are in postgresql.conf, so a restart keeps them; nothing else is
    set on the command line, so the guide's own settings are the ones that count.
    """
    if os.geteuid() != 0:
        raise RuntimeError(
            "the deployment guide's test runs the server as the postgres system user and changes to it with "
            "runuser: run the suite as root (as CI does)"
        )
    bindir = _pg_bindir()
    root = Path(tempfile.mkdtemp(prefix="mpsystem-guide-pg-"))
    cluster = PgCluster(root=root, port=_free_port(), password="", bindir=bindir, as_postgres=True)
    (root / "socket").mkdir()
    for path in (root, root / "socket"):
        shutil.chown(path, "postgres", "postgres")
        os.chmod(path, 0o755)
    try:
        cluster._run(
            "initdb", "-D", str(cluster.datadir), "-U", "postgres", "--auth-local=peer",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (cluster.datadir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {cluster.port}\nunix_socket_directories = '{cluster.socketdir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        cluster._run("pg_ctl", "-D", str(cluster.datadir), "-l", str(root / "server.log"), "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as exc:
        log = cluster.log_tail()
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{log}") from exc
    return cluster
