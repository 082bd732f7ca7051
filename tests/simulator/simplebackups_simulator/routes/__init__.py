"""Flask blueprints: one module per area of the API, plus the test hooks."""

from __future__ import annotations

from flask import Flask

from . import backups, control, servers, setup, stats, storage, teams


def register(app: Flask) -> None:
    """Mount the API under /api and the test hooks under /_sim."""
    for module in (backups, servers, storage, stats, teams, setup):
        app.register_blueprint(module.bp, url_prefix="/api")
    app.register_blueprint(control.bp, url_prefix="/_sim")
