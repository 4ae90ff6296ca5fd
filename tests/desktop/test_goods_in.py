"""A clerk's morning at the goods-in desk, on a real display with a keyboard and a barcode scanner (fast
keystrokes ending in Enter, as a scanner types): a delivery of three pallets received with their labels, a
batch's page opened by scanning its label from another screen, and the client at normal and large size."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import text

from data.db import open_database
from tests.desktop.conftest import DEMO_PASSWORD, Client, signed_in_as

RECEIVE = "^Receive a delivery"
PALLETS = (("DLV-0417-001", "1250.5"), ("DLV-0417-002", "1180"), ("DLV-0417-003", "990.25"))


def workstation_prints_labels_into(home: Path) -> Path:
    """This workstation's labels go to a folder (a print server's hot folder), as IT set it up."""
    folder = home / "labels"
    settings = home / "config" / "MPSYSTEM" / "workstation.ini"
    settings.write_text(f"[labels]\ndestination=folder\nfolder={folder}\n", encoding="utf-8")
    return folder


def received(path: Path) -> list[tuple[str, str, str, str, Decimal]]:
    database = open_database(path)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT b.number, m.code, s.code, b.status, SUM(x.quantity) FROM batches b "
                    "JOIN materials m ON m.id = b.material_id JOIN suppliers s ON s.id = b.supplier_id "
                    "JOIN stock_balances x ON x.batch_id = b.id WHERE b.number LIKE 'DLV-0417-%' "
                    "GROUP BY b.number, m.code, s.code, b.status ORDER BY b.number"
                )
            ).all()
        return [(r[0], r[1], r[2], r[3], Decimal(r[4]) / 1000) for r in rows]
    finally:
        database.dispose()


def form(client: Client, title: str = "Receive a delivery") -> dict[str, Any]:
    state = client.wait(lambda s: any(w["title"].startswith(title) and "form" in w for w in s["windows"]), title)
    return next(w for w in state["windows"] if w["title"].startswith(title))


def wait_field(client: Client, name: str, value: str, title: str = "Receive a delivery") -> None:
    client.wait(
        lambda s: any(w["title"].startswith(title) and w["form"]["fields"][name] == value for w in s["windows"]),
        f"{name} = {value!r} in the form",
    )


def settled(client: Client, tab: str) -> None:
    client.wait(lambda s: s["main"]["tab"] == tab and not s["main"]["busy"], f"the {tab} screen")
    time.sleep(0.3)  # painted


def choose(client: Client, typed: str, field: str, code: str) -> None:
    """Type part of a name into a picker, take the first match the list offers, and move on."""
    client.x.type(typed)
    time.sleep(0.4)  # the list of matches opens
    client.x.key("Down", "Return")
    wait_field(client, field, code)


def test_a_delivery_of_three_pallets_with_labels_by_keyboard_and_scanner(
    launch: Callable[..., Client], demo: Path, home: Path
) -> None:
    labels = workstation_prints_labels_into(home)
    client = launch("--demo")
    client.sign_in("clerk", DEMO_PASSWORD)
    state = signed_in_as(client, "clerk")
    assert state["main"]["connection"] == "Demo plant"  # the connection by its name, not its file
    client.x.focus(client.main_window())

    started = time.monotonic()
    client.x.key("ctrl+r")
    client.x.wait_window(RECEIVE)
    form(client)
    number, quantity = PALLETS[0]
    client.x.scan(number)  # the supplier's label on the first pallet; Enter moves on to the material
    wait_field(client, "batch_number", number)
    choose(client, "FT5230", "material", "GR-LDPE-FT5230")
    client.x.key("Return")  # on to the next empty field: the supplier
    choose(client, "basell", "supplier", "BASELL")
    client.x.key("Return")  # the warehouse is this user's raw-materials store already: on to the quantity
    client.x.type(quantity)
    wait_field(client, "quantity", quantity)
    client.x.key("alt+n")  # "Next pallet of this delivery follows"
    client.screenshot("receive-first-pallet")
    client.x.key("alt+l")  # "Receive and print label"

    for count, (number, quantity) in enumerate(PALLETS[1:], start=2):
        title = f"Receive a delivery — pallet {count}"
        form(client, title)
        client.x.focus(client.x.wait_window(f"^{title}"))
        client.x.scan(number)  # replaces the number the form guessed; Enter moves on to the quantity
        wait_field(client, "batch_number", number, title)
        client.x.type(quantity)
        wait_field(client, "quantity", quantity, title)
        if count == len(PALLETS):
            client.x.key("alt+n")  # the last pallet: no form after it
            client.screenshot("receive-last-pallet")
        client.x.key("Return")  # Enter now prints the label too, as the clerk did last time

    client.wait(lambda s: not any(w["title"].startswith("Receive") for w in s["windows"]), "the forms closed")
    wanted = [labels / f"{number}.pdf" for number, _q in PALLETS]
    deadline = time.monotonic() + 30
    while not all(path.exists() for path in wanted) and time.monotonic() < deadline:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    print(f"\nthree pallets received and labelled by keyboard and scanner in {elapsed:.1f} s")
    assert received(demo) == [
        (number, "GR-LDPE-FT5230", "BASELL", "pending", Decimal(quantity)) for number, quantity in PALLETS
    ]
    for (number, _quantity), path in zip(PALLETS, wanted, strict=True):
        assert number in PdfReader(str(path)).pages[0].extract_text()
    client.screenshot("three-pallets-received")

    # From the journal, its search box holding the keyboard: scanning a label's QR code opens the batch's page.
    client.x.key("ctrl+4", "ctrl+f")
    client.x.type("received")
    client.wait(lambda s: s["main"]["search"] == "received" and not s["main"]["busy"], "the journal filtered")
    client.screenshot("journal-business-numbers")
    client.x.scan(f"MPS1|{PALLETS[1][0]}|GR-LDPE-FT5230")
    state = client.wait(
        lambda s: any(p["number"] == PALLETS[1][0] and p["loaded"] for p in s.get("pages", [])), "the batch page"
    )
    page = next(p for p in state["pages"] if p["number"] == PALLETS[1][0])
    assert page["in_stock"] == "1,180.000 kg" and page["status"] == "pending"
    assert state["main"]["search"] == "received"  # the scan did not land in the journal's search box
    time.sleep(1)  # the label preview renders after the page's rows
    client.screenshot("batch-page-by-scan")

    # An unknown code says so.
    client.x.focus(client.main_window())
    client.x.scan("NOT-A-LABEL-77")
    client.wait(lambda s: "has no" in s["main"]["status"], "the unknown scan reported")
    assert client.state()["main"]["status"] == "The plant has no batch or order “NOT-A-LABEL-77”."

    # The same screens, large, for the shop floor: Ctrl+plus twice.
    client.x.key("ctrl+2")
    settled(client, "Batches")
    client.screenshot("normal-batches")
    client.x.key("ctrl+plus", "ctrl+plus")
    client.wait(lambda s: s["main"]["zoom"] == 130, "the large size")
    settled(client, "Batches")
    client.screenshot("large-batches")
    client.x.key("ctrl+4")
    settled(client, "Events")
    client.screenshot("large-journal")
    client.x.key("ctrl+r")
    client.x.wait_window(RECEIVE)
    time.sleep(0.3)
    client.screenshot("large-receive-form")
    client.x.key("Escape")
    client.x.scan(PALLETS[0][0])  # the first pallet's Code128: its number alone
    client.wait(lambda s: any(p["number"] == PALLETS[0][0] and p["loaded"] for p in s.get("pages", [])), "page")
    time.sleep(1)
    client.screenshot("large-batch-page")
    assert client.alive()
