"""The Qt client: windows, dialogs, table models and the worker that runs database work off the GUI thread.

The only package that imports PySide6. It calls `app` services and queries and
receives frozen DTOs; it never touches `data` directly.
"""
