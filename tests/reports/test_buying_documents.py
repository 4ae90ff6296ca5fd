"""The printed purchase order and the material requirements report, read back from their PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from app import reporting
from app import services as s
from app.context import Context
from app.errors import NotFound
from reports import documents, purchase_order
from tests.conftest import in_days


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the layout, not the backends: app/requirements.py's tests cover those


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_a_purchase_order_prints_supplier_lines_and_total(plant: Context, tmp_path: Path) -> None:
    s.edit_supplier(plant.uow(), code="BASELL", name="LyondellBasell", address="Frankfurt am Main", tax_id="DE1")
    number = s.create_purchase_order(
        plant.uow(),
        supplier="BASELL",
        lines=[
            s.PurchaseItem("LDPE", "5000", "1.3450", in_days(10)),
            s.PurchaseItem("CORE-76", "400", "0.85", in_days(12)),
        ],
        note="Deliver to gate 2",
    )
    s.send_purchase_order(plant.uow(), number=number)
    out = tmp_path / "po.pdf"
    assert purchase_order.write(reporting.purchase_order_document(plant, number), str(out)) == 1
    text = text_of(out)
    for expected in (
        "Purchase order",
        number,
        "LyondellBasell",
        "Frankfurt am Main",
        "Tax id: DE1",
        "5,000.000 kg",
        "1.3450",
        "6,725.00 EUR",
        "400 pcs",
        "340.00 EUR",
        "Total: 2 lines",
        "7,065.00 EUR",
        "Note: Deliver to gate 2",
    ):
        assert expected in text, expected
    with pytest.raises(NotFound, match="no purchase order"):
        reporting.purchase_order_document(plant, "PUR-1999-00001")


def test_the_requirements_report_lists_shortages_first(plant: Context, tmp_path: Path) -> None:
    s.set_recipe(plant.uow(), product="PE-50", lines=[s.RecipeItem(1, "extrusion", "LDPE", "1.0", "0")])
    s.set_supplier_material(plant.uow(), supplier="BASELL", material="LDPE", price_per_unit="1.2", minimum_order=500)
    s.create_order(plant.uow(), number="NEED-1", customer="C-001", product="PE-50", quantity=800, due_date=in_days(4))
    out = tmp_path / "mrp.pdf"
    assert documents.requirements(reporting.requirements_report(plant), str(out)) >= 1
    text = text_of(out)
    assert "Material requirements" in text and "Short — 1 material" in text
    assert "800.000 kg" in text and "1,800.000 kg" in text and "NEED-1" in text  # 800 short, and 1,000 to reorder
    assert "BASELL" in text
