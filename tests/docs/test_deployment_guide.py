"""docs/DEPLOYMENT.md, word for word: its shell blocks run as written, on PostgreSQL servers started for it.

Three servers, as IT would meet them:

- the plant's: prepared by the guide (settings, restart, TLS with the plant's CA, pg_hba.conf),
  the plant created as the superuser, certificates for the administrator and a clerk, the plant's
  data imported and users managed from IT's workstation, a backup, the backup tried beside the
  plant and dropped, an upgrade;
- a new server, prepared the same way, where the backup is restored and both people sign in
  with their passwords and certificates;
- a third, where the plant is created with an owner login instead, and upgraded by it.

Between the blocks the test does what the guide's prose asks of IT (copying a file from one
machine to another) and what people do in the client (signing in through the machine-wide
preset, receiving stock). What it changes in the guide's text is only what the guide says is
IT's to change: the plant's network 10.20.0.0/16 becomes the loopback address the servers listen
on, and the host name dbserver.plant.local reaches them through libpq's PGHOSTADDR (the name still
has to match the server's certificate). In the preset, the port is the test server's. Passwords are
typed when asked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from app import profiles as pf
from app import queries, security
from app import services as s
from app.context import Context
from app.errors import ConnectionFailed, KnownError
from tests import pgcluster
from tests.docs import guide

PLANT_NETWORK = "10.20.0.0/16"
HOST = "dbserver.plant.local"


def test_every_shell_block_of_the_guide_is_marked_for_the_test() -> None:
    steps = guide.steps()
    assert steps, "the guide's steps were not found"
    assert {name for name, step in steps.items() if step.who is None} == {
        "install-postgresql",
        "server-command-line",
        "install-check",
        "build-bundle",
    }
    assert "profiles.json" in guide.files()
    json.loads(guide.files()["profiles.json"])
    with pytest.raises(ValueError, match="2 shell blocks but 1 marked"):
        guide.steps("<!-- guide-step: a, as postgres -->\n```sh\ntrue\n```\n\n```sh\nfalse\n```\n")


@dataclass
class Server:
    """A database server: its cluster, and the postgres user's home on it."""

    cluster: pgcluster.PgCluster
    home: Path

    @property
    def datadir(self) -> Path:
        return self.cluster.datadir


@dataclass
class Plant:
    """The machines of the guide and the passwords people type."""

    root: Path  # readable by the postgres system user: its homes and the mpsystem command live here
    ca: Path
    homes: dict[str, Path]
    mpsystem: Path
    passwords: dict[str, str] = field(default_factory=dict)
    ran: set[str] = field(default_factory=set)
    servers: list[Server] = field(default_factory=list)
    steps: dict[str, guide.Step] = field(default_factory=guide.steps)

    def server(self) -> Server:
        cluster = pgcluster.start_packaged_cluster()
        home = Path(tempfile.mkdtemp(prefix="home-", dir=self.root))
        shutil.chown(home, "postgres", "postgres")
        server = Server(cluster, home)
        self.servers.append(server)
        return server

    def run(
        self,
        name: str,
        *,
        server: Server | None = None,
        home: Path | None = None,
        cwd: Path | None = None,
        answers: list[tuple[str, str]] | None = None,
    ) -> str:
        step = self.steps[name]
        body = step.body.replace(PLANT_NETWORK, "127.0.0.1/32")
        self.ran.add(name)
        base = {"LANG": "C.UTF-8", "TERM": "xterm", "PATH": "/usr/local/bin:/usr/bin:/bin"}
        terminal = guide.Terminal(answers or [])
        if step.who == "root-restart":
            assert server is not None
            server.cluster.restart()
            return ""
        if step.who == "postgres":
            assert server is not None
            env = {**base, "HOME": str(server.home), "USER": "postgres", "LOGNAME": "postgres",
                   "PATH": f"{self.mpsystem.parent}:{base['PATH']}",
                   "PGHOST": str(server.cluster.socketdir), "PGPORT": str(server.cluster.port)}  # fmt: skip
            return terminal.run(guide.bash(body, user="postgres", env=env), cwd=server.home, env=env)
        if step.who == "ca":
            env = {**base, "HOME": str(self.ca)}
            return terminal.run(guide.bash(body, user=None, env=env), cwd=self.ca, env=env)
        if step.who == "person":
            assert home is not None and cwd is not None
            env = {**base, "HOME": str(home)}
            return terminal.run(guide.bash(body, user=None, env=env), cwd=cwd, env=env)
        assert step.who == "it" and server is not None and home is not None
        env = {**base, "HOME": str(home), "PATH": f"{Path(sys.executable).parent}:{base['PATH']}",
               "PGHOSTADDR": "127.0.0.1", "PGPORT": str(server.cluster.port)}  # fmt: skip
        return terminal.run(guide.bash(body, user=None, env=env), cwd=home, env=env)

    def prepare(self, server: Server) -> None:
        """Section 2 on a server: settings, restart, its certificate from the plant's CA, TLS, pg_hba.conf."""
        self.run("server-settings", server=server)
        self.run("server-restart", server=server)
        self.run("server-key", server=server)
        copy(server.datadir / "server.csr", self.ca)
        self.run("server-certificate")
        copy(self.ca / "server.crt", server.datadir, owner="postgres")
        copy(self.ca / "plant-ca.crt", server.datadir, owner="postgres")
        assert self.run("server-tls", server=server).splitlines()[-1] == "on"
        assert self.run("server-hba", server=server).splitlines()[-1] == "0"

    def typed(self, *who: str) -> list[tuple[str, str]]:
        """Each named person's password, for every prompt that asks for it."""
        answers = []
        for name in who:
            escaped = re.escape(name)
            answers += [
                (rf"Password for {escaped}@\S+: ", self.passwords[name]),
                (rf"(?:New p|P)assword for {escaped}(?: \(again\))?: ", self.passwords.get(f"{name} new", "")),
            ]
        return answers


