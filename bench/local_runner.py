#!/usr/bin/env python3
"""Local runner benchmark (issue 12): kfp-rs `run` against kfp.local, whole process, side by side.

Runs the same three pipelines of trivial `add(a, b)` tasks both ways, alternating the two so that
both see the same machine load:

- kfp: `python bench/local_bench_kfp.py <shape>` in the oracle's kfp 2.17.3 venv, with
  `local.SubprocessRunner(use_venv=False)`;
- kfp-rs: the release `local_bench` example, `KFP_BENCH_SHAPE=<shape> local_bench run --no-cache
  --quiet`, each task a subprocess of the same binary.

Shapes: `chain` (10 tasks, each feeding the next), `fanout` (20 independent tasks) and `loop`
(a 100-item ParallelFor). Then the cache: a first kfp-rs run fills a fresh cache, and the second
run of the unchanged pipeline (no task runs) is timed.

    python3 bench/local_runner.py [--runs 5] [--kfp-runs 3] [--kfp-loop-runs 1]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KFP_PY = Path(os.environ.get("KFP_ORACLE_V2", Path.home() / ".cache/kfp-oracle/v2")) / "bin/python"
SHAPES = {"chain": 10, "fanout": 20, "loop": 100}


def build() -> Path:
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "kfp-examples", "--example", "local_bench"],
        cwd=ROOT,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "release/examples/local_bench"


def timed(cmd, env=None, cwd=None) -> float:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{out.stderr.decode()}")
    return elapsed


def ours(binary: Path, shape: str, work: Path, cache: bool = False) -> float:
    env = dict(os.environ, KFP_BENCH_SHAPE=shape)
    args = [binary, "run", "--quiet"] + ([] if cache else ["--no-cache"])
    return timed(args, env=env, cwd=work)


def kfp(shape: str, work: Path) -> float:
    return timed([KFP_PY, ROOT / "bench/local_bench_kfp.py", shape], cwd=work)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="kfp-rs runs per shape")
    ap.add_argument("--kfp-runs", type=int, default=3, help="kfp.local runs of chain and fanout")
    ap.add_argument("--kfp-loop-runs", type=int, default=1, help="kfp.local runs of the 100-item loop")
    ap.add_argument("--shapes", default="chain,fanout,loop")
    a = ap.parse_args()
    binary = build()
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'pipeline':<22}{'tasks':>6}{'kfp.local (s)':>15}{'kfp-rs run (s)':>16}{'ratio':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for shape in a.shapes.split(","):
            n_kfp = a.kfp_loop_runs if shape == "loop" else a.kfp_runs
            ks, rs = [], []
            for i in range(max(n_kfp, a.runs)):
                if i < n_kfp:
                    ks.append(kfp(shape, work))
                if i < a.runs:
                    rs.append(ours(binary, shape, work))
            k, r = statistics.median(ks), statistics.median(rs)
            print(f"{shape:<22}{SHAPES[shape]:>6}{k:>15.2f}{r:>16.3f}{k / r:>8.0f}x"
                  f"   (kfp {', '.join(f'{x:.2f}' for x in ks)}; kfp-rs {', '.join(f'{x:.3f}' for x in rs)})")
        # The cache: fill it once, then time unchanged re-runs (no task runs).
        for shape in a.shapes.split(","):
            cache = work / "kfp-local" / ".cache"
            shutil.rmtree(cache, ignore_errors=True)
            first = ours(binary, shape, work, cache=True)
            again = [ours(binary, shape, work, cache=True) for _ in range(a.runs)]
            print(f"cached second run, {shape:<8}{SHAPES[shape]:>4} tasks: {statistics.median(again):.3f} s"
                  f" (first run, filling the cache: {first:.3f} s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
