"""The planner's desk: a local web app (``outreach-planner serve``) over the same functions as the CLI.

:func:`create_app` builds the FastAPI app for a :class:`DeskConfig`; pages are Jinja2 templates in
``templates/``, texts in :mod:`.strings`, long solves in a worker process (:mod:`.jobs`), login/CSRF/upload
checks in :mod:`.security`.
"""

from .app import DeskConfig, create_app

__all__ = ["DeskConfig", "create_app"]