def copy(source: Path, folder: Path, owner: str | None = None) -> None:
    """What the guide leaves to IT: a file carried from one machine to another."""
    target = folder / source.name
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)
    if owner:
        for path in (target, *(target.rglob("*") if target.is_dir() else ())):
            shutil.chown(path, owner, owner)


@pytest.fixture
def plant(tmp_path: Path) -> Iterator[Plant]:
    root = Path(tempfile.mkdtemp(prefix="mpsystem-guide-"))
    root.chmod(0o755)
    ca = tmp_path / "ca"
    ca.mkdir()
    homes = {name: tmp_path / name for name in ("anna.kowalska", "piotr.wojcik")}
    for home in homes.values():
        home.mkdir()
    setup = Plant(root=root, ca=ca, homes=homes, mpsystem=guide.launcher(root / "bin", "postgres"))
    setup.passwords = {name: secrets.token_urlsafe(12) for name in ("anna.kowalska", "piotr.wojcik", "mpsystem_owner")}
    setup.passwords["piotr.wojcik new"] = secrets.token_urlsafe(12)
    try:
        yield setup
    finally:
        for server in setup.servers:
            server.cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def workstation(monkeypatch: pytest.MonkeyPatch, _machine_config: Path) -> Iterator[Path]:
    """The client on a workstation whose name server does not know the plant's server: PGHOSTADDR tells libpq."""
    (_machine_config / "profiles.json").write_text(guide.files()["profiles.json"])
    monkeypatch.setenv("PGHOSTADDR", "127.0.0.1")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield _machine_config


def sign_in(monkeypatch: pytest.MonkeyPatch, plant: Plant, server: Server, name: str, password: str) -> Context:
    """A person signs in at their workstation with the machine's preset, which the dialog offers first."""
    monkeypatch.setenv("HOME", str(plant.homes[name]))  # their own ~/.postgresql files
    preset = pf.preselected(pf.load_profiles())
    assert preset.name == "Plant server" and preset.managed and preset.host == HOST
    profile = pf.validate(replace(preset, port=server.cluster.port))
    database, user = security.sign_in(profile.url(), name, password)
    return Context(database, user)


def tls_of(ctx: Context) -> tuple[bool, str]:
    with ctx.database.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()").one()
    return bool(row[0]), str(row[1])


