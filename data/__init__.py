"""Persistence: SQLAlchemy models, engines, repositories and the unit of work."""
