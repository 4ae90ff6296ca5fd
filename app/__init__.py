"""Use cases of MPSYSTEM Desktop: services, queries, security, configuration and the CLI.

Nothing in this package imports Qt or reportlab; `app.cli` is the one place that
starts the window or the report writers, and it does so lazily.
"""

__version__ = "0.1.0"
