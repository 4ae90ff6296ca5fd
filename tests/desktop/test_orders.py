"""The Orders screen under a real keyboard and mouse: its shortcut, a search, an order opened, its story."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from data.db import open_database
from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as

ORDERS_TAB = "ctrl+6"


def delivered_order(path: Path) -> tuple[str, int]:
    """An order of the demo plant that went to its customer, and how many deliveries it had."""
    database = open_database(path)
    try:
        with database.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT o.number, COUNT(*) FROM production_orders o"
                    " JOIN deliveries d ON d.production_order_id = o.id"
                    " GROUP BY o.id, o.number ORDER BY COUNT(*) DESC, o.number LIMIT 1"
                )
            ).one()
            return str(row[0]), int(row[1])
    finally:
        database.dispose()


def test_an_order_opened_from_the_orders_screen_tells_its_story(launch: Callable[..., Client], demo: Path) -> None:
    number, deliveries = delivered_order(demo)
    client = launch("--demo")
    client.sign_in("clerk", DEMO_PASSWORD)
    signed_in_as(client, "clerk")
    client.keys_to_main(ORDERS_TAB)
    state = client.wait(
        lambda s: s["main"]["tab"] == "Orders" and s["main"]["orders"]["loaded"] and not s["main"]["busy"],
        "the Orders screen",
    )
    assert state["main"]["orders"]["total"] == 200  # every order, done and cancelled ones too
    client.screenshot("orders")
    client.x.key("ctrl+f")
    client.x.type(number)
    state = client.wait(
        lambda s: (
            s["main"]["orders"]["search"] == number
            and s["main"]["orders"]["total"] == 1
            and s["main"]["orders"]["rows"]
            and s["main"]["orders"]["loaded"]
        ),
        f"order {number} found",
    )
    x, y, w, h = state["main"]["orders"]["rows"][0]["rect"]
    client.x.click(x + w // 2, y + h // 2)  # select it
    client.x.key("Return")  # and open it, as a double-click would
    state = client.wait(lambda s: "story" in s and s["story"]["number"] == number, f"the story of {number}")
    sections = state["story"]["sections"]
    assert sections["deliveries"] == deliveries and sections["produced"] >= 1 and sections["story"] >= 6
    time.sleep(0.5)  # the dialog paints its tables after it shows
    client.screenshot("order-story")
    client.x.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab")  # to the deliveries
    client.wait(lambda s: s["story"]["tab"] == 3, "the story's deliveries")
    time.sleep(0.3)
    client.screenshot("order-deliveries")
    client.x.key("Escape")
    client.wait(lambda s: "story" not in s, "the story closed")
    assert client.alive()
