"""The demo plant's master data, as tables of named rows: what a real plant would type in once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from domain.vocabulary import LabelLayout, LabelPrinter, LineStage, MaterialKind, Role, Unit, WarehouseKind

SEED = 2026
DEMO_PASSWORD = "mpsystem-demo"
# The demo plant's own settings (Administration → Plant settings…)
PLANT_NAME = "Folia Demo Sp. z o.o. — film plant"
EXPIRY_WARNING_DAYS = 30
LABEL_LAYOUT = LabelLayout.SINGLE
LABEL_PRINTER = LabelPrinter.PDF


@dataclass(frozen=True)
class WarehouseSpec:
    code: str
    name: str
    kind: WarehouseKind
    adr: bool = False  # approved for dangerous goods (every ADR store is)


@dataclass(frozen=True)
class LineSpec:
    code: str
    name: str
    stage: LineStage
    rate_per_hour: int
    rate_unit: Unit


@dataclass(frozen=True)
class SupplierSpec:
    code: str
    name: str
    contact: str
    email: str
    phone: str
    address: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    kind: MaterialKind
    unit: Unit
    reorder_level: int
    shelf_life_days: int
    suppliers: tuple[str, ...]  # who sells it; none: the plant makes it


class Person(NamedTuple):
    """A demo user (a named tuple, so `for name, full_name, role in DEMO_USERS` reads as before)."""

    username: str
    full_name: str
    role: str  # as the users table stores it


@dataclass(frozen=True)
class StageProducts:
    """What a stage makes: the product specs ordered, the kinds of material it takes, the materials it puts out."""

    specs: tuple[str, ...]
    inputs: tuple[MaterialKind, ...]
    outputs: tuple[str, ...]


WAREHOUSES = (
    WarehouseSpec("MAG-1", "Raw materials – granulates", WarehouseKind.RAW_MATERIALS),
    WarehouseSpec("MAG-1.1", "ADR store – inks, adhesives, solvents", WarehouseKind.ADR),
    WarehouseSpec("MAG-2", "Raw materials – films and cores", WarehouseKind.RAW_MATERIALS),
    WarehouseSpec("MAG-3", "Production floor – extrusion", WarehouseKind.PRODUCTION),
    WarehouseSpec("MAG-4", "Production floor – printing and lamination", WarehouseKind.PRODUCTION),
    WarehouseSpec("MAG-5", "Semi-finished film", WarehouseKind.PRODUCTION),
    WarehouseSpec("MAG-6", "Finished goods", WarehouseKind.FINISHED),
    WarehouseSpec("MAG-7", "Finished goods – dispatch bay", WarehouseKind.FINISHED),
    WarehouseSpec("MAG-8", "Quarantine", WarehouseKind.QUARANTINE, adr=True),  # blocked solvents wait here too
    WarehouseSpec("MAG-9", "Regrind and returns", WarehouseKind.RAW_MATERIALS),
)

LINES = (
    LineSpec("EXTRUDER-1", "Blown film extruder 1 (3-layer)", LineStage.EXTRUSION, 450, Unit.KG),
    LineSpec("EXTRUDER-2", "Blown film extruder 2 (5-layer)", LineStage.EXTRUSION, 380, Unit.KG),
    LineSpec("UV-LINE-1", "UV varnishing line", LineStage.UV, 6000, Unit.M),
    LineSpec("PRINT-LINE-1", "Flexo press 8 colours", LineStage.PRINTING, 9000, Unit.M),
    LineSpec("PRINT-LINE-2", "Flexo press 10 colours", LineStage.PRINTING, 7500, Unit.M),
    LineSpec("LAMINATOR-1", "Solventless laminator", LineStage.LAMINATION, 8000, Unit.M),
    LineSpec("SLITTER-1", "Slitter-rewinder 1", LineStage.SLITTING, 12000, Unit.M),
    LineSpec("SLITTER-2", "Slitter-rewinder 2", LineStage.SLITTING, 10000, Unit.M),
    LineSpec("BAG-MAKER-1", "Bag-making machine 1 (side weld)", LineStage.BAG_MAKING, 9000, Unit.PCS),
    LineSpec("BAG-MAKER-2", "Bag-making machine 2 (bottom seal)", LineStage.BAG_MAKING, 7000, Unit.PCS),
)

SUPPLIERS = (
    SupplierSpec(
        "BASELL",
        "LyondellBasell Polyolefine GmbH",
        contact="Jan Richter",
        email="orders@basell.example",
        phone="+49 69 0000 100",
        address="Industriepark Höchst, 65926 Frankfurt am Main, DE",
        tax_id="DE114103379",
    ),
    SupplierSpec(
        "BOREALIS",
        "Borealis Polymers N.V.",
        contact="Eva De Smet",
        email="sales@borealis.example",
        phone="+32 3 000 0000",
        address="Haven 1050, 2040 Zandvliet, BE",
        tax_id="BE0403093047",
    ),
    SupplierSpec(
        "DOW",
        "Dow Europe GmbH",
        contact="Mark Evans",
        email="polymers@dow.example",
        phone="+41 44 000 0000",
        address="Bachtobelstrasse 3, 8810 Horgen, CH",
        tax_id="CHE-105.822.981",
    ),
    SupplierSpec(
        "CLARIANT",
        "Clariant Masterbatches Polska Sp. z o.o.",
        contact="Agnieszka Lis",
        email="mb@clariant.example",
        phone="+48 22 000 00 00",
        address="ul. Koszalińska 1, 05-800 Pruszków, PL",
        tax_id="PL5340000521",
    ),
    SupplierSpec(
        "AVIENT",
        "Avient Colorants Poland",
        contact="Tomasz Zieliński",
        email="orders@avient.example",
        phone="+48 61 000 00 00",
        address="ul. Przemysłowa 8, 62-052 Komorniki, PL",
        tax_id="PL7770000123",
    ),
    SupplierSpec(
        "SIEGWERK",
        "Siegwerk Polska Sp. z o.o.",
        contact="Magdalena Krawczyk",
        email="inks@siegwerk.example",
        phone="+48 32 000 00 00",
        address="ul. Fabryczna 12, 40-611 Katowice, PL",
        tax_id="PL6340000456",
    ),
    SupplierSpec(
        "FLINT",
        "Flint Group Flexographic",
        contact="Peter Olsen",
        email="flexo@flint.example",
        phone="+45 70 00 00 00",
        address="Industrivej 2, 4000 Roskilde, DK",
        tax_id="DK25000000",
    ),
    SupplierSpec(
        "HENKEL",
        "Henkel Polska Adhesives",
        contact="Ewa Dąbrowska",
        email="adhesives@henkel.example",
        phone="+48 22 111 00 00",
        address="ul. Domaniewska 41, 02-672 Warszawa, PL",
        tax_id="PL5210000789",
    ),
    SupplierSpec(
        "ORLEN",
        "Orlen Chemical Distribution",
        contact="Krzysztof Mazur",
        email="solvents@orlen.example",
        phone="+48 24 000 00 00",
        address="ul. Chemików 7, 09-411 Płock, PL",
        tax_id="PL7740000111",
    ),
    SupplierSpec(
        "TAGHLEEF",
        "Taghleef Industries Kft.",
        contact="Gábor Nagy",
        email="films@taghleef.example",
        phone="+36 1 000 0000",
        address="Tiszaújváros, Ipari park 6, 3580 HU",
        tax_id="HU10000000",
    ),
    SupplierSpec(
        "SMURFIT",
        "Smurfit Westrock Cores",
        contact="Luis García",
        email="cores@smurfit.example",
        phone="+34 91 000 0000",
        address="Calle del Comercio 14, 28007 Madrid, ES",
        tax_id="ESB00000000",
    ),
)

MATERIALS = (
    MaterialSpec(
        "GR-LDPE-FT5230",
        "LDPE granulate FT5230",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=8000,
        shelf_life_days=720,
        suppliers=("BASELL", "BOREALIS"),
    ),
    MaterialSpec(
        "GR-LLDPE-C4",
        "LLDPE C4 granulate",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=6000,
        shelf_life_days=720,
        suppliers=("DOW", "BOREALIS"),
    ),
    MaterialSpec(
        "GR-MLLDPE-1018",
        "mLLDPE granulate 1018",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=4000,
        shelf_life_days=720,
        suppliers=("DOW",),
    ),
    MaterialSpec(
        "GR-HDPE-5502",
        "HDPE granulate 5502",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=3000,
        shelf_life_days=720,
        suppliers=("BASELL",),
    ),
    MaterialSpec(
        "GR-PP-RCP",
        "PP random copolymer granulate",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=2000,
        shelf_life_days=720,
        suppliers=("BASELL", "BOREALIS"),
    ),
    MaterialSpec(
        "GR-REGRIND",
        "PE regrind (own)",
        MaterialKind.GRANULATE,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=365,
        suppliers=("BASELL",),
    ),
    MaterialSpec(
        "MB-WHITE-70",
        "White masterbatch 70% TiO2",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=800,
        shelf_life_days=540,
        suppliers=("CLARIANT", "AVIENT"),
    ),
    MaterialSpec(
        "MB-BLACK-40",
        "Black masterbatch 40%",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=400,
        shelf_life_days=540,
        suppliers=("CLARIANT",),
    ),
    MaterialSpec(
        "MB-SLIP-5",
        "Slip additive masterbatch",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=300,
        shelf_life_days=540,
        suppliers=("AVIENT",),
    ),
    MaterialSpec(
        "MB-AB-20",
        "Antiblock masterbatch",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=300,
        shelf_life_days=540,
        suppliers=("AVIENT",),
    ),
    MaterialSpec(
        "MB-UV-STAB",
        "UV stabiliser masterbatch",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=200,
        shelf_life_days=540,
        suppliers=("CLARIANT",),
    ),
    MaterialSpec(
        "INK-CYAN-SB",
        "Flexo ink cyan, solvent-based",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=150,
        shelf_life_days=365,
        suppliers=("SIEGWERK", "FLINT"),
    ),
    MaterialSpec(
        "INK-MAGENTA-SB",
        "Flexo ink magenta, solvent-based",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=150,
        shelf_life_days=365,
        suppliers=("SIEGWERK", "FLINT"),
    ),
    MaterialSpec(
        "INK-YELLOW-SB",
        "Flexo ink yellow, solvent-based",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=150,
        shelf_life_days=365,
        suppliers=("SIEGWERK",),
    ),
    MaterialSpec(
        "INK-BLACK-SB",
        "Flexo ink black, solvent-based",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=150,
        shelf_life_days=365,
        suppliers=("FLINT",),
    ),
    MaterialSpec(
        "INK-WHITE-SB",
        "Flexo ink opaque white",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=300,
        shelf_life_days=365,
        suppliers=("SIEGWERK", "FLINT"),
    ),
    MaterialSpec(
        "INK-PMS485",
        "Flexo ink PMS 485 red",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=60,
        shelf_life_days=365,
        suppliers=("FLINT",),
    ),
    MaterialSpec(
        "VARNISH-UV-GLOSS",
        "UV gloss varnish",
        MaterialKind.INK,
        Unit.KG,
        reorder_level=100,
        shelf_life_days=270,
        suppliers=("SIEGWERK",),
    ),
    MaterialSpec(
        "ADH-PU-A",
        "Solventless PU adhesive, part A",
        MaterialKind.ADHESIVE,
        Unit.KG,
        reorder_level=400,
        shelf_life_days=180,
        suppliers=("HENKEL",),
    ),
    MaterialSpec(
        "ADH-PU-B",
        "Solventless PU adhesive, part B",
        MaterialKind.ADHESIVE,
        Unit.KG,
        reorder_level=300,
        shelf_life_days=180,
        suppliers=("HENKEL",),
    ),
    MaterialSpec(
        "SOLV-ETAC",
        "Ethyl acetate",
        MaterialKind.SOLVENT,
        Unit.L,
        reorder_level=1000,
        shelf_life_days=720,
        suppliers=("ORLEN",),
    ),
    MaterialSpec(
        "SOLV-ETOH",
        "Ethanol 96%",
        MaterialKind.SOLVENT,
        Unit.L,
        reorder_level=800,
        shelf_life_days=720,
        suppliers=("ORLEN",),
    ),
    MaterialSpec(
        "FILM-BOPP-20",
        "BOPP film 20 µm transparent",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=100000,
        shelf_life_days=540,
        suppliers=("TAGHLEEF",),
    ),
    MaterialSpec(
        "FILM-PET-12",
        "PET film 12 µm",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=80000,
        shelf_life_days=720,
        suppliers=("TAGHLEEF",),
    ),
    MaterialSpec(
        "FILM-PE-50",
        "PE film 50 µm natural (own)",
        MaterialKind.FILM,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-PE-80-WH",
        "PE film 80 µm white (own)",
        MaterialKind.FILM,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-PRINTED",
        "Printed PE film (own)",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-LAMINATE",
        "PET/PE laminate (own)",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "BAG-SIDEWELD",
        "Side-weld bags (own)",
        MaterialKind.BAG,
        Unit.PCS,
        reorder_level=0,
        shelf_life_days=720,
        suppliers=(),
    ),
    MaterialSpec(
        "CORE-76",
        "Cardboard cores 76 mm",
        MaterialKind.CORE,
        Unit.PCS,
        reorder_level=2000,
        shelf_life_days=1080,
        suppliers=("SMURFIT",),
    ),
    MaterialSpec(
        "PACK-STRETCH",
        "Stretch film for pallets",
        MaterialKind.PACKAGING,
        Unit.KG,
        reorder_level=200,
        shelf_life_days=720,
        suppliers=("TAGHLEEF",),
    ),
)

USERS = (
    Person("admin", "Anna Kowalska", Role.ADMIN.value_name),
    Person("manager", "Marek Nowak", Role.MANAGER.value_name),
    Person("planner", "Katarzyna Wiśniewska", Role.PLANNER.value_name),
    Person("clerk", "Piotr Wójcik", Role.CLERK.value_name),
    Person("viewer", "Олена Коваленко", Role.VIEWER.value_name),
)

STAGE_PRODUCTS = {
    LineStage.EXTRUSION: StageProducts(
        specs=(
            "PE 50 µm natural 1200 mm",
            "PE 80 µm white 1000 mm",
            "PE 40 µm shrink 1500 mm",
            "PE 60 µm 3-layer 1300 mm",
            "HDPE 15 µm 800 mm",
        ),
        inputs=(
            MaterialKind.GRANULATE,
            MaterialKind.MASTERBATCH,
        ),
        outputs=(
            "FILM-PE-50",
            "FILM-PE-80-WH",
        ),
    ),
    LineStage.UV: StageProducts(
        specs=(
            "UV gloss varnish on printed PE",
            "UV matt spot varnish",
        ),
        inputs=(MaterialKind.INK,),
        outputs=("FILM-PRINTED",),
    ),
    LineStage.PRINTING: StageProducts(
        specs=(
            "8-colour print, dairy lid design",
            "6-colour print, coffee pouch",
            "4-colour print, frozen peas",
            "2-colour print, bakery bag",
        ),
        inputs=(
            MaterialKind.INK,
            MaterialKind.SOLVENT,
            MaterialKind.FILM,
        ),
        outputs=("FILM-PRINTED",),
    ),
    LineStage.LAMINATION: StageProducts(
        specs=(
            "PET 12 / PE 50 laminate",
            "BOPP 20 / PE 40 laminate",
        ),
        inputs=(
            MaterialKind.ADHESIVE,
            MaterialKind.FILM,
        ),
        outputs=("FILM-LAMINATE",),
    ),
    LineStage.SLITTING: StageProducts(
        specs=(
            "Slit 8 × 150 mm reels",
            "Slit 4 × 300 mm reels",
            "Slit 6 × 210 mm reels",
        ),
        inputs=(
            MaterialKind.FILM,
            MaterialKind.CORE,
        ),
        outputs=(
            "FILM-LAMINATE",
            "FILM-PRINTED",
        ),
    ),
    LineStage.BAG_MAKING: StageProducts(
        specs=(
            "Side-weld bag 300 × 400 mm",
            "Bottom-seal bag 250 × 350 mm",
            "T-shirt bag 280 × 500 mm",
        ),
        inputs=(MaterialKind.FILM,),
        outputs=("BAG-SIDEWELD",),
    ),
}

CUSTOMER_PREFIXES = (
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
)

CUSTOMER_SUFFIXES = (
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
)

FOREIGN_CUSTOMERS = (
    "ТОВ «Львівпак»",
    "ООО «Северная упаковка»",
    "Žilinské mliekárne a.s.",
    "Brněnské pekárny s.r.o.",
    "Vilniaus pienas UAB",
    "Müller & Söhne Verpackung GmbH",
)

FIRST_NAMES = (
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
)

LAST_NAMES = (
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
)

DEMO_USERS = USERS
# Where received stock is put away, by material kind; everything else goes to MAG-1.
PUT_AWAY = {
    MaterialKind.INK: "MAG-1.1",
    MaterialKind.ADHESIVE: "MAG-1.1",
    MaterialKind.SOLVENT: "MAG-1.1",
    MaterialKind.FILM: "MAG-2",
    MaterialKind.CORE: "MAG-2",
    MaterialKind.PACKAGING: "MAG-2",
}
DEFAULT_STORE = "MAG-1"
QUARANTINE = "MAG-8"
SEMI_FINISHED = "MAG-5"
FINISHED_GOODS = "MAG-6"
FLOOR_BY_KIND = {MaterialKind.GRANULATE: "MAG-3", MaterialKind.MASTERBATCH: "MAG-3"}  # else MAG-4
OTHER_FLOOR = "MAG-4"
FLOORS = ("MAG-3", "MAG-4")  # where the lines take their inputs from first
FINISHING_STAGES = (LineStage.SLITTING, LineStage.BAG_MAKING)  # their output is finished goods
BLOCK_REASONS = ("Melt index out of specification", "Wet granulate", "Colour deviation ΔE > 2", "Damaged packaging")
CITIES = ("Łódź", "Kraków", "Poznań", "Wrocław", "Gdańsk", "Lublin", "Białystok")
CANCEL_REASON = "Customer withdrew the order"
ARCHIVED_CUSTOMERS = (7, 23, 41)  # by their place in the list
