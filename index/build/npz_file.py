"""Writing the package's small model files (``.npz``: the query adapter, the query tower) so that the same
arrays give the same bytes, and an interrupted write leaves the old file whole."""

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
