"""Terminal output as plain words, for assertions that must not depend on the terminal's width.

Rich wraps long lines and draws boxes around errors (``│ ... │``) at the width it finds (``COLUMNS=40`` in CI's
second run): :func:`flat` drops the box-drawing characters and joins all whitespace, so a message wrapped over
several box lines reads as the one sentence it is.
"""

from __future__ import annotations

import re

_BOX = re.compile(r"[\u2500-\u257f]")  # the Unicode box-drawing block: │ ─ ╭ ╮ ╰ ╯ ┃ ━ ┏ ...


def flat(text: str) -> str:
    return " ".join(_BOX.sub(" ", str(text)).split())
