"""The deployment guide's shell blocks, read from docs/DEPLOYMENT.md and run as the guide says.

Every ```sh block of the guide follows a marker that names it and says who runs it:

    <!-- guide-step: server-settings, as postgres -->

`as postgres` runs it as the server's postgres system user; `as ca` on the machine that keeps
the plant's CA; `as it` as IT at a workstation; `as person` in a person's own account; `as
root-restart` is the server's restart, which the test does itself (there is no systemd here);
`not run: why` says why the test leaves a block alone. The test runs each block's text as it is,
in bash with `set -euo pipefail`, on a terminal (so the commands ask for passwords as they ask
IT) and types each password when its prompt appears.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import termios
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "DEPLOYMENT.md"
WHO = ("postgres", "ca", "it", "person", "root-restart")
_MARKED = re.compile(
    r"^(?P<indent>[ \t]*)<!-- guide-step: (?P<name>[a-z0-9-]+), "
    r"(?:as (?P<who>[a-z-]+)|not run: (?P<why>[^>]+?)) -->[ \t]*\n"
    r"(?P=indent)```sh\n(?P<body>.*?)^(?P=indent)```$",
    re.DOTALL | re.MULTILINE,
)
_FILE = re.compile(
    r"^<!-- guide-file: (?P<name>[\w.-]+) -->[ \t]*\n```\w*\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE
)
_ANY_SH = re.compile(r"^[ \t]*```sh$", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    name: str
    who: str | None  # None: not run
    why: str | None
    body: str


def steps(text: str | None = None) -> dict[str, Step]:
    """Every marked shell block of the guide, by name; refuses unmarked blocks, unknown runners and repeats."""
    text = GUIDE.read_text(encoding="utf-8") if text is None else text
    found: dict[str, Step] = {}
    for m in _MARKED.finditer(text):
        name = m["name"]
        if name in found:
            raise ValueError(f"two guide steps are named {name}")
        if m["who"] is not None and m["who"] not in WHO:
            raise ValueError(f"guide step {name} is run “as {m['who']}”; the test knows {', '.join(WHO)}")
        body = textwrap.dedent(m["body"]) if m["indent"] else m["body"]
        found[name] = Step(name, m["who"], m["why"], body)
    blocks = len(_ANY_SH.findall(text))
    if blocks != len(found):
        raise ValueError(
            f"the guide has {blocks} shell blocks but {len(found)} marked ones: mark each (see tests/docs)"
        )
    return found


def files(text: str | None = None) -> dict[str, str]:
    """The files the guide gives whole (`<!-- guide-file: NAME -->` before the block), by name."""
    text = GUIDE.read_text(encoding="utf-8") if text is None else text
    return {m["name"]: m["body"] for m in _FILE.finditer(text)}


class StepFailed(AssertionError):
    pass


@dataclass
class Terminal:
    """Runs a block on a pseudo-terminal, answering password prompts; returns what the terminal showed."""

    answers: list[tuple[str, str]] = field(default_factory=list)  # (prompt pattern, what to type)

    def run(self, argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 180) -> str:
        program = shutil.which(argv[0]) or argv[0]  # runuser is in /usr/sbin, which a person's PATH may lack
        pid, fd = pty.fork()
        if pid == 0:  # the child: a terminal of its own, as a person at a console has
            try:
                # A terminal of a usual size: psql pages only what does not fit, as on IT's screen.
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
                os.chdir(cwd)
                os.execve(program, argv, env)
            finally:
                os._exit(127)
        shown, answered_up_to = "", 0
        deadline = time.monotonic() + timeout
        try:
            while True:
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    raise StepFailed(f"no end after {timeout:.0f} s; the terminal showed:\n{shown}")
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:  # the child closed the terminal
                        chunk = b""
                    if not chunk:
                        break
                    shown += chunk.decode("utf-8", "replace")
                    answered_up_to = self._answer(fd, shown, answered_up_to)
        finally:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        shown = shown.replace("\r\n", "\n")
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise StepFailed(f"exit status {code}; the terminal showed:\n{shown}")
        return shown

    def _answer(self, fd: int, shown: str, start: int) -> int:
        pending = shown[start:]
        for pattern, answer in self.answers:
            m = re.search(pattern, pending)
            if m is not None and not pending[m.end() :].strip():
                os.write(fd, answer.encode() + b"\n")
                return start + m.end()
        return start


def bash(body: str, *, user: str | None, env: dict[str, str]) -> list[str]:
    """The command that runs a block's text in bash, as `user` (through runuser) or as this process's user."""
    script = ["bash", "--noprofile", "--norc", "-c", "set -euo pipefail\n" + body]
    if user is None:
        return script
    # runuser sets HOME and the like for the target user; the test's own values are set after it.
    return ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in sorted(env.items())), *script]


def launcher(folder: Path, user: str) -> Path:
    """An `mpsystem` command that `user` may run: this checkout's, standing in for the bundle on the server.

    The suite's interpreter may sit where only its owner can enter (a home folder); then the
    system's Python of the same version runs the same code with the same installed packages.
    """
    import subprocess
    import sys
    import sysconfig

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [os.path.realpath(sys.executable), f"/usr/bin/{version}", f"/usr/local/bin/{version}"]
    usable = [
        path
        for path in candidates
        if os.path.exists(path) and subprocess.run(["runuser", "-u", user, "--", "test", "-x", path]).returncode == 0
    ]
    if not usable:
        raise RuntimeError(
            f"no {version} that the user {user} may run: install python3 ({version}) for the guide's test"
        )
    site = sysconfig.get_paths()["purelib"]
    folder.mkdir(parents=True, exist_ok=True)
    command = folder / "mpsystem"
    command.write_text(
        "#!/bin/sh\n"
        f'exec {usable[0]} -c \'import site, sys; site.addsitedir("{site}"); '
        'from app.cli import main; sys.exit(main())\' "$@"\n'
    )
    command.chmod(0o755)
    return command
