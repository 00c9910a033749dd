"""Text that is safe to show and to write as UTF-8, whatever a submission put in it."""

from __future__ import annotations

import os


def printable(text) -> str:
    """``text`` with lone surrogates and control or format characters written as escapes.

    Newlines and tabs stay. ``"a\\udce9\\x1b[31m"`` becomes ``a\\udce9\\x1b[31m`` spelled out, so
    it can be written to a UTF-8 file or a terminal and read by a person.
    """
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    if text.isprintable():
        return text
    return "".join(
        c
        if c.isprintable() or c in "\n\t"
        else (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        for c in text
    )


def path_name(path) -> str:
    """A file name as a person can read it: bytes that are not UTF-8 as \\xNN escapes."""
    return printable(os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace"))


def bounded(text, limit: int = 2000) -> str:
    """``text`` cut to at most ``limit`` characters, the cut said at its end.

    ``"x" * 5_000_000`` becomes 1,965 x's then `` … [cut: 4,998,035 more characters]``, 2,000
    characters in all, so that a submission's text cannot make a gradebook cell or a feedback
    file as large as it likes. Cutting a text already cut changes nothing (for a ``limit`` of 50
    or more: below that the note alone is longer).
    """
    text = str(text)
    if len(text) <= limit:
        return text
    note = f" … [cut: {len(text):,} more characters]"  # an upper bound of the width of the real count
    kept = max(limit - len(note), 0)
    return text[:kept] + f" … [cut: {len(text) - kept:,} more characters]"
