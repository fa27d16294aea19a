"""Write a command's output files as one set: staged in a hidden folder beside the destination, switched in at once.

``plan`` writes plan.json, schedule.csv/xlsx, map.html, route_sheets.pdf, sheets/, plan.gpkg and
outcomes_form.csv/xlsx (``replan``: changes.csv too). A reader, or a kill at any instant, must see either the
previous complete set or the new complete set, never a mix::

    with output_set(Path("out/2026-W49"), claim=PLAN_OUTPUTS) as s:
        write_plan_outputs(plan, ws, s.path)   # writers called with s.path write into the staging folder
        render_all(plan, ws, travel, s.path)

How it works, for a destination ``out/2026-W49``:

1. Under an exclusive lock on ``out/`` (``flock``; released by the kernel when the process dies), leftovers of
   crashed runs beside any destination in ``out/`` are recovered first: ``.<name>.tmp-<hex>`` folders are
   removed, and a ``.<name>.old-<hex>`` folder is put back as ``<name>`` when ``<name>`` is missing (a kill in
   the middle of a fallback switch, step 4) or removed otherwise.
2. Writers write into the new folder ``out/.2026-W49.tmp-<hex>/``. An error or a signal removes it and leaves
   the destination as it was.
3. Files of the destination that no writer of the set claims (a note someone put there, sheets of other
   weeks) are hard-linked (else copied) into the staging folder, so the switch keeps them. The per-file
   temporary files that earlier versions left behind (``.plan.json.<hex>.tmp``) are not carried over.
4. The switch: on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the staging folder and the destination in one
   step (the old set then sits at the staging name and is removed). Where that is not available, the
   destination is renamed to ``.2026-W49.old-<hex>`` and the staging folder to ``2026-W49``; a kill between the
   two renames is repaired by step 1 of the next run. A new destination is a single rename. SIGTERM, SIGINT
   and SIGHUP that arrive during steps 3-4 are held and handled right after.

A writer called with a folder that is not the staging folder of an open set opens its own set for the files
it claims, so ``write_plan_outputs(plan, ws, "somewhere")`` replaces its three files as a set and keeps the
rest. Two processes writing into the same parent folder wait for each other (the lock).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .._testhooks import pause
from ..errors import InputError
from ..i18n import _

#: Every file or folder name that ``plan`` or ``replan`` writes at the top of its output folder.
PLAN_OUTPUTS: tuple[str, ...] = ("plan.json", "schedule.csv", "schedule.xlsx", "map.html", "route_sheets.pdf",
                                 "plan.gpkg", "outcomes_form.csv", "outcomes_form.xlsx", "changes.csv")

#: Test hook: use the two-rename fallback even where RENAME_EXCHANGE works.
NO_EXCHANGE_ENV = "OUTREACH_TEST_NO_RENAME_EXCHANGE"

_STAGE = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-[0-9a-f]{12}$")
#: Per-file temporary files of earlier versions (and of the single-file helpers): never carried over.
_LEFTOVER = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp(\.[^.]+)?(-journal|-wal|-shm)?$")

Claim = str | Callable[[str], bool]


@dataclass
class OutputSet:
    """An open output set: write into ``path``; ``dest`` is where the files will be once switched in."""

    dest: Path
    path: Path
    claims: list[Claim] = field(default_factory=list)

    def claim(self, *claims: Claim) -> None:
        """Declare files this set replaces: names (a file, or a folder with everything in it) relative to the
        destination, or predicates on relative POSIX paths."""
        self.claims.extend(claims)

    def owns(self, rel: str) -> bool:
        """Whether the set replaces ``rel`` (a path relative to the destination) of the old folder."""
        for c in self.claims:
            if callable(c):
                if c(rel):
                    return True
            elif rel == c or rel.startswith(c.rstrip("/") + "/"):
                return True
        return False


#: staging folder -> its open set, so that writers called with it join that set.
_open: dict[Path, OutputSet] = {}


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def check_destination(dest: Path | str) -> None:
    """Raise :class:`InputError` when ``dest`` cannot become an output folder (it, or a parent, is a file)."""
    dest = Path(dest)
    if _key(dest) in _open:
        return
    p = _key(dest)
    from ..i18n import _

    for q in (p, *p.parents):
        if q.exists() and not q.is_dir():
            if q == p:
                raise InputError(_("out.is_file", id="folder keluaran {d} adalah berkas: pilih sebuah folder (tidak ada "
                                   "yang ditulis)", en="output folder {d} is a file: choose a folder (nothing was "
                                   "written)", d=dest))
            raise InputError(_("out.in_file", id="folder keluaran {d} ada di dalam {q}, yang berupa berkas: pilih sebuah "
                               "folder (tidak ada yang ditulis)", en="output folder {d} is inside {q}, which is a "
                               "file: choose a folder (nothing was written)", d=dest, q=q))
    existing = next(q for q in (p.parent, *p.parents) if q.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(_("out.no_write", id="folder keluaran {d}: tidak dapat menulis di {e} (tidak ada yang ditulis)",
                           en="output folder {d}: cannot write in {e} (nothing was written)", d=dest, e=existing))


@contextlib.contextmanager
def output_set(dest: Path | str, claim: Iterable[Claim] = ()) -> Iterator[OutputSet]:
    """Stage files for ``dest`` and switch them in as one set when the block ends without error.

    ``claim``: what the set replaces in an existing ``dest`` (see :meth:`OutputSet.claim`); everything else
    there is kept. Called with the staging folder of an open set, joins that set (adding ``claim``).
    """
    joined = _open.get(_key(Path(dest)))
    if joined is not None:
        joined.claim(*claim)
        yield joined
        return
    dest = Path(os.path.realpath(dest)) if Path(dest).is_symlink() else _key(Path(dest))
    check_destination(dest)
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(parent):
        recover(parent)
        stage = _new_name(parent, dest.name, "tmp")
        stage.mkdir()
        s = OutputSet(dest, stage, list(claim))
        _open[stage] = s
        try:
            yield s
            pause("staged")
            with _held_signals():
                if dest.is_dir():
                    _carry_over(dest, stage, s.owns)
                _fsync_tree(stage)
                _switch(stage, dest)
        finally:
            _open.pop(stage, None)
            _rmtree(stage)  # the unfinished set, or after an exchange the old one


def recover(parent: Path | str) -> list[str]:
    """Clean up after runs that died while writing into ``parent`` (see the module docstring, step 1).

    Returns what was done, one line per leftover. Call it with the folder's lock held (``output_set`` does).
    """
    parent = Path(parent)
    done: list[str] = []
    try:
        entries = sorted(parent.iterdir(), key=lambda p: p.name)
    except FileNotFoundError:
        return done
    for p in entries:
        m = _STAGE.match(p.name)
        if not m or not p.is_dir() or p.is_symlink():
            continue
        target = parent / m["name"]
        if m["kind"] == "old" and not target.exists():
            os.rename(p, target)
            done.append(_("out.restored", id="{t} dipulihkan dari {p}", en="restored {t} from {p}", t=target.name,
                          p=p.name))
        else:
            _rmtree(p)
            done.append(_("out.removed", id="{p} dihapus", en="removed {p}", p=p.name))
    if done:
        _fsync_dir(parent)
    return done


# --------------------------------------------------------------------------- steps
def _new_name(parent: Path, name: str, kind: str) -> Path:
    while True:
        p = parent / f".{name}.{kind}-{secrets.token_hex(6)}"
        if not p.exists():
            return p


def _carry_over(dest: Path, stage: Path, owns: Callable[[str], bool]) -> None:
    """Link every file of ``dest`` that the set does not own into ``stage`` (which holds the new files)."""
    for root, dirs, files in os.walk(dest):
        base = Path(root).relative_to(dest)
        keep = []
        for name in dirs + files:
            rel = (base / name).as_posix()
            src, dst = dest / rel, stage / rel
            if _LEFTOVER.match(name) or owns(rel) or os.path.lexists(dst) and not dst.is_dir():
                continue
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
            elif src.is_dir():
                dst.mkdir(exist_ok=True)
                keep.append(name)
            else:
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copy2(src, dst)
        dirs[:] = [d for d in dirs if d in keep]


def _switch(stage: Path, dest: Path) -> None:
    if not os.path.lexists(dest):
        os.rename(stage, dest)
    elif not os.environ.get(NO_EXCHANGE_ENV) and _exchange(stage, dest):
        pause("switching")
    else:
        old = _new_name(dest.parent, dest.name, "old")
        os.rename(dest, old)
        pause("switching")
        os.rename(stage, dest)
        _fsync_dir(dest.parent)
        _rmtree(old)
        return
    _fsync_dir(dest.parent)


_renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where unsupported."""
    global _renameat2
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2 is None:
        import ctypes

        try:
            fn = ctypes.CDLL(None, use_errno=True).renameat2
        except (AttributeError, OSError):
            _renameat2 = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        _renameat2 = fn
    if _renameat2 is False:
        return False
    import ctypes

    at_fdcwd, rename_exchange = -100, 2
    if _renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False  # this file system or kernel cannot exchange
    raise OSError(err, os.strerror(err), str(a), None, str(b))


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _held_signals() -> Iterator[None]:
    """Hold SIGTERM, SIGINT and SIGHUP until the block is done, then handle them as before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    sigs = [getattr(signal, n) for n in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, n)]
    before = {s: signal.signal(s, lambda signum, frame: got.append(signum)) for s in sigs}
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)
        for s in got:
            signal.raise_signal(s)  # now with the handler from before


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p):
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rmtree(path: Path) -> None:
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)


__all__ = ["PLAN_OUTPUTS", "OutputSet", "check_destination", "output_set", "recover"]
