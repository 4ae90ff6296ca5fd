"""The dashboard on a real display: a manager signs in to it, and one click on an alert opens its subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as


def centre(rect: list[int]) -> tuple[int, int]:
    x, y, w, h = rect
    return x + w // 2, y + h // 2


def test_a_manager_signs_in_to_the_dashboard_and_one_click_opens_an_alerts_subject(
    launch: Callable[..., Client], demo: Path
) -> None:
    client = launch("--demo")
    client.sign_in("manager", DEMO_PASSWORD)
    signed_in_as(client, "manager")
    state = client.wait(
        lambda s: (
            s["main"]["tab"] == "Dashboard" and s["main"]["dashboard"]["loaded"] and s["main"]["dashboard"]["alerts"]
        ),
        "the dashboard with its alerts",
    )
    dashboard = state["main"]["dashboard"]
    assert dashboard["tiles"]["lines"] == "7 of 10"  # two of the demo's ten lines stand now
    assert state["main"]["alert_count"].startswith("⚠ ")
    client.screenshot("dashboard")
    first = dashboard["alerts"][0]
    assert (first["subject"], first["key"]) == ("line", "EXTRUDER-2")
    client.x.click(*centre(first["rect"]))
    state = client.wait(lambda s: s["main"]["tab"] == "Production queue" and s["main"]["board"]["loaded"], "the board")
    assert state["main"]["alert_count"].startswith("⚠ ")  # the count stays in the status bar on every screen
    client.screenshot("alert-opened-the-line")
    # Back to the dashboard (Ctrl+7), and an expired batch's alert opens that batch's page.
    client.keys_to_main("ctrl+7")
    state = client.wait(lambda s: s["main"]["tab"] == "Dashboard" and s["main"]["dashboard"]["alerts"], "the dashboard")
    batch = next(a for a in state["main"]["dashboard"]["alerts"] if a["subject"] == "batch")
    client.x.click(*centre(batch["rect"]))
    client.wait(
        lambda s: any(p["number"] == batch["key"] and p["loaded"] for p in s.get("pages", [])),
        f"the page of batch {batch['key']}",
    )
    client.screenshot("alert-opened-the-batch")