def test_the_deployment_guide_word_for_word(plant: Plant, workstation: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    anna, piotr = plant.homes["anna.kowalska"], plant.homes["piotr.wojcik"]

    # ---- the plant's server: section 2, then the plant created as the superuser (section 3)
    first = plant.server()
    plant.run("plant-ca")
    plant.prepare(first)
    out = plant.run("init-superuser", server=first, answers=[(r"Password for anna\.kowalska(?: \(again\))?: ",
                                                              plant.passwords["anna.kowalska"])])  # fmt: skip
    assert "administrator anna.kowalska created" in out

    # ---- section 4: certificates for the administrator and a clerk, then users from IT's workstation
    plant.run("person-certificates")
    handed_over = plant.ca.parent / "handed-over"
    for name, home in plant.homes.items():
        copy(plant.ca / name, handed_over)
        plant.run("person-install", home=home, cwd=handed_over / name)
    # ---- section 3's plant data, imported by the administrator from IT's workstation
    (anna / "warehouses.csv").write_text("code,name,kind\nMAG-1,Raw materials,raw_materials\n")
    (anna / "materials.csv").write_text("code,name,kind,unit\nLDPE,LDPE granulate,granulate,kg\n")
    (anna / "stock.csv").write_text("batch_number,material,warehouse,quantity\nB-1,LDPE,MAG-1,500\n")
    out = plant.run("import", server=first, home=anna, answers=plant.typed("anna.kowalska"))
    assert out.count("Checked, nothing written:") == 1, out
    assert "Wrote 1 row of materials" in out, out

    out = plant.run("users", server=first, home=anna, answers=plant.typed("anna.kowalska") + [
        (r"Password for piotr\.wojcik(?: \(again\))?: ", plant.passwords["piotr.wojcik"])])  # fmt: skip
    assert "Created user piotr.wojcik (clerk)." in out
    assert [line.split() for line in out.splitlines() if line.startswith("piotr.wojcik")] == [
        ["piotr.wojcik", "clerk", "active", "Piotr", "Wójcik"]
    ]
    out = plant.run("users-more", server=first, home=anna, answers=plant.typed("anna.kowalska", "piotr.wojcik"))
    assert "piotr.wojcik is now a planner." in out and "Enabled user piotr.wojcik." in out
    new_password = plant.passwords["piotr.wojcik new"]

    # People sign in through the machine's preset, over TLS, each with their own certificate.
    clerk = sign_in(monkeypatch, plant, first, "piotr.wojcik", new_password)
    assert clerk.user.role.label == "planner" and tls_of(clerk) == (True, "/CN=piotr.wojcik")
    clerk.database.dispose()
    admin = sign_in(monkeypatch, plant, first, "anna.kowalska", plant.passwords["anna.kowalska"])
    assert tls_of(admin) == (True, "/CN=anna.kowalska")
    s.create_supplier(admin.uow(), code="BASELL", name="LyondellBasell")
    admin.database.dispose()
    # Without TLS the server refuses, and the client says so.
    monkeypatch.setenv("HOME", str(piotr))
    plain = replace(pf.preselected(pf.load_profiles()), port=first.cluster.port, sslmode="disable", sslrootcert="",
                    sslcert="", sslkey="")  # fmt: skip
    with pytest.raises(ConnectionFailed, match=r"accepts only encrypted connections \(TLS\)"):
        security.sign_in(pf.validate(plain).url(), "piotr.wojcik", new_password)

    # ---- section 11 on the plant: nothing to do at this version
    assert "is up to date" in plant.run("upgrade", server=first)

    # ---- section 5: a backup, tried beside the plant, where nobody signs in
    plant.run("backup", server=first)
    backups = sorted((first.home / "backups").iterdir())
    assert len(backups) == 1 and {p.name for p in backups[0].iterdir()} == {"mpsystem.dump", "roles.sql"}
    assert oct(backups[0].stat().st_mode & 0o777) == "0o700"
    out = plant.run("restore-test-copy", server=first)
    assert re.search(r"^\s*2 \|\s+1 \| 20\d\d-", out, re.MULTILINE), out  # two users, one movement
    monkeypatch.setenv("HOME", str(piotr))
    copy_profile = replace(pf.preselected(pf.load_profiles()), port=first.cluster.port,
                           database="mpsystem_restore_test")  # fmt: skip
    with pytest.raises(KnownError, match="does not admit"):
        security.sign_in(pf.validate(copy_profile).url(), "piotr.wojcik", new_password)
    plant.run("restore-test-drop", server=first)

    # ---- section 5: the newest backup restored onto a new server, prepared by section 2
    second = plant.server()
    plant.prepare(second)
    copy(first.home / "backups", second.home, owner="postgres")
    out = plant.run("restore-new-server", server=second)
    assert "it is now this server's plant, and 2 logins are linked to this server's roles by name" in out, out
    clerk = sign_in(monkeypatch, plant, second, "piotr.wojcik", new_password)
    assert tls_of(clerk) == (True, "/CN=piotr.wojcik")
    assert [b.number for b in queries.batches(clerk.reader()).rows] == ["B-1"]
    clerk.database.dispose()
    admin = sign_in(monkeypatch, plant, second, "anna.kowalska", plant.passwords["anna.kowalska"])
    s.receive_batch(admin.uow(), number="B-2", material="LDPE", supplier="BASELL", quantity=20, warehouse="MAG-1")
    with admin.database.engine.connect() as conn:
        signed = conn.exec_driver_sql(
            "SELECT m.user_id FROM stock_movements m JOIN batches b ON b.id = m.batch_id WHERE b.number = 'B-2'"
        ).scalar()
    assert signed == admin.user.id  # the database names the writer by this server's login
    admin.database.dispose()

    # ---- section 3 the other way: a third server, the plant created and upgraded by an owner login
    third = plant.server()
    plant.prepare(third)
    owner = plant.passwords["mpsystem_owner"]
    out = plant.run("init-owner", server=third, answers=[
        (r"Enter password for new role: ", owner), (r"Enter it again: ", owner),
        (r"Password for mpsystem_owner@\S+: ", owner),
        (r"Password for anna\.kowalska(?: \(again\))?: ", plant.passwords["anna.kowalska"])])  # fmt: skip
    assert "administrator anna.kowalska created" in out
    admin = sign_in(monkeypatch, plant, third, "anna.kowalska", plant.passwords["anna.kowalska"])
    assert admin.user.role.label == "admin"
    with admin.database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE tablename = 'events'").scalar() == (
            "mpsystem_owner"
        )
    admin.database.dispose()
    out = plant.run("upgrade-owner", server=third, answers=[(r"Password for mpsystem_owner@\S+: ", owner)])
    assert "is up to date" in out

    # Every block the guide gives to run was run.
    assert plant.ran == {name for name, step in plant.steps.items() if step.who is not None}
    assert not os.environ.get("MPSYSTEM_DATABASE_URL")
