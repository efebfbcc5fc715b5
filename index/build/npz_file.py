"""The search's small model files (``.npz``: the query adapter, the query tower): written so that the same
arrays give the same bytes and an interrupted write leaves the old file whole; read with one kind of error
for whatever is wrong with the file."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``arrays`` as an ``.npz`` archive (``np.load`` reads it) at ``path``: no timestamps in the archive (a
    retrain that gives the same arrays writes the same file), written beside the target and moved over it."""
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as fh:
                np.lib.format.write_array(fh, array, allow_pickle=False)
    os.replace(partial, path)


class NpzError(ValueError):
    """The file is not a readable ``.npz`` archive (the message says why)."""


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, by name; :class:`NpzError` for a file that is missing,
    damaged or not such an archive (a plain ``.npy`` array included)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise NpzError("not an .npz archive")
            return {name: data[name] for name in data.files}
    except NpzError:
        raise
    except (OSError, EOFError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise NpzError(str(exc)) from exc
