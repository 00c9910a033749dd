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
    return "".join(c if c.isprintable() or c in "\n\t" else
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
                   for c in text)


def path_name(path) -> str:
    """A file name as a person can read it: bytes that are not UTF-8 as \\xNN escapes."""
    return printable(os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace"))
