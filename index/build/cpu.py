"""What the CPU offers the embedding engines, read once from Linux's flag list.

Why a module of its own: the torch engine asks it whether to multiply in bfloat16 (:func:`use_cpu_bf16`),
and ``index build`` asks it whether to point an admin at the faster engine (:func:`faster_engine_hint`).
"""

from __future__ import annotations

import functools
from pathlib import Path

CPU_FLAGS = Path("/proc/cpuinfo")


@functools.cache
def cpu_has_amx_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (Intel AMX, ``amx_bf16``).

    Why it matters: on such a CPU, PyTorch's bfloat16 autocast runs e5-small's matrix products on the
    AMX tiles: on 2 cores 2.8x the passages a second of float32 on 700-character passages, and about 1.8x
    those of the int8 ONNX engine on the archive's own, with vectors within cosine 0.99999 of float32
    ones (bench/PERFORMANCE.md, "Stop 48"); without AMX, bfloat16 is emulated and slower than float32.
    Linux's flag list is read once (none: False).
    """
    return amx_in(CPU_FLAGS)


def amx_in(cpuinfo: Path) -> bool:
    """Whether a ``/proc/cpuinfo``-style file lists ``amx_bf16`` among its flags."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        return False
    return False


def use_cpu_bf16(setting: str, device: str) -> bool:
    """bfloat16 autocast for torch on the CPU: ``on``/``off`` as set, ``auto`` when the CPU has AMX."""
    if not device.startswith("cpu") or setting == "off":
        return False
    return setting == "on" or cpu_has_amx_bf16()


def faster_engine_hint(backend: str, device: str) -> str | None:
    """A line for the admin when passages are about to be embedded by the int8 ONNX engine on a CPU where
    torch in bfloat16 is faster (AMX): the setting to change and why; None otherwise."""
    if backend != "onnx-int8" or not device.startswith("cpu") or not cpu_has_amx_bf16():
        return None
    return (
        "this CPU multiplies bfloat16 in hardware (AMX): EMBEDDING_BACKEND=torch embeds passages about "
        "2x faster here than the default onnx-int8, with float vectors (a change of engine re-embeds "
        "everything once)"
    )
