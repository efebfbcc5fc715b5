"""Full-build speed against the yardstick, side by side in one run (issue 19's bar).

    python bench/build_speed.py --only bench/lists/slice10k-dev.txt --data-dir /tmp/b10k [--json]

1. A plain sentence-transformers fp32 pipeline (bench/plain_pipeline.py: ~700-character chunks, batch 32)
   embeds ``--plain`` releases drawn at random (seed 200) from the list: its releases per second.
2. ``thaigov-qa index build ARCHIVE --only LIST --json`` into an empty ``--data-dir`` with the README's
   defaults (the ONNX export is made there too: it counts): releases per second, and the build's own
   per-phase wall and CPU seconds.
3. The same build again: it must embed nothing.

Prints one JSON object: both rates, their ratio (the bar: ≥ 3.5, what ≤ 2 h for the whole archive on 2
idle cores needs), the load average at the start and the end, and the second run's ``embedded``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _build(data_dir: Path, only: str) -> tuple[dict[str, object], float]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "EMBEDDING_MODEL": str(c.SHARED_MODEL),
        "HF_HUB_OFFLINE": "1",
    }
    for name in ("EMBEDDING_BACKEND", "EXPORT_CACHE_DIR", "DENSE_PASSAGES", "EMBEDDING_BATCH_SIZE"):
        env.pop(name, None)  # the README's defaults
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "thaigov_app", "index", "build", str(c.ARCHIVE), "--only", only, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=c.REPO,
    )
    return c.last_json(run.stdout), time.monotonic() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--only", required=True, help="list file of archive paths (e.g. bench/lists/slice10k-dev.txt)"
    )
    ap.add_argument("--data-dir", type=Path, required=True, help="emptied first")
    ap.add_argument("--plain", type=int, default=200, help="releases the plain pipeline embeds")
    args = ap.parse_args()

    paths = [line.strip() for line in Path(args.only).read_text().splitlines() if line.strip()]
    drawn = random.Random(200).sample(paths, min(args.plain, len(paths)))
    load_start = os.getloadavg()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(drawn) + "\n")
    plain_run = subprocess.run(
        [
            sys.executable,
            str(c.REPO / "bench" / "plain_pipeline.py"),
            "--source",
            str(c.ARCHIVE),
            "--only",
            handle.name,
            "--json",
        ],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(handle.name)
    plain = c.last_json(plain_run.stdout)
    plain_rate = float(plain["releases"]) / float(plain["embed_s"])

    shutil.rmtree(args.data_dir, ignore_errors=True)
    first, wall = _build(args.data_dir, args.only)
    second, _ = _build(args.data_dir, args.only)
    rate = float(first["releases"]) / wall
    print(
        json.dumps(
            {
                "plain": plain,
                "plain_releases_per_s": round(plain_rate, 4),
                "build": first,
                "build_wall_s": round(wall, 1),
                "build_releases_per_s": round(rate, 4),
                "ratio": round(rate / plain_rate, 2),
                "second_run_embedded": second["embedded"],
                "load_start": [round(x, 2) for x in load_start],
                "load_end": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
