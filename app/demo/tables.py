"""The demo plant's master data, as tables of named rows: what a real plant would type in once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
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


class Use(NamedTuple):
    """One material of a recipe step: how much per unit of the product, and the scrap allowed on top (%)."""

    material: str
    per_unit: str  # a decimal, as a planner types it
    scrap: str = "0"


@dataclass(frozen=True)
class Step:
    stage: LineStage
    uses: tuple[Use, ...]


@dataclass(frozen=True)
class ProductSpec:
    """A product of the catalogue: made on a line of `stage`, its batches of `output`, by its recipe's steps."""

    code: str
    name: str
    spec: str
    stage: LineStage
    unit: Unit
    output: str
    steps: tuple[Step, ...]


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
        "REEL-LAMINATE",
        "PET/PE laminate reels, slit (own)",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "REEL-PRINTED",
        "Printed PE reels, slit (own)",
        MaterialKind.FILM,
        Unit.M,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-PE-40-SHR",
        "PE shrink film 40 µm (own)",
        MaterialKind.FILM,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-PE-60-3L",
        "PE film 60 µm 3-layer (own)",
        MaterialKind.FILM,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "FILM-HDPE-15",
        "HDPE film 15 µm (own)",
        MaterialKind.FILM,
        Unit.KG,
        reorder_level=0,
        shelf_life_days=540,
        suppliers=(),
    ),
    MaterialSpec(
        "BAG-BOTTOMSEAL",
        "Bottom-seal bags, printed (own)",
        MaterialKind.BAG,
        Unit.PCS,
        reorder_level=0,
        shelf_life_days=720,
        suppliers=(),
    ),
    MaterialSpec(
        "BAG-TSHIRT",
        "T-shirt carrier bags (own)",
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

# The first steps many products share: blowing their PE film, printing it.
_PE_FILM_PER_M = Step(LineStage.EXTRUSION, (Use("GR-LDPE-FT5230", "0.036", "3"), Use("GR-LLDPE-C4", "0.019", "3")))
_INKS_PER_M = (
    Use("INK-CYAN-SB", "0.0012", "5"),
    Use("INK-MAGENTA-SB", "0.0012", "5"),
    Use("INK-YELLOW-SB", "0.001", "5"),
    Use("INK-BLACK-SB", "0.0008", "5"),
)
_PRINTED_PE = Step(
    LineStage.PRINTING,
    (Use("FILM-PE-50", "0.056", "4"), *_INKS_PER_M, Use("INK-WHITE-SB", "0.0022", "5"), Use("SOLV-ETAC", "0.004")),
)
_PRINTED_PET = Step(
    LineStage.PRINTING,
    (Use("FILM-PET-12", "1", "3"), *_INKS_PER_M, Use("INK-WHITE-SB", "0.002", "5"), Use("SOLV-ETAC", "0.0035")),
)


def _per(step: Step, factor: str) -> Step:
    """A step's amounts for a product that takes `factor` of that step's output per unit (a bag: 0.36 m of film)."""
    return Step(
        step.stage, tuple(Use(u.material, str(Decimal(u.per_unit) * Decimal(factor)), u.scrap) for u in step.uses)
    )


# By stage, as many products as the plant's orders draw from (the draw picks one by its place).
PRODUCTS = (
    ProductSpec(
        "PE-50-1200",
        "PE film 50 µm natural, 1200 mm",
        "PE 50 µm natural 1200 mm, corona treated one side",
        LineStage.EXTRUSION,
        Unit.KG,
        "FILM-PE-50",
        (
            Step(
                LineStage.EXTRUSION,
                (
                    Use("GR-LDPE-FT5230", "0.62", "3"),
                    Use("GR-LLDPE-C4", "0.33", "3"),
                    Use("MB-SLIP-5", "0.03"),
                    Use("MB-AB-20", "0.02"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "PE-80-WH-1000",
        "PE film 80 µm white, 1000 mm",
        "PE 80 µm white 1000 mm, 10 % TiO2 masterbatch",
        LineStage.EXTRUSION,
        Unit.KG,
        "FILM-PE-80-WH",
        (
            Step(
                LineStage.EXTRUSION,
                (
                    Use("GR-LDPE-FT5230", "0.5", "3.5"),
                    Use("GR-LLDPE-C4", "0.38", "3.5"),
                    Use("MB-WHITE-70", "0.1", "3.5"),
                    Use("MB-SLIP-5", "0.02"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "PE-40-SHR-1500",
        "PE shrink film 40 µm, 1500 mm",
        "PE 40 µm shrink 1500 mm",
        LineStage.EXTRUSION,
        Unit.KG,
        "FILM-PE-40-SHR",
        (
            Step(
                LineStage.EXTRUSION,
                (Use("GR-LDPE-FT5230", "0.7", "4"), Use("GR-MLLDPE-1018", "0.28", "4"), Use("MB-AB-20", "0.02")),
            ),
        ),
    ),
    ProductSpec(
        "PE-60-3L-1300",
        "PE film 60 µm 3-layer, 1300 mm",
        "PE 60 µm 3-layer 1300 mm",
        LineStage.EXTRUSION,
        Unit.KG,
        "FILM-PE-60-3L",
        (
            Step(
                LineStage.EXTRUSION,
                (
                    Use("GR-LDPE-FT5230", "0.4", "3"),
                    Use("GR-MLLDPE-1018", "0.3", "3"),
                    Use("GR-LLDPE-C4", "0.28", "3"),
                    Use("MB-SLIP-5", "0.02"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "HDPE-15-800",
        "HDPE film 15 µm, 800 mm",
        "HDPE 15 µm 800 mm",
        LineStage.EXTRUSION,
        Unit.KG,
        "FILM-HDPE-15",
        (Step(LineStage.EXTRUSION, (Use("GR-HDPE-5502", "0.97", "5"), Use("MB-AB-20", "0.03"))),),
    ),
    ProductSpec(
        "UV-GLOSS",
        "UV gloss varnish on printed PE",
        "Printed PE 50 µm, full-surface UV gloss varnish",
        LineStage.UV,
        Unit.M,
        "FILM-PRINTED",
        (
            _PE_FILM_PER_M,
            _PRINTED_PE,
            Step(LineStage.UV, (Use("FILM-PRINTED", "1", "2"), Use("VARNISH-UV-GLOSS", "0.0025", "3"))),
        ),
    ),
    ProductSpec(
        "UV-MATT-SPOT",
        "UV matt spot varnish",
        "Printed PE 50 µm, matt spot varnish on the logo",
        LineStage.UV,
        Unit.M,
        "FILM-PRINTED",
        (
            _PE_FILM_PER_M,
            _PRINTED_PE,
            Step(LineStage.UV, (Use("FILM-PRINTED", "1", "2"), Use("VARNISH-UV-GLOSS", "0.0012", "3"))),
        ),
    ),
    ProductSpec(
        "PRN-DAIRY-LID",
        "8-colour print, dairy lid design",
        "PE 50 µm printed 8 colours, dairy lid design",
        LineStage.PRINTING,
        Unit.M,
        "FILM-PRINTED",
        (
            _PE_FILM_PER_M,
            Step(
                LineStage.PRINTING,
                (
                    Use("FILM-PE-50", "0.056", "4"),
                    *_INKS_PER_M,
                    Use("INK-WHITE-SB", "0.0022", "5"),
                    Use("INK-PMS485", "0.0004", "5"),
                    Use("SOLV-ETAC", "0.004"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "PRN-COFFEE",
        "6-colour print, coffee pouch",
        "PET 12 µm reverse-printed 6 colours, coffee pouch",
        LineStage.PRINTING,
        Unit.M,
        "FILM-PRINTED",
        (_PRINTED_PET,),
    ),
    ProductSpec(
        "PRN-PEAS",
        "4-colour print, frozen peas",
        "PE 80 µm white printed 4 colours, frozen peas",
        LineStage.PRINTING,
        Unit.M,
        "FILM-PRINTED",
        (
            Step(
                LineStage.EXTRUSION,
                (
                    Use("GR-LDPE-FT5230", "0.05", "3.5"),
                    Use("GR-LLDPE-C4", "0.035", "3.5"),
                    Use("MB-WHITE-70", "0.009", "3.5"),
                ),
            ),
            Step(LineStage.PRINTING, (Use("FILM-PE-80-WH", "0.094", "4"), *_INKS_PER_M, Use("SOLV-ETOH", "0.003"))),
        ),
    ),
    ProductSpec(
        "PRN-BAKERY",
        "2-colour print, bakery bag",
        "PE 50 µm printed 2 colours, bakery bag",
        LineStage.PRINTING,
        Unit.M,
        "FILM-PRINTED",
        (
            _PE_FILM_PER_M,
            Step(
                LineStage.PRINTING,
                (
                    Use("FILM-PE-50", "0.056", "4"),
                    Use("INK-PMS485", "0.0009", "5"),
                    Use("INK-BLACK-SB", "0.0006", "5"),
                    Use("SOLV-ETOH", "0.0025"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "LAM-PET-PE",
        "PET 12 / PE 50 laminate",
        "Printed PET 12 µm laminated to PE 50 µm, solventless",
        LineStage.LAMINATION,
        Unit.M,
        "FILM-LAMINATE",
        (
            _PE_FILM_PER_M,
            _PRINTED_PET,
            Step(
                LineStage.LAMINATION,
                (
                    Use("FILM-PRINTED", "1", "2"),
                    Use("FILM-PE-50", "0.056", "2"),
                    Use("ADH-PU-A", "0.0012", "3"),
                    Use("ADH-PU-B", "0.0009", "3"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "LAM-BOPP-PE",
        "BOPP 20 / PE 50 laminate",
        "BOPP 20 µm laminated to PE 50 µm, solventless",
        LineStage.LAMINATION,
        Unit.M,
        "FILM-LAMINATE",
        (
            _PE_FILM_PER_M,
            Step(
                LineStage.LAMINATION,
                (
                    Use("FILM-BOPP-20", "1", "2"),
                    Use("FILM-PE-50", "0.056", "2"),
                    Use("ADH-PU-A", "0.0011", "3"),
                    Use("ADH-PU-B", "0.0008", "3"),
                ),
            ),
        ),
    ),
    ProductSpec(
        "SLIT-8X150",
        "Slit 8 × 150 mm reels",
        "PET/PE laminate slit to 8 reels of 150 mm on 76 mm cores",
        LineStage.SLITTING,
        Unit.M,
        "REEL-LAMINATE",
        (
            _PE_FILM_PER_M,
            _PRINTED_PET,
            Step(
                LineStage.LAMINATION,
                (
                    Use("FILM-PRINTED", "1", "2"),
                    Use("FILM-PE-50", "0.056", "2"),
                    Use("ADH-PU-A", "0.0012", "3"),
                    Use("ADH-PU-B", "0.0009", "3"),
                ),
            ),
            Step(LineStage.SLITTING, (Use("FILM-LAMINATE", "1", "2"), Use("CORE-76", "0.004"))),
        ),
    ),
    ProductSpec(
        "SLIT-4X300",
        "Slit 4 × 300 mm reels",
        "BOPP/PE laminate slit to 4 reels of 300 mm on 76 mm cores",
        LineStage.SLITTING,
        Unit.M,
        "REEL-LAMINATE",
        (
            _PE_FILM_PER_M,
            Step(
                LineStage.LAMINATION,
                (
                    Use("FILM-BOPP-20", "1", "2"),
                    Use("FILM-PE-50", "0.056", "2"),
                    Use("ADH-PU-A", "0.0011", "3"),
                    Use("ADH-PU-B", "0.0008", "3"),
                ),
            ),
            Step(LineStage.SLITTING, (Use("FILM-LAMINATE", "1", "2"), Use("CORE-76", "0.002"))),
        ),
    ),
    ProductSpec(
        "SLIT-6X210",
        "Slit 6 × 210 mm reels",
        "Printed PE slit to 6 reels of 210 mm on 76 mm cores",
        LineStage.SLITTING,
        Unit.M,
        "REEL-PRINTED",
        (
            _PE_FILM_PER_M,
            _PRINTED_PE,
            Step(LineStage.SLITTING, (Use("FILM-PRINTED", "1", "2"), Use("CORE-76", "0.003"))),
        ),
    ),
    ProductSpec(
        "BAG-SW-300",
        "Side-weld bag 300 × 400 mm",
        "Side-weld bag 300 × 400 mm, PE 50 µm natural",
        LineStage.BAG_MAKING,
        Unit.PCS,
        "BAG-SIDEWELD",
        (
            Step(LineStage.EXTRUSION, (Use("GR-LDPE-FT5230", "0.0075", "3"), Use("GR-LLDPE-C4", "0.004", "3"))),
            Step(LineStage.BAG_MAKING, (Use("FILM-PE-50", "0.0115", "4"),)),
        ),
    ),
    ProductSpec(
        "BAG-BS-250",
        "Bottom-seal bag 250 × 350 mm",
        "Printed bottom-seal bag 250 × 350 mm",
        LineStage.BAG_MAKING,
        Unit.PCS,
        "BAG-BOTTOMSEAL",
        (
            _per(_PE_FILM_PER_M, "0.36"),
            _per(_PRINTED_PE, "0.36"),
            Step(LineStage.BAG_MAKING, (Use("FILM-PRINTED", "0.36", "5"),)),
        ),
    ),
    ProductSpec(
        "BAG-TS-280",
        "T-shirt bag 280 × 500 mm",
        "T-shirt carrier bag 280 × 500 mm, HDPE 15 µm white",
        LineStage.BAG_MAKING,
        Unit.PCS,
        "BAG-TSHIRT",
        (
            Step(LineStage.EXTRUSION, (Use("GR-HDPE-5502", "0.0078", "5"), Use("MB-WHITE-70", "0.0002", "5"))),
            Step(LineStage.BAG_MAKING, (Use("FILM-HDPE-15", "0.008", "5"),)),
        ),
    ),
)
PRODUCTS_BY_STAGE = {stage: tuple(p for p in PRODUCTS if p.stage is stage) for stage in LineStage}
# The demo's recall example: the 315th batch bought, a granulate whose film went through printing,
# lamination and slitting to the customers, by the four orders that run in this sequence.
RECALL_BATCH = 315
RECALL_CHAIN = ("PE-50-1200", "PRN-DAIRY-LID", "LAM-PET-PE", "SLIT-8X150")
RECALL_CHAIN_GRANULATE = "GR-LDPE-FT5230"

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


# ---------------------------------------------------------------- line stops


@dataclass(frozen=True)
class StopPattern:
    """How often a line stops for a reason, and for how long."""

    reason: str  # a stop reason's code
    per_week: float  # stops a week on one line, on average
    shortest: int  # minutes
    longest: int
    notes: tuple[str, ...] = ()


# The plant's own reasons, beside the ones every plant has (migration 0007 seeds those).
PLANT_STOP_REASONS = (("FILM-BREAK", "film break"), ("POWER", "power cut"))
STOP_HISTORY_DAYS = 90
STOP_PATTERNS = (
    StopPattern("CHANGEOVER", 2.5, 25, 90, ("new print cylinders", "width change", "colour change", "")),
    StopPattern("CLEANING", 0.8, 60, 180, ("die cleaning", "anilox cleaning", "")),
    StopPattern("BREAKDOWN", 0.5, 30, 480, ("drive fault", "heater band failed", "winder jam", "sensor fault")),
    StopPattern("FILM-BREAK", 1.0, 10, 45, ("web broke at the winder", "splice failed", "")),
    StopPattern("NO-MATERIAL", 0.3, 30, 240, ("waiting for granulate from MAG-1", "cores not delivered", "")),
    StopPattern("NO-OPERATOR", 0.15, 120, 480, ("night shift short-handed", "")),
    StopPattern("QUALITY", 0.25, 30, 150, ("gauge out of tolerance", "registration drift", "")),
    StopPattern("MAINTENANCE", 0.25, 240, 600, ("monthly maintenance", "bearing replacement")),
    StopPattern("POWER", 0.05, 20, 120, ("grid outage",)),
)
# Lines standing now: (line, reason, minutes ago, note). The first stands longer than the plant's alert
# threshold; the second only just stopped.
OPEN_STOPS = (
    ("EXTRUDER-2", "BREAKDOWN", 95, "screw drive tripped, maintenance called"),
    ("SLITTER-1", "CHANGEOVER", 12, "new reel widths for the next order"),
)
# Maintenance planned ahead: (line, hours from now it starts, hours it lasts).
PLANNED_STOPS = (("LAMINATOR-1", 20, 8),)

# Materials the plant began to keep only lately, bought outside the simulated history: one first
# delivery of the antistatic masterbatch so far (below its level), none yet of the wide cores (at zero).
NEW_MATERIALS = (
    MaterialSpec(
        "MB-ANTISTAT",
        "Antistatic masterbatch",
        MaterialKind.MASTERBATCH,
        Unit.KG,
        reorder_level=250,
        shelf_life_days=540,
        suppliers=("CLARIANT",),
    ),
    MaterialSpec(
        "CORE-152",
        "Cores 152 mm",
        MaterialKind.CORE,
        Unit.PCS,
        reorder_level=500,
        shelf_life_days=3650,
        suppliers=("SMURFIT",),
    ),
)
NEW_MATERIALS_ADDED_DAYS_AGO = 20
FIRST_DELIVERIES = (("MB-ANTISTAT", "CLARIANT", 75, 6),)  # material, supplier, quantity, days ago
FIRST_DELIVERY_NUMBERS = 9001  # numbered on from here, past the simulated purchases

# What suppliers sell the plant at: per material its price a unit from its first supplier, the least it
# takes an order for and how many days it delivers in; a second supplier asks SECOND_SUPPLIER_MARKUP
# percent more (so proposals go to the first), with the same minimum and two more days.
PRICES: dict[str, tuple[str, int, int]] = {
    "GR-LDPE-FT5230": ("1.3450", 5000, 10),
    "GR-LLDPE-C4": ("1.4120", 5000, 12),
    "GR-MLLDPE-1018": ("1.6800", 2500, 14),
    "GR-HDPE-5502": ("1.3900", 2500, 10),
    "GR-PP-RCP": ("1.5200", 2500, 10),
    "GR-REGRIND": ("0.6200", 1000, 5),
    "MB-WHITE-70": ("2.9500", 500, 14),
    "MB-BLACK-40": ("2.6000", 250, 14),
    "MB-SLIP-5": ("3.8000", 250, 14),
    "MB-AB-20": ("3.4000", 250, 14),
    "MB-UV-STAB": ("6.2000", 100, 21),
    "INK-CYAN-SB": ("7.9000", 100, 7),
    "INK-MAGENTA-SB": ("8.1000", 100, 7),
    "INK-YELLOW-SB": ("7.6000", 100, 7),
    "INK-BLACK-SB": ("6.9000", 100, 7),
    "INK-WHITE-SB": ("5.8000", 200, 7),
    "INK-PMS485": ("12.5000", 25, 10),
    "VARNISH-UV-GLOSS": ("9.4000", 50, 10),
    "ADH-PU-A": ("6.6000", 200, 14),
    "ADH-PU-B": ("7.2000", 200, 14),
    "SOLV-ETAC": ("1.1500", 1000, 5),
    "SOLV-ETOH": ("0.9800", 1000, 5),
    "FILM-BOPP-20": ("0.0360", 50000, 14),
    "FILM-PET-12": ("0.0410", 50000, 14),
    "CORE-76": ("0.8500", 1000, 7),
    "PACK-STRETCH": ("2.1000", 100, 5),
    "MB-ANTISTAT": ("5.4000", 100, 21),
    "CORE-152": ("1.9000", 500, 10),
}
SECOND_SUPPLIER_MARKUP = 4
PRICES_SET_DAYS_AGO = 30


class PurchaseSpec(NamedTuple):
    """A purchase order the buyers have open: to whom, which lines (material, quantity, due in days), drawn up
    how many days ago, whether it was sent, and what came of each line so far."""

    supplier: str
    lines: tuple[tuple[str, int, int], ...]
    drawn_up_days_ago: int
    sent: bool = True
    received: tuple[int, ...] = ()  # per line, in the order of `lines`


# Real cover for some shortages, not all: film on its way, granulate partly in, ink that comes late, and a
# granulate order still a draft.
OPEN_PURCHASES = (
    PurchaseSpec("TAGHLEEF", (("FILM-BOPP-20", 300000, 3), ("FILM-PET-12", 150000, 6)), 9),
    PurchaseSpec("DOW", (("GR-LLDPE-C4", 40000, 2),), 12, received=(10000,)),
    PurchaseSpec("SIEGWERK", (("INK-WHITE-SB", 1500, 10), ("INK-CYAN-SB", 400, 10)), 4),
    PurchaseSpec("BASELL", (("GR-LDPE-FT5230", 25000, 12),), 1, sent=False),
)
PURCHASE_RECEIPT_NUMBERS = 9501  # numbered on from here, past the first deliveries
