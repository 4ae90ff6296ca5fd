"""The planning board's schedule under a real mouse and keyboard: every line in sight, a card dropped into a
line's queue moves the orders behind it, Ctrl+Z takes it back, and a refused drop is explained on its row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as
from tests.desktop.test_board_and_menus import centre, open_board, order_state


def full_screen(client: Client) -> None:
    """The window as large as the 1600×1000 screen (less the window manager's title bar), as a planner has it."""
    window = client.main_window()
    client.x.xdotool("windowmove", str(window), "0", "0")
    client.x.xdotool("windowsize", str(window), "1600", "975")


def schedule(state: dict[str, Any]) -> dict[str, Any]:
    return dict(state["main"]["board"]["schedule"])


def row(board: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in board["schedule"]["rows"] if r["code"] == code)


def bar_x(board: dict[str, Any], number: str) -> int:
    return int(next(b["x"] for b in board["schedule"]["bars"] if b["number"] == number))


def settled(client: Client, what: str, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return client.wait(
        lambda s: not s["main"]["busy"] and s["main"]["board"]["schedule"] is not None and test(s["main"]["board"]),
        what,
    )["main"]["board"]


def test_a_card_dropped_on_a_line_moves_the_orders_behind_it_and_ctrl_z_takes_it_back(
    launch: Callable[..., Client], demo: Path
) -> None:
    client = launch("--demo")
    client.sign_in("planner", DEMO_PASSWORD)
    signed_in_as(client, "planner")
    full_screen(client)
    board = open_board(client, "schedule")
    board = settled(client, "every line on the schedule", lambda b: len(b["schedule"]["rows"]) == 10)
    screen_w, screen_h = 1600, 1000
    for r in board["schedule"]["rows"]:  # all ten lines in sight at once, none scrolled away
        x, y, w, h = r["rect"]
        assert w > 400 and h >= 40 and y >= 0 and y + h <= screen_h and x + w <= screen_w, r
    assert board["schedule"]["now_x"] is not None
    overrunning = [b for b in board["schedule"]["bars"] if b["overrun_minutes"] > 0]
    assert overrunning, "the orders running past their estimate are flagged"
    client.screenshot("schedule-every-line")

    # a card whose stage a line runs, dropped right behind that line's first order
    bars_by_line = {r["code"]: r["bars"] for r in board["schedule"]["rows"]}
    shown = {b["number"]: b for b in board["schedule"]["bars"]}
    card, target = next(
        (c, r)
        for c in board["backlog"]
        for r in board["schedule"]["rows"]
        if r["stage"] == c["stage"] and r["rate_unit"] == c["unit"] and len(r["bars"]) >= 3
        and all(n in shown for n in r["bars"][:2]) and shown[r["bars"][1]]["rect"][2] > 10
    )  # fmt: skip
    behind = bars_by_line[target["code"]][1:]
    second = shown[behind[0]]
    was = {n: bar_x(board, n) for n in behind if n in shown}
    drop_at = (second["rect"][0] + 3, second["rect"][1] + second["rect"][3] // 2)
    assert order_state(demo, card["number"]) == ("new", None)
    client.x.drag(centre(card["rect"]), drop_at)
    board = settled(
        client, f"{card['number']} on {target['code']}", lambda b: card["number"] in row(b, target["code"])["bars"]
    )
    assert order_state(demo, card["number"]) == ("planned", target["code"])
    assert row(board, target["code"])["bars"][:3] == [bars_by_line[target["code"]][0], card["number"], behind[0]]
    moved = {n: bar_x(board, n) for n in was if any(b["number"] == n for b in board["schedule"]["bars"])}
    assert moved and all(moved[n] > was[n] for n in moved), (was, moved)  # every order behind it moved later
    assert board["undo"]["enabled"]
    client.screenshot("schedule-after-the-drop")

    client.keys_to_main("ctrl+z")
    board = settled(
        client, f"{card['number']} back in the backlog", lambda b: card["number"] not in row(b, target["code"])["bars"]
    )
    assert order_state(demo, card["number"]) == ("new", None)
    assert row(board, target["code"])["bars"] == bars_by_line[target["code"]]
    back = {n: bar_x(board, n) for n in was if any(b["number"] == n for b in board["schedule"]["bars"])}
    assert all(abs(back[n] - was[n]) <= 2 for n in back), (was, back)
    client.screenshot("schedule-after-ctrl-z")


def test_a_bar_dragged_to_a_line_of_another_stage_is_refused_on_that_line(
    launch: Callable[..., Client], demo: Path
) -> None:
    client = launch("--demo")
    client.sign_in("planner", DEMO_PASSWORD)
    signed_in_as(client, "planner")
    full_screen(client)
    open_board(client, "schedule")
    board = settled(client, "every line on the schedule", lambda b: len(b["schedule"]["rows"]) == 10)
    rows = {r["code"]: r for r in board["schedule"]["rows"]}
    bar = next(b for b in board["schedule"]["bars"] if b["movable"] and b["rect"][2] > 20)
    wrong = next(r for r in board["schedule"]["rows"] if r["stage"] != rows[bar["line"]]["stage"])
    start = centre(bar["rect"])
    x, y, w, h = wrong["rect"]
    client.x.xdotool("mousemove", str(start[0]), str(start[1]))
    client.x.xdotool("mousedown", "1")
    for i in range(1, 9):
        client.x.xdotool("mousemove", str(start[0] + i * 4), str(start[1] + (y + h // 2 - start[1]) * i // 8))
    lit = client.wait(lambda s: schedule(s)["dragging"], "the drag under way")["main"]["board"]["schedule"]["rows"]
    home = rows[bar["line"]]
    takes = {code for code, r in rows.items() if r["stage"] == home["stage"] and r["rate_unit"] == home["rate_unit"]}
    assert {r["code"] for r in lit if r["lit"]} == takes
    assert all(r["dimmed"] for r in lit if not r["lit"])
    client.screenshot("schedule-while-dragging")
    client.x.xdotool("mouseup", "1")
    board = settled(client, "the refusal on the line", lambda b: bool(row(b, wrong["code"])["note"]))
    assert f"lines; {wrong['code']} runs " in row(board, wrong["code"])["note"]
    assert order_state(demo, bar["number"])[1] == bar["line"]
    client.screenshot("schedule-refused-on-the-line")
