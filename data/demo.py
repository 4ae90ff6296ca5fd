"""A realistic polymer-film plant for demonstrations, training and benchmarks.

Everything is generated from a fixed seed, so two demo databases are alike. The
stock is simulated movement by movement and the balances are the ledger's sums;
the journal tells the same story, then is filled up with older history
(sign-ins, edits) to the size asked for.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from data.db import Database
from data.errors import ValidationError
from data.pgroles import adopt_login, scram_verifier
from data.rules import loading_history
from data.models import (
    Batch,
    Customer,
    Event,
    Material,
    ProductionLine,
    ProductionOrder,
    StockMovement,
    Supplier,
    User,
    Warehouse,
)

SEED = 2026
RANK_GAP = 1 << 20
EVENT_CHUNK = 50_000

WAREHOUSES = [
    ("MAG-1", "Raw materials – granulates", "raw_materials"),
    ("MAG-1.1", "ADR store – inks, adhesives, solvents", "adr"),
    ("MAG-2", "Raw materials – films and cores", "raw_materials"),
    ("MAG-3", "Production floor – extrusion", "production"),
    ("MAG-4", "Production floor – printing and lamination", "production"),
    ("MAG-5", "Semi-finished film", "production"),
    ("MAG-6", "Finished goods", "finished"),
    ("MAG-7", "Finished goods – dispatch bay", "finished"),
    ("MAG-8", "Quarantine", "quarantine"),
    ("MAG-9", "Regrind and returns", "raw_materials"),
]

LINES = [
    ("EXTRUDER-1", "Blown film extruder 1 (3-layer)", "extrusion", 450, "kg"),
    ("EXTRUDER-2", "Blown film extruder 2 (5-layer)", "extrusion", 380, "kg"),
    ("UV-LINE-1", "UV varnishing line", "uv", 6000, "m"),
    ("PRINT-LINE-1", "Flexo press 8 colours", "printing", 9000, "m"),
    ("PRINT-LINE-2", "Flexo press 10 colours", "printing", 7500, "m"),
    ("LAMINATOR-1", "Solventless laminator", "lamination", 8000, "m"),
    ("SLITTER-1", "Slitter-rewinder 1", "slitting", 12000, "m"),
    ("SLITTER-2", "Slitter-rewinder 2", "slitting", 10000, "m"),
    ("BAG-MAKER-1", "Bag-making machine 1 (side weld)", "bag_making", 9000, "pcs"),
    ("BAG-MAKER-2", "Bag-making machine 2 (bottom seal)", "bag_making", 7000, "pcs"),
]

# code, name, kind, unit, reorder level, shelf life in days, supplier codes
MATERIALS = [
    ("GR-LDPE-FT5230", "LDPE granulate FT5230", "granulate", "kg", 8000, 720, ("BASELL", "BOREALIS")),
    ("GR-LLDPE-C4", "LLDPE C4 granulate", "granulate", "kg", 6000, 720, ("DOW", "BOREALIS")),
    ("GR-MLLDPE-1018", "mLLDPE granulate 1018", "granulate", "kg", 4000, 720, ("DOW",)),
    ("GR-HDPE-5502", "HDPE granulate 5502", "granulate", "kg", 3000, 720, ("BASELL",)),
    ("GR-PP-RCP", "PP random copolymer granulate", "granulate", "kg", 2000, 720, ("BASELL", "BOREALIS")),
    ("GR-REGRIND", "PE regrind (own)", "granulate", "kg", 0, 365, ("BASELL",)),
    ("MB-WHITE-70", "White masterbatch 70% TiO2", "masterbatch", "kg", 800, 540, ("CLARIANT", "AVIENT")),
    ("MB-BLACK-40", "Black masterbatch 40%", "masterbatch", "kg", 400, 540, ("CLARIANT",)),
    ("MB-SLIP-5", "Slip additive masterbatch", "masterbatch", "kg", 300, 540, ("AVIENT",)),
    ("MB-AB-20", "Antiblock masterbatch", "masterbatch", "kg", 300, 540, ("AVIENT",)),
    ("MB-UV-STAB", "UV stabiliser masterbatch", "masterbatch", "kg", 200, 540, ("CLARIANT",)),
    ("INK-CYAN-SB", "Flexo ink cyan, solvent-based", "ink", "kg", 150, 365, ("SIEGWERK", "FLINT")),
    ("INK-MAGENTA-SB", "Flexo ink magenta, solvent-based", "ink", "kg", 150, 365, ("SIEGWERK", "FLINT")),
    ("INK-YELLOW-SB", "Flexo ink yellow, solvent-based", "ink", "kg", 150, 365, ("SIEGWERK",)),
    ("INK-BLACK-SB", "Flexo ink black, solvent-based", "ink", "kg", 150, 365, ("FLINT",)),
    ("INK-WHITE-SB", "Flexo ink opaque white", "ink", "kg", 300, 365, ("SIEGWERK", "FLINT")),
    ("INK-PMS485", "Flexo ink PMS 485 red", "ink", "kg", 60, 365, ("FLINT",)),
    ("VARNISH-UV-GLOSS", "UV gloss varnish", "ink", "kg", 100, 270, ("SIEGWERK",)),
    ("ADH-PU-A", "Solventless PU adhesive, part A", "adhesive", "kg", 400, 180, ("HENKEL",)),
    ("ADH-PU-B", "Solventless PU adhesive, part B", "adhesive", "kg", 300, 180, ("HENKEL",)),
    ("SOLV-ETAC", "Ethyl acetate", "solvent", "l", 1000, 720, ("ORLEN",)),
    ("SOLV-ETOH", "Ethanol 96%", "solvent", "l", 800, 720, ("ORLEN",)),
    ("FILM-BOPP-20", "BOPP film 20 µm transparent", "film", "m", 100000, 540, ("TAGHLEEF",)),
    ("FILM-PET-12", "PET film 12 µm", "film", "m", 80000, 720, ("TAGHLEEF",)),
    ("FILM-PE-50", "PE film 50 µm natural (own)", "film", "kg", 0, 540, ()),
    ("FILM-PE-80-WH", "PE film 80 µm white (own)", "film", "kg", 0, 540, ()),
    ("FILM-PRINTED", "Printed PE film (own)", "film", "m", 0, 540, ()),
    ("FILM-LAMINATE", "PET/PE laminate (own)", "film", "m", 0, 540, ()),
    ("BAG-SIDEWELD", "Side-weld bags (own)", "bag", "pcs", 0, 720, ()),
    ("CORE-76", "Cardboard cores 76 mm", "core", "pcs", 2000, 1080, ("SMURFIT",)),
    ("PACK-STRETCH", "Stretch film for pallets", "packaging", "kg", 200, 720, ("TAGHLEEF",)),
]

SUPPLIERS = [
    ("BASELL", "LyondellBasell Polyolefine GmbH", "Jan Richter", "orders@basell.example", "+49 69 0000 100"),
    ("BOREALIS", "Borealis Polymers N.V.", "Eva De Smet", "sales@borealis.example", "+32 3 000 0000"),
    ("DOW", "Dow Europe GmbH", "Mark Evans", "polymers@dow.example", "+41 44 000 0000"),
    (
        "CLARIANT",
        "Clariant Masterbatches Polska Sp. z o.o.",
        "Agnieszka Lis",
        "mb@clariant.example",
        "+48 22 000 00 00",
    ),
    ("AVIENT", "Avient Colorants Poland", "Tomasz Zieliński", "orders@avient.example", "+48 61 000 00 00"),
    ("SIEGWERK", "Siegwerk Polska Sp. z o.o.", "Magdalena Krawczyk", "inks@siegwerk.example", "+48 32 000 00 00"),
    ("FLINT", "Flint Group Flexographic", "Peter Olsen", "flexo@flint.example", "+45 70 00 00 00"),
    ("HENKEL", "Henkel Polska Adhesives", "Ewa Dąbrowska", "adhesives@henkel.example", "+48 22 111 00 00"),
    ("ORLEN", "Orlen Chemical Distribution", "Krzysztof Mazur", "solvents@orlen.example", "+48 24 000 00 00"),
    ("TAGHLEEF", "Taghleef Industries Kft.", "Gábor Nagy", "films@taghleef.example", "+36 1 000 0000"),
    ("SMURFIT", "Smurfit Westrock Cores", "Luis García", "cores@smurfit.example", "+34 91 000 0000"),
]

CUSTOMER_PREFIXES = [
    "Agro",
    "Bio",
    "Euro",
    "Pol",
    "Nord",
    "Mazur",
    "Bałtyk",
    "Karpaty",
    "Wisła",
    "Odra",
    "Sudety",
    "Warta",
    "Tatra",
    "Kujawy",
    "Podlasie",
    "Śląsk",
    "Pomorze",
]
CUSTOMER_SUFFIXES = [
    "Foods",
    "Pack",
    "Dairy",
    "Bakeries",
    "Frost",
    "Chem",
    "Garden",
    "Meat",
    "Snacks",
    "Pet Care",
    "Coffee",
    "Confectionery",
    "Hygiene",
    "Logistics",
    "Farm",
]
FOREIGN_CUSTOMERS = [
    "ТОВ «Львівпак»",
    "ООО «Северная упаковка»",
    "Žilinské mliekárne a.s.",
    "Brněnské pekárny s.r.o.",
    "Vilniaus pienas UAB",
    "Müller & Söhne Verpackung GmbH",
]
FIRST_NAMES = [
    "Anna",
    "Piotr",
    "Katarzyna",
    "Tomasz",
    "Magdalena",
    "Paweł",
    "Joanna",
    "Michał",
    "Agnieszka",
    "Łukasz",
    "Małgorzata",
    "Grzegorz",
    "Олена",
    "Іван",
]
LAST_NAMES = [
    "Nowak",
    "Kowalski",
    "Wiśniewska",
    "Wójcik",
    "Kamińska",
    "Lewandowski",
    "Zielińska",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowska",
    "Jankowski",
    "Шевченко",
    "Коваленко",
]

DEMO_USERS = [
    ("admin", "Anna Kowalska", "admin"),
    ("manager", "Marek Nowak", "manager"),
    ("planner", "Katarzyna Wiśniewska", "planner"),
    ("clerk", "Piotr Wójcik", "clerk"),
    ("viewer", "Олена Коваленко", "viewer"),
]
DEMO_PASSWORD = "mpsystem-demo"

# stage -> (product specs, input material kinds, output material code)
STAGE_PRODUCTS = {
    "extrusion": (
        [
            "PE 50 µm natural 1200 mm",
            "PE 80 µm white 1000 mm",
            "PE 40 µm shrink 1500 mm",
            "PE 60 µm 3-layer 1300 mm",
            "HDPE 15 µm 800 mm",
        ],
        ("granulate", "masterbatch"),
        ("FILM-PE-50", "FILM-PE-80-WH"),
    ),
    "uv": (["UV gloss varnish on printed PE", "UV matt spot varnish"], ("ink",), ("FILM-PRINTED",)),
    "printing": (
        [
            "8-colour print, dairy lid design",
            "6-colour print, coffee pouch",
            "4-colour print, frozen peas",
            "2-colour print, bakery bag",
        ],
        ("ink", "solvent", "film"),
        ("FILM-PRINTED",),
    ),
    "lamination": (["PET 12 / PE 50 laminate", "BOPP 20 / PE 40 laminate"], ("adhesive", "film"), ("FILM-LAMINATE",)),
    "slitting": (
        ["Slit 8 × 150 mm reels", "Slit 4 × 300 mm reels", "Slit 6 × 210 mm reels"],
        ("film", "core"),
        ("FILM-LAMINATE", "FILM-PRINTED"),
    ),
    "bag_making": (
        ["Side-weld bag 300 × 400 mm", "Bottom-seal bag 250 × 350 mm", "T-shirt bag 280 × 500 mm"],
        ("film",),
        ("BAG-SIDEWELD",),
    ),
}


@dataclass
class Summary:
    warehouses: int = 0
    lines: int = 0
    materials: int = 0
    suppliers: int = 0
    customers: int = 0
    orders: int = 0
    orders_by_status: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    movements: int = 0
    users: int = 0
    events: int = 0

    def lines_of_text(self) -> list[str]:
        statuses = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(self.orders_by_status.items()))
        return [
            f"warehouses   {self.warehouses}",
            f"lines        {self.lines}",
            f"materials    {self.materials}",
            f"suppliers    {self.suppliers}",
            f"customers    {self.customers}",
            f"orders       {self.orders} ({statuses})",
            f"batches      {self.batches}",
            f"movements    {self.movements}",
            f"users        {self.users}",
            f"events       {self.events}",
        ]


def _q(value: float, unit: str) -> Decimal:
    places = {"kg": 3, "l": 3, "m": 2, "m2": 2, "pcs": 0}[unit]
    return Decimal(str(round(value, places))).quantize(Decimal("0.001"))


class _Plant:
    """Builds rows in memory; stock is simulated so balances equal the ledger."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.today = now.date()
        self.rng = rng
        self.balances: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        self.movements: list[dict[str, Any]] = []
        self.events: list[tuple[datetime, int | None, str, int | None, str, str, dict[str, Any] | None]] = []

    def move(
        self,
        batch_id: int,
        kind: str,
        qty: Decimal,
        when: datetime,
        user: int,
        *,
        src: int | None = None,
        dst: int | None = None,
        order: int | None = None,
        note: str | None = None,
    ) -> None:
        if src is not None:
            assert self.balances[(batch_id, src)] >= qty
            self.balances[(batch_id, src)] -= qty
        if dst is not None:
            self.balances[(batch_id, dst)] += qty
        self.movements.append(
            {
                "batch_id": batch_id,
                "kind": kind,
                "quantity": qty,
                "from_warehouse_id": src,
                "to_warehouse_id": dst,
                "production_order_id": order,
                "user_id": user,
                "created_at": when,
                "note": note,
            }
        )

    def event(
        self,
        when: datetime,
        user: int | None,
        entity: str,
        entity_id: int | None,
        action: str,
        summary: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.events.append((when, user, entity, entity_id, action, summary, details))


def _create_demo_login(session: Session, username: str, role: str) -> None:
    """On PostgreSQL a user is a login role; the demo's people get one, unless the server has it already."""
    if session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": username}):
        adopt_login(session.connection(), username)  # made for another database on this server
        return
    dbapi = session.connection().connection.dbapi_connection
    session.execute(
        text("SELECT mpsystem_create_login(:n, :level, :v)"),
        {"n": username, "level": role, "v": scram_verifier(dbapi, username, DEMO_PASSWORD)},
    )


def load_demo(
    database: Database,
    *,
    events: int = 5000,
    password_hash: Callable[[str], str] | None = None,
    now: datetime | None = None,
) -> Summary:
    """Fill an empty, migrated database with the demo plant. Refuses a database that holds data."""
    rng = random.Random(SEED)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    plant = _Plant(now, rng)
    summary = Summary()
    # The plant's past, with its dates, people and finished orders: loaded past the rules that judge the present.
    with database.write_session_factory() as session, session.begin(), loading_history(session.connection()):
        if session.scalar(select(func.count()).select_from(Warehouse)) or session.scalar(
            select(func.count()).select_from(Batch)
        ):
            raise ValidationError("The database already holds plant data; the demo loads into an empty database only.")
        existing_users = {u.username: u for u in session.scalars(select(User))}

        def add_all(model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
            objs = [model(**r) for r in rows]
            session.add_all(objs)
            session.flush()
            return [o.id for o in objs]

        # -- people
        hashed = password_hash(DEMO_PASSWORD) if password_hash and database.is_sqlite else None
        user_ids: dict[str, int] = {}
        for username, full_name, role in DEMO_USERS:
            if username in existing_users:
                user_ids[username] = existing_users[username].id
                continue
            (uid,) = add_all(
                User,
                [
                    {
                        "username": username,
                        "full_name": full_name,
                        "role": role,
                        "active": True,
                        "password_hash": hashed,
                        "failed_logins": 0,
                        "created_at": now - timedelta(days=400),
                    }
                ],
            )
            user_ids[username] = uid
            if not database.is_sqlite:
                _create_demo_login(session, username, role)
            plant.event(
                now - timedelta(days=400),
                None,
                "user",
                uid,
                "created",
                f"Created user {username} ({role})",
                {"role": role},
            )
        clerk, planner, manager = user_ids["clerk"], user_ids["planner"], user_ids["manager"]

        # -- master data
        wh_ids = dict(
            zip(
                [w[0] for w in WAREHOUSES],
                add_all(Warehouse, [{"code": c, "name": n, "kind": k} for c, n, k in WAREHOUSES]),
                strict=True,
            )
        )
        line_ids = dict(
            zip(
                [ln[0] for ln in LINES],
                add_all(
                    ProductionLine,
                    [
                        {"code": c, "name": n, "stage": s, "rate_per_hour": Decimal(r), "rate_unit": u}
                        for c, n, s, r, u in LINES
                    ],
                ),
                strict=True,
            )
        )
        sup_ids = dict(
            zip(
                [s[0] for s in SUPPLIERS],
                add_all(
                    Supplier,
                    [{"code": c, "name": n, "contact": p, "email": e, "phone": ph} for c, n, p, e, ph in SUPPLIERS],
                ),
                strict=True,
            )
        )
        mat_ids = dict(
            zip(
                [m[0] for m in MATERIALS],
                add_all(
                    Material,
                    [
                        {"code": c, "name": n, "kind": k, "unit": u, "reorder_level": Decimal(r)}
                        for c, n, k, u, r, _life, _sup in MATERIALS
                    ],
                ),
                strict=True,
            )
        )
        materials = {m[0]: m for m in MATERIALS}

        customers = []
        names = set()
        while len(customers) < 44:
            name = f"{rng.choice(CUSTOMER_PREFIXES)}{rng.choice(CUSTOMER_SUFFIXES)} Sp. z o.o."
            if name not in names:
                names.add(name)
                customers.append(name)
        customers += FOREIGN_CUSTOMERS
        cust_rows = []
        for i, name in enumerate(customers, start=1):
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            cust_rows.append(
                {
                    "code": f"C-{i:03d}",
                    "name": name,
                    "contact": person,
                    "email": f"zakupy{i}@customer{i}.example",
                    "phone": f"+48 {rng.randint(500, 899)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                    "address": f"ul. Przemysłowa {rng.randint(1, 120)}, {rng.randint(10, 99)}-{rng.randint(100, 999)} "
                    f"{rng.choice(['Łódź', 'Kraków', 'Poznań', 'Wrocław', 'Gdańsk', 'Lublin', 'Białystok'])}",
                    "tax_id": f"PL{rng.randint(10**9, 10**10 - 1)}",
                    "notes": None,
                    "archived": i in (7, 23, 41),
                }
            )
        cust_ids = add_all(Customer, cust_rows)
        for cid, row in zip(cust_ids, cust_rows, strict=True):
            plant.event(
                now - timedelta(days=rng.randint(200, 390)),
                planner,
                "customer",
                cid,
                "created",
                f"Created customer {row['code']} ({row['name']})",
                {},
            )

        # -- purchased batches: receipt, quality decision, transfer to the floor
        raw_batches: list[dict[str, Any]] = []
        purchasable = [m for m in MATERIALS if m[6]]
        for n in range(1, 911):
            code, name, kind, unit, _r, life, sups = rng.choice(purchasable)
            received = now - timedelta(days=rng.uniform(1, 240), minutes=rng.randint(0, 600))
            expiry = received.date() + timedelta(days=life)
            if n % 40 == 0:
                expiry = plant.today - timedelta(days=rng.randint(1, 30))  # a few have run out of date
            elif n % 33 == 0:
                expiry = plant.today + timedelta(days=rng.randint(1, 29))  # and some soon will
            status = "approved"
            reason = None
            if received > now - timedelta(days=4) or n % 50 == 0:
                status = "pending"
            if n % 45 == 0:
                status, reason = (
                    "blocked",
                    rng.choice(
                        [
                            "Melt index out of specification",
                            "Wet granulate",
                            "Colour deviation ΔE > 2",
                            "Damaged packaging",
                        ]
                    ),
                )
            size = {
                "kg": rng.choice([500, 1000, 1250, 1500, 25 * rng.randint(4, 40)]),
                "l": rng.choice([200, 1000]),
                "m": rng.choice([12000, 18000, 24000]),
                "pcs": rng.choice([500, 1000, 2000]),
                "m2": 5000,
            }[unit]
            if kind in ("ink", "adhesive"):
                size = rng.choice([120, 180, 200, 240])
            raw_batches.append(
                {
                    "number": f"R{received:%y%m}-{n:05d}",
                    "material_id": mat_ids[code],
                    "supplier_id": sup_ids[rng.choice(sups)],
                    "production_order_id": None,
                    "received_at": received,
                    "expiry_date": expiry,
                    "status": status,
                    "status_reason": reason,
                    "_qty": _q(size, unit),
                    "_unit": unit,
                    "_kind": kind,
                    "_code": code,
                    "_name": name,
                }
            )
        raw_batches.sort(key=lambda b: b["received_at"])
        ids = add_all(Batch, [{k: v for k, v in b.items() if not k.startswith("_")} for b in raw_batches])
        for bid, b in zip(ids, raw_batches, strict=True):
            b["id"] = bid
            when = b["received_at"]
            dest = {
                "ink": "MAG-1.1",
                "adhesive": "MAG-1.1",
                "solvent": "MAG-1.1",
                "film": "MAG-2",
                "core": "MAG-2",
                "packaging": "MAG-2",
            }.get(b["_kind"], "MAG-1")
            plant.move(bid, "receipt", b["_qty"], when, clerk, dst=wh_ids[dest])
            plant.event(
                when,
                clerk,
                "batch",
                bid,
                "received",
                f"Received {b['_qty'].normalize():f} {b['_unit']} of {b['_name']} as batch {b['number']} into {dest}",
                {"number": b["number"], "warehouse": dest, "quantity": str(b["_qty"])},
            )
            b["_home"] = dest
            if b["status"] == "approved":
                plant.event(
                    when + timedelta(hours=rng.randint(2, 30)),
                    manager,
                    "batch",
                    bid,
                    "approved",
                    f"Approved batch {b['number']} (was pending)",
                    {"from": "pending"},
                )
            elif b["status"] == "blocked":
                plant.event(
                    when + timedelta(hours=rng.randint(2, 30)),
                    manager,
                    "batch",
                    bid,
                    "blocked",
                    f"Blocked batch {b['number']}: {b['status_reason']}",
                    {"reason": b["status_reason"]},
                )
                plant.move(
                    bid,
                    "transfer",
                    b["_qty"],
                    when + timedelta(hours=31),
                    clerk,
                    src=wh_ids[dest],
                    dst=wh_ids["MAG-8"],
                    note="Blocked: to quarantine",
                )
                b["_home"] = "MAG-8"
                continue
            if b["status"] == "approved" and rng.random() < 0.7:
                floor = "MAG-3" if b["_kind"] in ("granulate", "masterbatch") else "MAG-4"
                part = b["_qty"] if rng.random() < 0.5 else _q(float(b["_qty"]) * rng.uniform(0.3, 0.8), b["_unit"])
                if part > 0:
                    t = when + timedelta(days=rng.uniform(1, 3))
                    if t < now:
                        plant.move(bid, "transfer", part, t, clerk, src=wh_ids[dest], dst=wh_ids[floor])
                        plant.event(
                            t,
                            clerk,
                            "batch",
                            bid,
                            "transferred",
                            f"Moved {part.normalize():f} {b['_unit']} of batch {b['number']} from {dest} to {floor}",
                            {"from": dest, "to": floor, "quantity": str(part)},
                        )

        # -- production orders in every status
        stage_lines: dict[str, list[str]] = defaultdict(list)
        for code, _n, stage, _r, _u in LINES:
            stage_lines[stage].append(code)
        line_stage = {ln[0]: ln[2] for ln in LINES}
        line_unit = {ln[0]: ln[4] for ln in LINES}
        statuses = ["done"] * 40 + ["cancelled"] * 12 + ["in_progress"] * 8 + ["planned"] * 70 + ["new"] * 70
        rng.shuffle(statuses)
        order_rows = []
        running_lines = set()
        active_customers = [cid for cid, row in zip(cust_ids, cust_rows, strict=True) if not row["archived"]]
        for n, status in enumerate(statuses, start=1):
            line = rng.choice([ln[0] for ln in LINES])
            if status == "in_progress":
                free = [ln[0] for ln in LINES if ln[0] not in running_lines]
                line = rng.choice(free)
                running_lines.add(line)
            stage = line_stage[line]
            unit = line_unit[line]
            qty = {
                "kg": rng.choice([800, 1200, 2500, 4000, 6000]),
                "m": rng.choice([20000, 40000, 60000, 90000]),
                "pcs": rng.choice([50000, 100000, 200000, 350000]),
            }[unit]
            created = now - timedelta(
                days=rng.uniform(5, 60) if status in ("done", "cancelled") else rng.uniform(0.5, 20)
            )
            due = (created + timedelta(days=rng.randint(7, 35))).date()
            order_rows.append(
                {
                    "number": f"PO-{created:%Y}-{n:05d}",
                    "customer_id": rng.choice(active_customers),
                    "product_spec": rng.choice(STAGE_PRODUCTS[stage][0]),
                    "quantity": _q(qty, unit),
                    "unit": unit,
                    "priority": rng.choice([1, 2, 3, 3, 3, 4, 5]),
                    "due_date": due,
                    "status": status,
                    "status_reason": "Customer withdrew the order" if status == "cancelled" else None,
                    "line_id": line_ids[line] if status != "new" else None,
                    "queue_rank": None,
                    "created_at": created,
                    "started_at": None,
                    "finished_at": None,
                    "_line": line,
                    "_stage": stage,
                }
            )
        # queue ranks: the running order first, then planned orders by priority and due date
        per_line: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in order_rows:
            if row["status"] in ("planned", "in_progress"):
                per_line[row["_line"]].append(row)
        for rows in per_line.values():
            rows.sort(key=lambda r: (r["status"] != "in_progress", r["priority"], r["due_date"], r["number"]))
            for i, row in enumerate(rows, start=1):
                row["queue_rank"] = i * RANK_GAP
        for row in order_rows:
            if row["status"] in ("in_progress", "done"):
                row["started_at"] = row["created_at"] + timedelta(days=rng.uniform(1, 4))
                if row["started_at"] > now:
                    row["started_at"] = now - timedelta(hours=rng.uniform(1, 6))
            if row["status"] == "done":
                row["finished_at"] = min(row["started_at"] + timedelta(hours=rng.uniform(4, 30)), now)
        oids = add_all(ProductionOrder, [{k: v for k, v in r.items() if not k.startswith("_")} for r in order_rows])
        for oid, row in zip(oids, order_rows, strict=True):
            row["id"] = oid
            plant.event(
                row["created_at"],
                planner,
                "order",
                oid,
                "created",
                f"Created order {row['number']}: {row['product_spec']}, {row['quantity'].normalize():f} {row['unit']}",
                {},
            )
            if row["status"] != "new" and row["line_id"] is not None:
                plant.event(
                    row["created_at"] + timedelta(hours=2),
                    planner,
                    "order",
                    oid,
                    "planned",
                    f"Planned order {row['number']} on {row['_line']}",
                    {"line": row["_line"]},
                )
            if row["status"] == "cancelled":
                plant.event(
                    row["created_at"] + timedelta(days=1),
                    manager,
                    "order",
                    oid,
                    "cancelled",
                    f"Cancelled order {row['number']}: {row['status_reason']}",
                    {},
                )

        # -- consumption and output: the genealogy
        output_batches: list[dict[str, Any]] = []
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for b in raw_batches:
            by_kind[b["_kind"]].append(b)
        for row in order_rows:
            if row["status"] not in ("done", "in_progress"):
                continue
            started = row["started_at"]
            plant.event(
                started,
                planner,
                "order",
                row["id"],
                "started",
                f"Started order {row['number']} on {row['_line']}",
                {"line": row["_line"]},
            )
            kinds = STAGE_PRODUCTS[row["_stage"]][1]
            for kind in kinds:
                for b in rng.sample(by_kind[kind], k=min(len(by_kind[kind]), 8)):
                    if (
                        b["status"] != "approved"
                        or b["received_at"] > started
                        or (b["expiry_date"] and b["expiry_date"] < started.date())
                    ):
                        continue
                    source = next(
                        (w for w in ("MAG-3", "MAG-4", b["_home"]) if plant.balances[(b["id"], wh_ids[w])] > 0), None
                    )
                    if source is None:
                        continue
                    have = plant.balances[(b["id"], wh_ids[source])]
                    take = min(have, _q(float(have) * rng.uniform(0.2, 0.9), b["_unit"]))
                    if take <= 0:
                        continue
                    plant.move(
                        b["id"],
                        "consumption",
                        take,
                        started + timedelta(minutes=20),
                        planner,
                        src=wh_ids[source],
                        order=row["id"],
                    )
                    plant.event(
                        started + timedelta(minutes=20),
                        planner,
                        "order",
                        row["id"],
                        "consumed",
                        f"Order {row['number']} consumed {take.normalize():f} {b['_unit']} of batch {b['number']} "
                        f"({b['_name']}) from {source}",
                        {"batch": b["number"]},
                    )
                    break
            outputs = 1 if row["status"] == "in_progress" else rng.randint(1, 3)
            out_material = rng.choice(STAGE_PRODUCTS[row["_stage"]][2])
            out_unit = materials[out_material][3]
            for k in range(1, outputs + 1):
                qty = (
                    _q(float(row["quantity"]) / outputs * rng.uniform(0.9, 1.02), out_unit)
                    if out_unit == row["unit"]
                    else _q(float(row["quantity"]) / outputs, out_unit)
                )
                when = started + timedelta(hours=2 * k)
                if when > now:
                    when = now - timedelta(minutes=10 * k)
                finished_goods = row["_stage"] in ("slitting", "bag_making")
                output_batches.append(
                    {
                        "number": f"{row['number']}-{k:03d}",
                        "material_id": mat_ids[out_material],
                        "supplier_id": None,
                        "production_order_id": row["id"],
                        "received_at": when,
                        "expiry_date": when.date() + timedelta(days=materials[out_material][5]),
                        "status": "approved" if row["status"] == "done" else "pending",
                        "status_reason": None,
                        "_qty": qty,
                        "_unit": out_unit,
                        "_order": row,
                        "_dest": "MAG-6" if finished_goods else "MAG-5",
                    }
                )
            if row["status"] == "done":
                plant.event(
                    row["finished_at"], planner, "order", row["id"], "finished", f"Finished order {row['number']}", {}
                )
        oids_out = add_all(Batch, [{k: v for k, v in b.items() if not k.startswith("_")} for b in output_batches])
        for bid, b in zip(oids_out, output_batches, strict=True):
            order = b["_order"]
            plant.move(bid, "output", b["_qty"], b["received_at"], planner, dst=wh_ids[b["_dest"]], order=order["id"])
            plant.event(
                b["received_at"],
                planner,
                "order",
                order["id"],
                "output",
                f"Order {order['number']} produced batch {b['number']}: {b['_qty'].normalize():f} {b['_unit']} "
                f"into {b['_dest']}",
                {"batch": b["number"], "batch_id": bid},
            )
            if b["status"] == "approved" and b["_dest"] == "MAG-6" and rng.random() < 0.6:
                t = b["received_at"] + timedelta(days=rng.uniform(0.5, 3))
                if t < now:
                    qty = plant.balances[(bid, wh_ids["MAG-6"])]
                    plant.move(
                        bid,
                        "issue",
                        qty,
                        t,
                        clerk,
                        src=wh_ids["MAG-6"],
                        note=f"Shipped to customer, order {order['number']}",
                    )
                    plant.event(
                        t,
                        clerk,
                        "batch",
                        bid,
                        "issued",
                        f"Issued {qty.normalize():f} {b['_unit']} of batch {b['number']} from MAG-6",
                        {},
                    )

        # -- the ledger; the database adds up the balances as each movement goes in
        plant.movements.sort(key=lambda m: m["created_at"])
        session.execute(insert(StockMovement), plant.movements)

        summary.warehouses, summary.lines, summary.materials = len(WAREHOUSES), len(LINES), len(MATERIALS)
        summary.suppliers, summary.customers = len(SUPPLIERS), len(cust_rows)
        summary.orders = len(order_rows)
        summary.orders_by_status = {s: statuses.count(s) for s in set(statuses)}
        summary.batches = len(raw_batches) + len(output_batches)
        summary.movements = len(plant.movements)
        summary.users = session.scalar(select(func.count()).select_from(User)) or 0

        # -- the journal
        story = sorted(plant.events, key=lambda e: e[0])
        already = session.scalar(select(func.count()).select_from(Event)) or 0
        filler = max(0, events - len(story) - already)
        conn = session.connection()
        _write_events(
            conn, database, _with_history(story, filler, now, rng, user_ids, cust_ids, cust_rows, oids, order_rows)
        )
        summary.events = already + len(story) + filler
    return summary


def _with_history(
    story: list[Any],
    filler: int,
    now: datetime,
    rng: random.Random,
    user_ids: dict[str, int],
    cust_ids: list[int],
    cust_rows: list[dict[str, Any]],
    order_ids: list[int],
    order_rows: list[dict[str, Any]],
) -> Iterator[tuple[Any, ...]]:
    """Older history first (sign-ins, edits over the past three years), then the plant's story, oldest first."""
    span = timedelta(days=3 * 365).total_seconds()
    story_start = story[0][0] if story else now
    usernames = list(user_ids.items())
    fields = ["phone", "contact", "email", "address", "notes"]
    if filler:
        # evenly spaced, slightly jittered timestamps: sorted without sorting a million rows
        step = (span - 86400) / filler
        start = story_start - timedelta(seconds=span)
        for i in range(filler):
            when = start + timedelta(seconds=i * step + rng.uniform(0, step * 0.9))
            pick = rng.random()
            name, uid = usernames[rng.randrange(len(usernames))]
            if pick < 0.55:
                yield (when, uid, "user", uid, "login", f"{name} signed in", None)
            elif pick < 0.62:
                yield (when, uid, "user", uid, "login_failed", f"Failed sign-in for {name}", None)
            elif pick < 0.82:
                k = rng.randrange(len(cust_ids))
                changed = rng.choice(fields)
                yield (
                    when,
                    user_ids["planner"],
                    "customer",
                    cust_ids[k],
                    "edited",
                    f"Edited customer {cust_rows[k]['code']} ({cust_rows[k]['name']}): {changed}",
                    {changed: "…"},
                )
            else:
                k = rng.randrange(len(order_ids))
                changed = rng.choice(["due_date", "priority", "quantity", "product_spec"])
                yield (
                    when,
                    user_ids["planner"],
                    "order",
                    order_ids[k],
                    "edited",
                    f"Edited order {order_rows[k]['number']}: {changed}",
                    {changed: "…"},
                )
    yield from story


def _write_events(conn: Any, database: Database, rows: Iterator[tuple[Any, ...]]) -> None:
    """Bulk-load the journal: plain executemany on SQLite, COPY on PostgreSQL."""
    columns = "occurred_at, user_id, entity_type, entity_id, action, summary, details"
    if database.is_sqlite:
        # The search index's per-row trigger costs more than the insert itself; index the
        # new rows in one statement instead, then put the trigger back exactly as it was.
        trigger = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_search_insert'"
        ).scalar()
        first_new = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM events").scalar()
        if trigger:
            conn.exec_driver_sql("DROP TRIGGER events_search_insert")
        _insert_sqlite_events(conn, columns, rows)
        if trigger:
            conn.exec_driver_sql(
                "INSERT INTO events_search (rowid, summary) "
                f"SELECT id, summary FROM events WHERE id >= {int(first_new)}"
            )
            conn.exec_driver_sql(trigger)
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY events ({columns}) FROM STDIN") as copy:
        for when, uid, etype, eid, action, summary, details in rows:
            copy.write_row(
                (
                    when,
                    uid,
                    etype,
                    eid,
                    action,
                    summary,
                    json.dumps(details, ensure_ascii=False) if details is not None else None,
                )
            )


def _insert_sqlite_events(conn: Any, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    sql = f"INSERT INTO events ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)"
    chunk: list[tuple[Any, ...]] = []
    for when, uid, etype, eid, action, summary, details in rows:
        chunk.append(
            (
                when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
                uid,
                etype,
                eid,
                action,
                summary,
                json.dumps(details, ensure_ascii=False) if details is not None else None,
            )
        )
        if len(chunk) >= EVENT_CHUNK:
            conn.exec_driver_sql(sql, chunk)
            chunk.clear()
    if chunk:
        conn.exec_driver_sql(sql, chunk)


__all__ = ["load_demo", "Summary", "DEMO_USERS", "DEMO_PASSWORD"]
