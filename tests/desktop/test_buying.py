"""The Buying screen on a real display: a planner opens it from the keyboard, sees the shortages first, and
turns the proposals into draft purchase orders from the Buying menu; a clerk's receipt elsewhere clears one."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from app import purchase_book as pb
from app import services as s
from app.context import Context
from app.security import CurrentUser
from data.db import open_database
from domain.vocabulary import Role
from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as

BUYING_TAB = "ctrl+9"


def _as(path: Path, username: str, role: Role) -> Context:
    database = open_database(path)
    with database.engine.connect() as conn:
        uid = conn.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar_one()
    return Context(database, CurrentUser(uid, username, username, role))


def test_a_planner_turns_shortages_into_purchase_orders_and_a_receipt_clears_one(
    launch: Callable[..., Client], demo: Path
) -> None:
    client = launch("--demo")
    client.sign_in("planner", DEMO_PASSWORD)
    signed_in_as(client, "planner")
    client.keys_to_main(BUYING_TAB)
    state = client.wait(
        lambda s: s["main"]["tab"] == "Buying" and s["main"].get("buying", {}).get("loaded"), "the Buying screen"
    )
    buying = state["main"]["buying"]
    assert buying["shortages"] and buying["rows"] > len(buying["shortages"])
    before = {number for number, _supplier, _status in buying["orders"]}
    # a shortage the proposal covers in full, nothing of it coming late
    covered = next(
        c for c in buying["shortages"] if Decimal(buying["proposed"].get(c, "0")) >= Decimal(buying["short"][c])
    )
    client.screenshot("buying")
    client.keys_to_main("alt+y")  # the Buying menu; its first entry creates the purchase orders
    client.x.key("Return")
    state = client.wait(
        lambda s: len(s["main"]["buying"]["orders"]) > len(before) and s["main"]["buying"]["loaded"],
        "the drafts drawn up",
    )
    drawn = [o for o in state["main"]["buying"]["orders"] if o[0] not in before]
    assert drawn and {status for _n, _s, status in drawn} == {"draft"}
    client.screenshot("buying-drafts")

    # Elsewhere the draft for one shortage is sent and received in full: the shortage leaves the screen.
    planner, clerk, manager = (_as(demo, n, r) for n, r in (("planner", Role.PLANNER), ("clerk", Role.CLERK),
                                                             ("manager", Role.MANAGER)))  # fmt: skip
    try:
        for number, _supplier, _status in drawn:
            s.send_purchase_order(planner.uow(), number=number)
        ours = {n for n, _s, _st in drawn}
        line = next(x for x in pb.open_lines(clerk.reader(), material=covered) if x.order in ours)
        s.receive_purchase(clerk.uow(), order=line.order, line=line.line_no, number="DESK-PO-1",
                           quantity=line.quantity, warehouse="MAG-1")  # fmt: skip
        s.approve_batch(manager.uow(), batch="DESK-PO-1")
    finally:
        for ctx in (planner, clerk, manager):
            ctx.database.dispose()
    client.keys_to_main("F5")
    state = client.wait(
        lambda s: s["main"]["buying"]["loaded"] and covered not in s["main"]["buying"]["shortages"],
        f"{covered} no longer short",
        seconds=30,
    )
    client.screenshot("buying-received")
    assert client.alive()
