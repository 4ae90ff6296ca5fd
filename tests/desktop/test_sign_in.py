"""Signing in, out and quitting: the real client on a real X display, driven by key presses."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from app import profiles as pf
from app import services as s
from app.context import Context
from app.permissions import Role
from app.security import SYSTEM
from data.db import open_database
from tests.conftest import drop_pg_database, new_pg_database
from tests.desktop.conftest import DEMO_PASSWORD, MAIN, SIGN_IN, Client, signed_in_as

TABS = ("Inventory", "Batches", "Production queue", "Events", "Customers", "Orders", "Dashboard", "Line stops")


def test_typed_sign_in_opens_the_main_window_and_it_stays(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.x.wait_window(SIGN_IN)
    client.screenshot("sign-in-dialog")
    client.sign_in("planner", DEMO_PASSWORD)
    client.main_window()
    signed_in_as(client, "planner")
    client.screenshot("main-window")
    # Five seconds later the program is still there, with its window (it used to end right after sign-in).
    time.sleep(5)
    assert client.alive()
    assert client.x.windows(MAIN)
    state = client.state()
    assert state["main"]["user"] == "planner"
    client.screenshot("main-window-5s-later")


def test_a_wrong_password_says_so_and_the_right_one_signs_in(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("clerk", "not-the-password")
    state = client.wait(lambda s: s["login"]["message"], "the refusal")
    assert state["login"]["message"] == "Sign-in failed: the user name or the password is wrong."
    client.screenshot("wrong-password")
    assert client.alive()
    client.sign_in("clerk", DEMO_PASSWORD)
    signed_in_as(client, "clerk")
    client.screenshot("signed-in-after-a-wrong-password")


def test_sign_out_and_in_as_another_role_changes_what_may_be_done(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("viewer", DEMO_PASSWORD)
    state = signed_in_as(client, "viewer")
    actions = state["main"]["actions"]  # type: ignore[index]
    assert not actions["receive"]["enabled"] and not actions["approve"]["enabled"]
    client.screenshot("viewer")
    client.keys_to_main("alt+f")  # File menu, then "Sign out" by its underlined letter
    client.x.key("o")
    client.wait(lambda s: "login" in s and "main" not in s, "the sign-in dialog after signing out")
    assert client.alive()
    client.screenshot("signed-out")
    client.sign_in("clerk", DEMO_PASSWORD)
    state = signed_in_as(client, "clerk")
    actions = state["main"]["actions"]  # type: ignore[index]
    assert actions["receive"]["enabled"], "a clerk receives stock"
    assert not actions["approve"]["enabled"], "a clerk does not release batches"
    client.screenshot("clerk")
    client.keys_to_main("alt+f")
    client.x.key("o")
    client.wait(lambda s: "login" in s and "main" not in s, "the sign-in dialog again")
    client.sign_in("manager", DEMO_PASSWORD)
    state = signed_in_as(client, "manager")
    assert state["main"]["actions"]["approve"]["enabled"]  # type: ignore[index]
    client.screenshot("manager")


def test_every_tab_by_keyboard(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("manager", DEMO_PASSWORD)
    signed_in_as(client, "manager")
    for number, title in enumerate(TABS, start=1):
        client.keys_to_main(f"ctrl+{number}")
        client.wait(lambda s, t=title: s["main"]["tab"] == t and not s["main"]["busy"], f"the {title} tab")
        client.screenshot(f"tab-{number}-{title.lower().replace(' ', '-')}")


def test_quit_from_the_file_menu_ends_the_program_cleanly(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("clerk", DEMO_PASSWORD)
    signed_in_as(client, "clerk")
    client.keys_to_main("alt+f")
    client.screenshot("file-menu")
    client.x.key("q")
    assert client.wait_exit() == 0
    report = client.exit_report()
    assert report == {"code": 0, "threads": []}


def test_closing_the_sign_in_dialog_ends_the_program(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    window = client.x.wait_window(SIGN_IN)
    client.wait(lambda s: "login" in s, "the sign-in dialog")
    client.x.focus(window)
    client.x.key("Escape")
    assert client.wait_exit() == 0
    assert client.exit_report() == {"code": 0, "threads": []}


def test_sign_in_to_the_postgresql_server(
    launch: Callable[..., Client], home: Path, pg_server: object, pg_template: str
) -> None:
    url = new_pg_database(pg_server, pg_template)  # type: ignore[arg-type]
    try:
        database = open_database(url)
        admin = Context(database, SYSTEM)
        s.create_user(admin.uow(), username="jan.clerk", role=Role.CLERK, full_name="Jan", password="server-pass")
        database.dispose()
        parsed = database.url
        profile = pf.Profile(
            name="Plant server",
            kind="postgresql",
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            database=parsed.database or "",
            sslmode="disable",
        )
        # the server first: the sign-in dialog starts on the first saved connection
        saved = [profile, pf.local_profile()]
        profiles = {"profiles": [{k: v for k, v in vars(p).items() if k != "managed"} for p in saved]}
        (home / "config" / "MPSYSTEM" / "profiles.json").write_text(json.dumps(profiles), encoding="utf-8")
        client = launch()
        client.wait(lambda s: "login" in s, "the sign-in dialog")
        client.sign_in("jan.clerk", "server-pass")
        state = signed_in_as(client, "jan.clerk")
        assert state["main"]["title"] == f"MPSYSTEM — {profile.name}"  # type: ignore[index]  # the connection's name
        assert state["main"]["connection"] == profile.name  # type: ignore[index]
        client.screenshot("postgresql")
        client.keys_to_main("ctrl+q")
        assert client.wait_exit() == 0
        assert client.exit_report() == {"code": 0, "threads": []}
    finally:
        drop_pg_database(pg_server, url)  # type: ignore[arg-type]
