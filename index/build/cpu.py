"""What the CPU offers the embedding engines, read once from Linux's flag list.

Why a module of its own: the torch engine asks it whether to multiply in bfloat16 (:func:`use_cpu_bf16`),
and ``index build`` asks it whether to point an admin at the faster engine (:func:`faster_engine_hint`):
two questions with different answers on a CPU with AVX-512 bfloat16 but no AMX.
"""

from __future__ import annotations

import functools
from pathlib import Path

CPU_FLAGS = Path("/proc/cpuinfo")


#: CPU flags (Linux ``/proc/cpuinfo``) of bfloat16 matrix arithmetic in hardware: Intel's AMX tiles, and the
#: AVX-512 bfloat16 dot products of AMD Zen 4/5 and Intel Cooper Lake and later.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@functools.cache
def cpu_has_amx_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices on Intel AMX tiles (``amx_bf16``).

    Why it matters: there, PyTorch's bfloat16 autocast embeds e5-small's passages on 2 cores at 2.8x the
    rate of float32 on 700-character passages, about 1.8x that of the int8 ONNX engine on the archive's
    own, with vectors within cosine 0.99999 of float32 ones (bench/PERFORMANCE.md, "Stop 48"): the one CPU
    where torch beats the default engine. Linux's flag list is read once (none: False).
    """
    return amx_in(CPU_FLAGS)


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU has bfloat16 arithmetic in hardware (:data:`BF16_FLAGS`), AMX or not.

    Why apart from AMX: with AVX-512 bfloat16 alone (an AMD EPYC of the Zen 5 generation, stop 55) the
    autocast still doubles torch's rate (8.5 → 17.8 passages a second on 2 cores, cosine 0.99999 to
    float32), though the int8 ONNX engine, at 32.5, stays the faster one there. Without either, bfloat16 is
    emulated and slower than float32. Read once (none: False).
    """
    return native_bf16_in(CPU_FLAGS)


def cpu_flags(cpuinfo: Path) -> set[str]:
    """The flags a ``/proc/cpuinfo``-style file lists (its first ``flags`` line; none when unreadable)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[-1].split())
    except OSError:
        return set()
    return set()


def amx_in(cpuinfo: Path) -> bool:
    """Whether a ``/proc/cpuinfo``-style file lists ``amx_bf16`` among its flags."""
    return "amx_bf16" in cpu_flags(cpuinfo)


def native_bf16_in(cpuinfo: Path) -> bool:
    """Whether a ``/proc/cpuinfo``-style file lists one of :data:`BF16_FLAGS`."""
    return bool(cpu_flags(cpuinfo) & set(BF16_FLAGS))


def use_cpu_bf16(setting: str, device: str) -> bool:
    """bfloat16 autocast for torch on the CPU: ``on``/``off`` as set, ``auto`` where the CPU has bfloat16
    arithmetic in hardware (:func:`cpu_has_native_bf16`)."""
    if not device.startswith("cpu") or setting == "off":
        return False
    return setting == "on" or cpu_has_native_bf16()


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
