"""The planning board under a real mouse, and a report opened from its menu with the keyboard."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from data.db import open_database
from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as

QUEUE_TAB = "ctrl+3"


def centre(rect: list[int]) -> tuple[int, int]:
    x, y, w, h = rect
    return x + w // 2, y + h // 2


def order_state(path: Path, number: str) -> tuple[str, str | None]:
    database = open_database(path)
    try:
        with database.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT o.status, l.code FROM production_orders o "
                    "LEFT JOIN production_lines l ON l.id = o.line_id WHERE o.number = :n"
                ),
                {"n": number},
            ).one()
            return row[0], row[1]
    finally:
        database.dispose()


def open_board(client: Client, view: str = "queue") -> dict[str, Any]:
    """The planning board, in its queue view (lists per line) or its schedule (lines along a time axis)."""
    client.keys_to_main(QUEUE_TAB)
    board = client.wait(
        lambda s: s["main"]["tab"] == "Production queue" and s["main"]["board"]["loaded"] and not s["main"]["busy"],
        "the planning board",
    )["main"]["board"]
    if board["view"] != view:
        client.x.click(*centre(board["view_buttons"][view]))
        board = client.wait(lambda s: s["main"]["board"]["view"] == view, f"the board's {view} view")["main"]["board"]
    return board


def test_dragging_an_order_onto_a_line_of_its_stage_plans_it(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("planner", DEMO_PASSWORD)
    signed_in_as(client, "planner")
    board = open_board(client)
    client.screenshot("board-before")
    lines = [line for line in board["lines"] if line["visible"]]
    card = next(c for c in board["backlog"] if any(line["stage"] == c["stage"] for line in lines))
    target = next(line for line in lines if line["stage"] == card["stage"])
    assert order_state(demo, card["number"]) == ("new", None)

    client.x.drag(centre(card["rect"]), centre(target["rect"]))
    client.wait(
        lambda s: (
            card["number"] in next(ln for ln in s["main"]["board"]["lines"] if ln["code"] == target["code"])["orders"]
        ),
        f"{card['number']} on {target['code']}",
    )
    assert order_state(demo, card["number"]) == ("planned", target["code"])
    client.screenshot("board-after-the-drop")


def test_dropping_an_order_on_a_line_of_another_stage_is_refused(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("planner", DEMO_PASSWORD)
    signed_in_as(client, "planner")
    board = open_board(client)
    lines = [line for line in board["lines"] if line["visible"]]
    card, target = next(
        (c, line) for c in board["backlog"] for line in lines if line["stage"] not in (None, c["stage"])
    )
    client.x.drag(centre(card["rect"]), centre(target["rect"]))
    state = client.wait(lambda s: " runs " in s["main"]["board"]["status"], "the refusal on the board")
    refusal = f"Order {card['number']} makes "
    assert state["main"]["board"]["status"].startswith(refusal)
    assert f"lines; {target['code']} runs " in state["main"]["board"]["status"]
    assert state["main"]["status"].startswith(refusal)  # and in the status bar
    assert order_state(demo, card["number"]) == ("new", None)
    client.screenshot("refused-drop")


def test_a_report_from_the_reports_menu(launch: Callable[..., Client], demo: Path) -> None:
    client = launch("--demo")
    client.sign_in("viewer", DEMO_PASSWORD)
    signed_in_as(client, "viewer")
    client.keys_to_main("alt+r")  # Reports; the first entry is the inventory report
    client.x.key("Return")
    client.wait(lambda s: any(w["title"] == "Inventory" for w in s["windows"]), "the inventory report's parameters")
    client.screenshot("report-parameters")
    client.x.key("Return")  # Prepare
    client.wait(lambda s: any(w["class"] == "PreviewDialog" for w in s["windows"]), "the report's preview", 60)
    time.sleep(1.5)  # the preview renders its first page after it shows
    client.screenshot("report-preview")
    assert client.alive()
