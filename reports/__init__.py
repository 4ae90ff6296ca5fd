"""Labels and reports (PDF and ZPL) from DTO rows given by `app` queries.

The only package that imports reportlab; it never opens a database session.
"""
