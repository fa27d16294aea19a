"""The command line's usage errors (typer's / click's own: a missing argument, an unknown option, a bad value) in the
language of the messages.

Click writes these in English with f-strings (no gettext to hook): :func:`install` wraps typer's error printer so
that the message of a :class:`UsageError` is recognised by its English form, pattern by pattern (the types
MissingParameter, NoSuchOption, BadParameter, BadOptionUsage, BadArgumentUsage and the group's "no such command"),
and said again through the catalogue (:func:`outreach_planner.i18n._`). A message no pattern knows stays as click
wrote it. The ``Usage:`` line of the error and of ``--help`` gets the same treatment.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .i18n import _, argv_language, language, set_language


def _value_text(text: str) -> str:
    """The reason a value was refused (the part after ``Invalid value for '--x':``)."""
    text = re.sub(r"^Value error, ", "", text.strip())
    if m := re.fullmatch(r"(?P<v>'.*') is not one of (?P<c>.+?)\.?", text):
        return _("usage.not_one_of", id="{v} bukan salah satu dari {c}.", en="{v} is not one of {c}.", v=m["v"],
                 c=m["c"].replace(", ", ", "))
    if re.match(r"Input should be a valid integer", text) or re.fullmatch(r".* is not a valid integer\.?", text):
        return _("usage.not_int", id="harus bilangan bulat.", en="must be a whole number.")
    if re.match(r"Input should be a valid number", text) or re.fullmatch(r".* is not a valid float\.?", text):
        return _("usage.not_number", id="harus angka.", en="must be a number.")
    if m := re.fullmatch(r"Input should be (?P<rel>greater|less) than(?P<eq> or equal to)? (?P<n>\S+?)\.?", text):
        n = m["n"].replace(".", ",")  # a bound of a float option in the Indonesian way (0,5)
        if m["rel"] == "greater":
            return (_("usage.at_least", id="paling sedikit {n}.", en="must be at least {n}.", n=n) if m["eq"] else
                    _("usage.more_than", id="harus lebih dari {n}.", en="must be more than {n}.", n=n))
        return (_("usage.at_most", id="paling banyak {n}.", en="must be at most {n}.", n=n) if m["eq"] else
                _("usage.less_than", id="harus kurang dari {n}.", en="must be less than {n}.", n=n))
    if m := re.fullmatch(r"(?P<what>Path|File|Directory) (?P<p>'.*') does not exist\.?", text):
        return _("usage.no_path", id="{p} tidak ada.", en="{p} does not exist.", p=m["p"])
    if m := re.fullmatch(r"(?P<what>Path|File) (?P<p>'.*') is a directory\.?", text):
        return _("usage.is_dir", id="{p} adalah folder, bukan berkas.", en="{p} is a folder, not a file.", p=m["p"])
    if m := re.fullmatch(r"Directory (?P<p>'.*') is a file\.?", text):
        return _("usage.is_file", id="{p} adalah berkas, bukan folder.", en="{p} is a file, not a folder.", p=m["p"])
    return text


#: (English pattern of click's message, its text in the language in use)
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Missing argument (?P<p>.+?)\.(?: (?P<rest>.+))?"),
     lambda m: _("usage.missing_argument", id="Argumen {p} belum diberikan.", en="Missing argument {p}.", p=m["p"])
     + (" " + m["rest"] if m["rest"] else "")),
    (re.compile(r"Missing option (?P<p>.+?)\.(?: (?P<rest>.+))?"),
     lambda m: _("usage.missing_option", id="Opsi {p} wajib diberikan.", en="Missing option {p}.", p=m["p"])
     + (" " + m["rest"] if m["rest"] else "")),
    (re.compile(r"Missing parameter:? (?P<p>.+?)\.?"),
     lambda m: _("usage.missing_parameter", id="Parameter {p} belum diberikan.", en="Missing parameter {p}.",
                 p=m["p"])),
    (re.compile(r"No such option: (?P<o>\S+?)(?: \(Possible options: (?P<poss>.+)\))?(?: Did you mean (?P<s>.+)\?)?"),
     lambda m: _("usage.no_such_option", id="Opsi {o} tidak ada.", en="No such option: {o}", o=m["o"])
     + (" " + _("usage.possible", id="(Opsi yang mungkin: {poss})", en="(Possible options: {poss})",
                poss=m["poss"] or m["s"]) if m["poss"] or m["s"] else "")),
    (re.compile(r"Invalid value for (?P<p>.+?): (?P<why>.+)", re.S),
     lambda m: _("usage.invalid_value", id="Nilai tidak sah untuk {p}: {why}", en="Invalid value for {p}: {why}",
                 p=m["p"], why=_value_text(m["why"]))),
    (re.compile(r"Invalid value: (?P<why>.+)", re.S),
     lambda m: _("usage.invalid", id="Nilai tidak sah: {why}", en="Invalid value: {why}", why=_value_text(m["why"]))),
    (re.compile(r"Option (?P<o>'.+?') requires an argument\."),
     lambda m: _("usage.needs_value", id="Opsi {o} memerlukan nilai.", en="Option {o} requires an argument.",
                 o=m["o"])),
    (re.compile(r"Option (?P<o>'.+?') requires (?P<n>\d+) arguments\."),
     lambda m: _("usage.needs_values", id="Opsi {o} memerlukan {n} nilai.", en="Option {o} requires {n} arguments.",
                 o=m["o"], n=m["n"])),
    (re.compile(r"Option (?P<o>'.+?') does not take a value\."),
     lambda m: _("usage.no_value", id="Opsi {o} tidak menerima nilai.", en="Option {o} does not take a value.",
                 o=m["o"])),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<a>.+)\)"),
     lambda m: _("usage.extra", id="Argumen tambahan yang tidak dikenal: {a}", en="Got unexpected extra argument(s): "
                 "{a}", a=m["a"])),
    (re.compile(r"No such command (?P<c>'.+?')\.(?: Did you mean (?P<s>.+)\?)?"),
     lambda m: _("usage.no_such_command", id="Perintah {c} tidak ada.", en="No such command {c}.", c=m["c"])
     + (" " + _("usage.did_you_mean", id="Maksudnya {s}?", en="Did you mean {s}?", s=m["s"]) if m["s"] else "")),
    (re.compile(r"Missing command\."),
     lambda m: _("usage.missing_command", id="Perintah belum diberikan.", en="Missing command.")),
]


def usage_message(english: str) -> str:
    """Click's English usage message in the language in use (unchanged when no pattern knows it)."""
    text = english.strip()
    for pattern, say in _RULES:
        if m := pattern.fullmatch(text):
            return say(m)
    return english


