"""Connection profiles: a PostgreSQL server or a local SQLite file.

Profiles are kept as JSON in the user's config directory. Passwords never go
there: they are kept in the operating system's keyring, and only when the user
ticked "remember me".
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from app import config
from app import validation as v
from app.errors import ValidationError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "MPSYSTEM"
SSL_MODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
LOCAL_NAME = "Local database"


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str = "sqlite"  # "sqlite" or "postgresql"
    path: str = ""
    host: str = ""
    port: int = 5432
    database: str = "mpsystem"
    sslmode: str = "verify-full"  # a new server profile checks who answers; require and the others stay choosable
    sslrootcert: str = ""  # the CA certificate that signed the server's (verify-ca, verify-full)
    sslcert: str = ""  # this workstation's client certificate, where the server asks for one
    sslkey: str = ""  # and its private key
    last_user: str = ""
    remember: bool = False
    managed: bool = False  # preset by IT in the machine-wide file; a user's own profile of that name overrides

    @property
    def is_server(self) -> bool:
        return self.kind == "postgresql"

    def describe(self) -> str:
        if self.is_server:
            return f"{self.host}:{self.port}/{self.database}"
        return self.path

    def url(self) -> str:
        """The database URL without credentials; sign-in adds the user and password."""
        if self.is_server:
            url = f"postgresql+psycopg://{quote(self.host)}:{self.port}/{quote(self.database)}?sslmode={self.sslmode}"
            for key in ("sslrootcert", "sslcert", "sslkey"):
                value = getattr(self, key)
                if value:
                    url += f"&{key}=" + quote(str(local_path(value)), safe="/:\\")
            return url
        return "sqlite:///" + str(local_path(self.path))


def local_path(value: str) -> Path:
    """A file named in a profile, for this user: `~` and variables (`%APPDATA%`, `$HOME`) filled in.

    So one machine-wide preset names each user's own certificate files.
    """
    return Path(os.path.expandvars(value)).expanduser()


def local_profile() -> Profile:
    return Profile(name=LOCAL_NAME, kind="sqlite", path=str(config.default_local_database()))


def demo_profile() -> Profile:
    return Profile(name="Demo plant", kind="sqlite", path=str(config.default_demo_database()))


def validate(profile: Profile) -> Profile:
    name = v.required_text(profile.name, "profile_name", 60)
    if profile.kind not in ("sqlite", "postgresql"):
        raise ValidationError("Choose a local file or a PostgreSQL server.", "kind")
    if profile.kind == "sqlite":
        path = v.required_text(profile.path, "file", 1000)
        return replace(profile, name=name, path=path)
    host = v.required_text(profile.host, "host", 255)
    if any(c.isspace() or c in "/@?#" for c in host):
        raise ValidationError(f"“{host}” is not a host name.", "host")
    port = v.integer(profile.port, "port", 1, 65535)
    database = v.code(profile.database, "database", 63)
    sslmode = v.choice(profile.sslmode, "sslmode", SSL_MODES)
    ca = (profile.sslrootcert or "").strip()
    if sslmode in ("verify-ca", "verify-full") and not ca:
        raise ValidationError(
            f"sslmode {sslmode} checks the server's certificate: choose the CA certificate file (.crt or .pem).",
            "sslrootcert",
        )
    if ca and not local_path(ca).is_file():
        raise ValidationError(f"The CA certificate file {ca} does not exist.", "sslrootcert")
    cert, key = (profile.sslcert or "").strip(), (profile.sslkey or "").strip()
    if bool(cert) != bool(key):
        raise ValidationError(
            "A client certificate needs both files: the certificate (.crt) and its private key (.key).",
            "sslkey" if cert else "sslcert",
        )
    if cert and sslmode == "disable":
        raise ValidationError("A client certificate is sent over TLS: choose an sslmode other than disable.", "sslmode")
    for value, field, what in ((cert, "sslcert", "client certificate"), (key, "sslkey", "private key")):
        if value and not local_path(value).is_file():
            raise ValidationError(f"The {what} file {value} does not exist.", field)
    if key and os.name == "posix" and _readable_by_others(local_path(key)):
        # libpq refuses such a key, with a message few users would understand.
        raise ValidationError(
            f"The private key {key} can be read by other users of this computer; "
            f"make it private first (chmod 600 {key}).",
            "sslkey",
        )
    return replace(
        profile,
        name=name,
        host=host,
        port=port,
        database=database,
        sslmode=sslmode,
        sslrootcert=ca,
        sslcert=cert,
        sslkey=key,
    )


def _readable_by_others(key: Path) -> bool:
    """libpq's rule: 0600 at most, or 0640 at most for a key owned by root (shared through a group)."""
    info = key.stat()
    return bool(info.st_mode & (0o037 if info.st_uid == 0 else 0o077))


