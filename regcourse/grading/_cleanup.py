"""Removing a folder whatever a submission left in it.

``shutil.rmtree`` recurses once per level (a tree 1,500 levels deep raises RecursionError) and
gives up on a folder its owner cannot read. ``remove_tree`` walks the tree with a loop instead:
it holds the file descriptor of the folder it is emptying and a stack of names (never one open
descriptor per level, never a path longer than one name), goes back up through ``..``, never
follows a symbolic link, and gives its owner read, write and search permission on a folder
before it enters it. It never raises: it returns False when something could not be removed.
"""

from __future__ import annotations

import os
import stat

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OWNER_ALL = stat.S_IRWXU


def _lstat(name: str, folder: int):
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _let_owner_in(name: str, folder: int) -> None:
    """chmod u+rwx the folder ``name`` without following a link put in its place."""
    handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    try:
        mode = os.fstat(handle).st_mode
        os.chmod(f"/proc/self/fd/{handle}", stat.S_IMODE(mode) | _OWNER_ALL)
    finally:
        os.close(handle)


def _enter(name: str, folder: int, info) -> int | None:
    """A descriptor of the sub-folder ``name`` of ``folder`` (owner permissions fixed first), or None."""
    if stat.S_IMODE(info.st_mode) & _OWNER_ALL != _OWNER_ALL:
        try:
            _let_owner_in(name, folder)
        except OSError:
            pass  # someone else's folder: try anyway
    try:
        return os.open(name, _DIRECTORY, dir_fd=folder)
    except OSError:
        return None


def _remove_entry(name: str, folder: int, info) -> bool:
    """Remove a non-folder entry, or an empty folder."""
    try:
        if stat.S_ISDIR(info.st_mode):
            os.rmdir(name, dir_fd=folder)
        else:
            os.unlink(name, dir_fd=folder)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _listing(folder: int, skipped: set) -> list[str]:
    try:
        return [name for name in os.listdir(folder) if name not in skipped]
    except OSError:
        return []


def _remove_folder(top: str, parent: int) -> bool:
    """Empty and remove the folder ``top`` inside ``parent`` (a descriptor), level by level."""
    info = _lstat(top, parent)
    if info is None:
        return True
    if not stat.S_ISDIR(info.st_mode):
        return _remove_entry(top, parent, info)
    current = _enter(top, parent, info)
    if current is None:
        return _remove_entry(top, parent, info)
    complete = True
    # The level being emptied: the names still to remove, those that could not be, and whether
    # the folder was listed a second time (for anything the first listing did not show). For
    # each level above it, the same and the name of the folder entered from there.
    todo, skipped, relisted = _listing(current, set()), set(), False
    stack: list[tuple[str, list[str], set, bool]] = []
    try:
        while True:
            if not todo and not relisted:
                todo, relisted = _listing(current, skipped), True
            if todo:
                name = todo.pop()
                info = _lstat(name, current)
                if info is None:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    inner = _enter(name, current, info)
                    if inner is not None:
                        stack.append((name, todo, skipped, relisted))
                        os.close(current)
                        current = inner
                        todo, skipped, relisted = _listing(inner, set()), set(), False
                        continue
                if not _remove_entry(name, current, info):
                    skipped.add(name)
                    complete = False
                continue
            if not stack:  # the top folder is as empty as it gets
                break
            up = os.open("..", _DIRECTORY, dir_fd=current)  # back to the level above
            os.close(current)
            current = up
            name, todo, skipped, relisted = stack.pop()
            info = _lstat(name, current)
            if info is not None and not _remove_entry(name, current, info):
                skipped.add(name)
                complete = False
    finally:
        os.close(current)
    info = _lstat(top, parent)
    return (info is None or _remove_entry(top, parent, info)) and complete


def remove_tree(path) -> bool:
    """Remove ``path`` and everything under it; True when nothing is left. Never raises.

    A symbolic link (at ``path`` or anywhere inside) is removed, never followed. Works at any
    depth and for any names (bytes that are not UTF-8, newlines).
    """
    try:
        path = os.path.abspath(os.fspath(path))
        parent, name = os.path.split(path)
        if not name:
            return False  # "/" is nobody's run folder
        try:
            parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            return True
        try:
            return _remove_folder(name, parent_fd)
        finally:
            os.close(parent_fd)
    except Exception:  # whatever happens, the caller goes on (and the next run tries again)
        return False
