"""User-facing messages in Indonesian (the default) and English.

The catalogue is the source itself: every message goes through :func:`_` with both texts side by side at the
call site (no .po file, no compile step)::

    _("import.unmatched", id="{n} baris belum cocok", en="{n} rows not matched", n=3)

``tests/test_catalogue.py`` walks the package with ``ast`` and fails when a key lacks either text, the two texts
of a key have different ``{placeholders}``, or one key has two different texts; it also checks the per-language
dicts of :mod:`outreach_planner.web.strings` and :mod:`outreach_planner.render.strings` (every key in both) and
looks for English left in the CLI's prints, ``help=`` texts and raised errors outside :func:`_`.

The language is ``id`` unless :func:`set_language` chose another, or the environment variable
``OUTREACH_LANG`` says ``en``.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

LANGUAGES = ("id", "en")
_chosen: str | None = None
#: The language of one request of the desk (its English switch), ahead of :func:`set_language`'s: a context
#: variable, so two browsers in two languages do not mix (``None``: not in a request).
REQUEST_LANGUAGE: ContextVar[str | None] = ContextVar("outreach_request_language", default=None)
#: Every key used so far with its texts (for the later catalogue and for tests).
SEEN: dict[str, dict[str, str]] = {}


def set_language(lang: str | None) -> None:
    """Choose the language of the messages (``id`` or ``en``); None: back to ``OUTREACH_LANG`` / ``id``."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _chosen = lang


def language() -> str:
    """The language in use: the desk request's, else :func:`set_language`'s, else ``OUTREACH_LANG`` when it is ``id`` or ``en``, else ``id``."""
    if REQUEST_LANGUAGE.get() in LANGUAGES:
        return REQUEST_LANGUAGE.get()
    if _chosen:
        return _chosen
    env = os.environ.get("OUTREACH_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else "id"


class Message(str):
    """A message's text (a ``str``) that also knows its catalogue ``key`` and the ``values`` it was formatted with.

    A caller that shows a message its own way (the desk's forms) recognises it by ``key`` instead of by its text,
    which depends on the language."""

    key: str = ""
    values: dict = {}

    def __new__(cls, text: str, key: str = "", values: dict | None = None):
        self = super().__new__(cls, text)
        self.key, self.values = key, dict(values or {})
        return self

    def __reduce__(self):  # pickles (to a worker process) with its key
        return (Message, (str(self), self.key, self.values))


def _(key: str, *, id: str, en: str, **values: object) -> Message:  # noqa: A002 - the language code
    """The message ``key`` in the current language, formatted with ``values`` (``str.format``)."""
    SEEN.setdefault(key, {"id": id, "en": en})
    text = en if language() == "en" else id
    return Message(text.format(**values) if values else text, key, values)


def argv_language(argv: list[str] | None = None) -> str | None:
    """The language a command line asks for with ``--lang en`` / ``--lang=en`` (None when it does not).

    Typer builds ``--help`` from texts made when :mod:`outreach_planner.cli` is imported, before any option is
    parsed: the CLI reads ``--lang`` from ``sys.argv`` at import with this (then ``OUTREACH_LANG``, then ``id``).
    """
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    for i, a in enumerate(args):
        if a == "--":
            break
        value = args[i + 1] if a == "--lang" and i + 1 < len(args) else a[7:] if a.startswith("--lang=") else None
        if value is not None and value.strip().lower() in LANGUAGES:
            return value.strip().lower()
    return None


# --------------------------------------------------------------------------- numbers a person reads
#: Indonesian writes 58.412 and 90,01 % where English writes 58,412 and 90.01 %: a swap of the two marks.
_ID_MARKS = str.maketrans({",": ".", ".": ","})


def fmt_num(x: float, digits: int = 0, lang: str | None = None) -> str:
    """``x`` with thousands grouping and ``digits`` decimals in ``lang`` (default :func:`language`):
    ``4.958,9`` in Indonesian, ``4,958.9`` in English. For texts a person reads only: files meant for machines
    (CSV, JSON) and xlsx cells keep plain numbers."""
    text = f"{x:,.{digits}f}"
    return text.translate(_ID_MARKS) if (lang or language()) == "id" else text


def fmt_int(n: float, lang: str | None = None) -> str:
    """A whole number with thousands grouping: ``58.412`` (id), ``58,412`` (en)."""
    return fmt_num(n, 0, lang)


def fmt_dec(x: float, digits: int = 1, lang: str | None = None) -> str:
    """A decimal number: ``345,7`` (id), ``345.7`` (en); grouped above a thousand."""
    return fmt_num(x, digits, lang)


def fmt_pct(fraction: float, digits: int = 2, lang: str | None = None) -> str:
    """A share (0..1) as a percentage: ``90,01%`` (id), ``90.01%`` (en)."""
    return fmt_num(100 * fraction, digits, lang) + "%"
