"""On-disk cache of travel matrices, keyed by everything that determines them.

A matrix is stored as one ``.npz`` file named by a SHA-256 key over the inputs (the
network file's content hash, the profile and its speeds, the stop coordinates rounded
to 1e-6 degrees and the model version). Files are written to a temporary name and
moved into place with ``os.replace``, so a reader never sees half a file and two
processes writing the same key both leave a complete one. A file that cannot be read
is treated as missing; a folder that cannot be written is skipped (the cache is an
optimisation, never a requirement).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

#: Coordinates are rounded to this many decimals of a degree (about 0.1 m) in keys.
COORD_DECIMALS = 6

_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's content (memoised per path, size and modification time)."""
    p = Path(path).resolve()
    st = p.stat()
    memo = (str(p), st.st_size, st.st_mtime_ns)
    if memo not in _FILE_HASHES:
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _FILE_HASHES[memo] = h.hexdigest()
    return _FILE_HASHES[memo]


def rounded_points(points) -> np.ndarray:
    """Points as an (n, 2) int64 array of micro-degrees (lon, lat): the key's view of them."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.rint(pts * 10**COORD_DECIMALS).astype(np.int64)


def matrix_key(params: dict, points_micro: np.ndarray) -> str:
    """The cache key: SHA-256 over the JSON of ``params`` and the rounded points."""
    h = hashlib.sha256()
    h.update(json.dumps(params, sort_keys=True, separators=(",", ":")).encode())
    h.update(np.ascontiguousarray(points_micro, dtype="<i8").tobytes())
    return h.hexdigest()


class MatrixCache:
    """A folder of ``<key>.npz`` files; ``folder=None`` disables the cache.

    Parameters
    ----------
    folder
        Where the files live, e.g. ``<workspace>/.cache/travel``. Created on first write.
    """

    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder is not None else None
        #: Counters, for tests and benchmarks.
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        """The arrays stored under ``key``, or None."""
        if self.folder is None:
            return None
        path = self._file(key)
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
        except (OSError, ValueError, KeyError, EOFError):  # missing, truncated or foreign file
            self.misses += 1
            return None
        self.hits += 1
        return arrays

    def put(self, key: str, arrays: dict[str, np.ndarray]) -> Path | None:
        """Store ``arrays`` under ``key`` atomically; return the file, or None when not writable."""
        if self.folder is None:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    np.savez(fh, **arrays)
                os.replace(tmp, self._file(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return None
        return self._file(key)


__all__ = ["COORD_DECIMALS", "MatrixCache", "file_digest", "matrix_key", "rounded_points"]
