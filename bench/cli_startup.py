"""CLI start-up: how long `statuspage --help` and `statuspage incident list` take, end to end.

Runs each command N times (default 10) as a fresh process on a new database with one
component and two incidents, and prints the median wall time and the median CPU time
(user + system: steadier than wall time on a busy machine). Targets: --help < 0.3 s,
incident list < 0.5 s. `incident list` is measured with the shipped comms plan (the
default) and with STATUSPAGE_COMMS_PLAN=off.

    .venv/bin/python bench/cli_startup.py [N]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATUSPAGE = str(Path(sys.executable).with_name("statuspage"))


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([STATUSPAGE, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(label: str, args: list[str], env: dict[str, str], n: int) -> None:
    run(args, env)  # warm the file cache
    times = [run(args, env) for _ in range(n)]
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    print(f"{label:<40} median wall {wall:.3f} s   median cpu {cpu:.3f} s   (n={n})")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        env = {**os.environ, "STATUSPAGE_DB": db}
        env.pop("STATUSPAGE_SERVER", None)
        subprocess.run([STATUSPAGE, "init"], env=env, check=True, capture_output=True)
        subprocess.run([STATUSPAGE, "component", "add", "API"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        off = {**env, "STATUSPAGE_COMMS_PLAN": "off"}
        for title in ("API errors", "Slow dashboard"):
            subprocess.run(
                [STATUSPAGE, "incident", "declare", title, "--impact", "minor",
                 "--component", "API", "-m", "We are investigating."],
                env=off, check=True, capture_output=True,
            )  # fmt: skip
        measure("statuspage --help", ["--help"], env, n)
        measure("statuspage incident list", ["incident", "list"], env, n)
        measure("statuspage incident list (plan off)", ["incident", "list"], off, n)


if __name__ == "__main__":
    main()
