"""How a quantity is written (domain/quantities.py), also when the database wrote the message."""

from __future__ import annotations

from decimal import Decimal

from domain.quantities import rewritten, written


def test_written_to_the_units_decimals() -> None:
    assert written(Decimal("1250.5"), "kg") == "1,250.500 kg"
    assert written(Decimal("12.5"), "m") == "12.50 m"
    assert written(Decimal("40"), "pcs") == "40 pcs"


def test_a_message_from_the_database_reads_as_the_clients_own() -> None:
    said = "Batch B-1 has only 1000 kg in MAG-1; 1001.5 kg cannot be taken."
    assert rewritten(said) == "Batch B-1 has only 1,000.000 kg in MAG-1; 1,001.500 kg cannot be taken."
    assert rewritten("Batch MAG-2 kg of R-2611 m") == "Batch MAG-2 kg of R-2611 m"  # codes are not quantities
