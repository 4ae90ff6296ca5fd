"""A realistic polymer-film plant for demonstrations, training and benchmarks.

Everything is drawn from a fixed seed, so two demo databases are alike. Master data and orders
go through the same services people use; the stock history is simulated movement by movement
and written in bulk, balances being the ledger's sums and each movement having its journal entry.
"""

from app.demo.load import Summary, load_demo
from app.demo.tables import DEMO_PASSWORD, DEMO_USERS

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "Summary", "load_demo"]