def usage_prefix() -> str:
    """The ``Usage:`` word of a usage line."""
    return _("usage.usage", id="Penggunaan: ", en="Usage: ")


def _command_line_language(ctx) -> str | None:
    """``--lang`` of the command line the failed context parsed (each context keeps the arguments it had left)."""
    args: list[str] = []
    while ctx is not None:
        args = [*getattr(ctx, "_protected_args", []), *getattr(ctx, "protected_args", []), *ctx.args, *args]
        ctx = ctx.parent
    return argv_language(args)


def install() -> None:
    """Wrap typer's printer of click errors and the usage line's prefix (idempotent)."""
    import typer.rich_utils as ru

    try:
        from typer._click import formatting
        from typer._click.exceptions import UsageError
    except ImportError:  # pragma: no cover - a typer without its vendored click
        from click import formatting
        from click.exceptions import UsageError
    if getattr(ru.rich_format_error, "_outreach", False):
        return
    shown = ru.rich_format_error

    def rich_format_error(exc) -> None:
        if not isinstance(exc, UsageError) or exc.__class__.__name__ == "NoArgsIsHelpError":
            return shown(exc)
        from . import i18n

        # `--lang en plan --x` (the group's context kept it) or `plan --lang en --x` (only the command line has it)
        lang = _command_line_language(getattr(exc, "ctx", None)) or argv_language()
        chosen, titles = i18n._chosen, (ru.ERRORS_PANEL_TITLE, ru.RICH_HELP)
        if lang:
            set_language(lang)
        try:
            text = usage_message(exc.format_message())
            exc.format_message = lambda: text  # this one exception, as said in the language in use
            ru.ERRORS_PANEL_TITLE = _("cli.panel_error", id="Galat", en="Error")  # the same texts as cli.py's
            ru.RICH_HELP = _("cli.panel_try", id="Coba [blue]'{command_path} {help_option}'[/] untuk bantuan.",
                             en="Try [blue]'{command_path} {help_option}'[/] for help.")
            return shown(exc)
        finally:
            i18n._chosen = chosen
            ru.ERRORS_PANEL_TITLE, ru.RICH_HELP = titles

    rich_format_error._outreach = True  # type: ignore[attr-defined]
    ru.rich_format_error = rich_format_error
    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_translated(self, prog, args="", prefix=None):
        if args and language() == "id":  # click's metavars of the usage line
            args = args.replace("[OPTIONS]", "[OPSI]").replace("COMMAND [ARGS]...", "PERINTAH [ARGUMEN]...")
        return write_usage(self, prog, args, usage_prefix() if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage_translated
    _help_types_in_language()


#: typer's type column of --help (``<bool>``, ``<path>``, ...) in Indonesian; None: no type shown (a flag)
_TYPES_ID = {"<bool>": None, "<path>": "<jalur>", "<file>": "<berkas>", "<str>": "<teks>", "<text>": "<teks>",
             "<int>": "<bilangan>", "<int range>": "<bilangan>", "<integer>": "<bilangan>", "<float>": "<angka>",
             "<float range>": "<angka>"}


def _help_types_in_language() -> None:
    """The type column and the float defaults (``[bawaan: 30.0]``) of ``--help`` in the language in use."""
    try:
        from typer import core
    except ImportError:  # pragma: no cover
        return
    for cls in (core.TyperOption, core.TyperArgument):
        shown_type, shown_default = cls.display_type_rich, cls._get_default_string
        if getattr(shown_type, "_outreach", False):
            continue

        def display_type_rich(self, ctx, _shown=shown_type):
            label = _shown(self, ctx)
            return _TYPES_ID.get(label, label) if language() == "id" and label is not None else label

        def get_default_string(self, *, _shown=shown_default, **kw):
            text = _shown(self, **kw)
            if language() == "id" and isinstance(text, str) and re.fullmatch(r"-?\d+\.\d+", text):
                text = text[:-2] if text.endswith(".0") else text.replace(".", ",")  # 30.0 -> 30, 0.5 -> 0,5
            return text

        display_type_rich._outreach = True  # type: ignore[attr-defined]
        cls.display_type_rich, cls._get_default_string = display_type_rich, get_default_string


__all__ = ["install", "usage_message", "usage_prefix"]
