"""User-facing messages in Indonesian (the default) and English.

Every new message goes through :func:`_` with both texts, so that one catalogue can collect them later::

    _("import.unmatched", id="{n} baris belum cocok", en="{n} rows not matched", n=3)

The language is ``id`` unless :func:`set_language` chose another, or the environment variable
``OUTREACH_LANG`` says ``en``.
"""

from __future__ import annotations

import os

LANGUAGES = ("id", "en")
_chosen: str | None = None
#: Every key used so far with its texts (for the later catalogue and for tests).
SEEN: dict[str, dict[str, str]] = {}


def set_language(lang: str | None) -> None:
    """Choose the language of the messages (``id`` or ``en``); None: back to ``OUTREACH_LANG`` / ``id``."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _chosen = lang


def language() -> str:
    """The language in use: :func:`set_language`'s, else ``OUTREACH_LANG`` when it is ``id`` or ``en``, else ``id``."""
    if _chosen:
        return _chosen
    env = os.environ.get("OUTREACH_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else "id"


def _(key: str, *, id: str, en: str, **values: object) -> str:  # noqa: A002 - the language code
    """The message ``key`` in the current language, formatted with ``values`` (``str.format``)."""
    SEEN.setdefault(key, {"id": id, "en": en})
    text = en if language() == "en" else id
    return text.format(**values) if values else text