def _profiles_file() -> Path:
    return config.user_config_dir() / "profiles.json"


def _read_raw(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable profiles file %s: %s", path, exc)
        return {}
    return raw if isinstance(raw, dict) else {}


def _read(path: Path, managed: bool) -> list[Profile]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        profiles = []
        for item in raw.get("profiles", []):
            known = {k: item[k] for k in Profile.__dataclass_fields__ if k in item and k != "managed"}
            profiles.append(Profile(**known, managed=managed))
        return profiles
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable profiles file %s: %s", path, exc)
        return []


def machine_profiles() -> list[Profile]:
    """The server profiles IT presets for every user of this machine (see the deployment guide)."""
    return _read(config.machine_config_dir() / "profiles.json", managed=True)


def load_profiles() -> list[Profile]:
    """The machine's preset profiles, overridden by name by the user's own; the local database first."""
    own = _read(_profiles_file(), managed=False)
    names = {p.name for p in own}
    profiles = [p for p in machine_profiles() if p.name not in names] + own
    if not any(p.name == LOCAL_NAME for p in profiles):
        profiles.insert(0, local_profile())
    return profiles


def preselected(profiles: list[Profile]) -> Profile:
    """The connection the sign-in dialog offers first.

    The one this user last signed in with; else the first connection IT preset for the machine (a
    workstation with a preset is meant for the plant's server); else the first, the local database.
    """
    last = _read_raw(_profiles_file()).get("last_used")
    for chosen in (
        next((p for p in profiles if p.name == last), None),
        next((p for p in profiles if p.managed), None),
    ):
        if chosen is not None:
            return chosen
    return profiles[0]


def save_profiles(profiles: list[Profile], last_used: str | None = None) -> None:
    """Save the user's profiles (and which one they signed in with); the machine's presets stay in their file."""
    path = _profiles_file()
    config.private_folder(path.parent)
    tmp = path.with_suffix(".tmp")
    own = [asdict(p) for p in profiles if not p.managed]
    for item in own:
        item.pop("managed", None)
    content: dict[str, Any] = {"profiles": own}
    last = last_used if last_used is not None else _read_raw(path).get("last_used")
    if isinstance(last, str) and any(p.name == last for p in profiles):
        content["last_used"] = last
    with config.private_open(tmp) as out:  # servers, user names and certificate paths: this user's only
        out.write(json.dumps(content, indent=2, ensure_ascii=False))
    os.replace(tmp, path)  # never leave a half-written file behind


def upsert(profiles: list[Profile], profile: Profile, replacing: str | None = None) -> list[Profile]:
    """Add a profile, or replace the one named `replacing`; names stay unique."""
    profile = validate(profile)
    if any(p.name == profile.name and p.name != replacing for p in profiles):
        raise ValidationError(f"A profile named “{profile.name}” exists already.", "profile_name")
    if replacing is None:
        return [*profiles, profile]
    return [profile if p.name == replacing else p for p in profiles]


def _key(profile: Profile, username: str) -> str:
    return f"{profile.describe()}|{username.lower()}"


def remembered_password(profile: Profile, username: str) -> str | None:
    if not username:
        return None
    import keyring  # only when a password was remembered: the sign-in dialog shows sooner without it
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, _key(profile, username))
    except keyring.errors.KeyringError as exc:
        log.info("no keyring: %s", exc)
        return None


def remember_password(profile: Profile, username: str, password: str | None) -> bool:
    """Store (or, with None, forget) a password in the keyring; False if there is no keyring."""
    import keyring
    import keyring.errors

    try:
        if password is None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, _key(profile, username))
        else:
            keyring.set_password(KEYRING_SERVICE, _key(profile, username), password)
        return True
    except keyring.errors.KeyringError as exc:
        log.info("no keyring: %s", exc)
        return False
