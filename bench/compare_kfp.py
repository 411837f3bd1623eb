#!/usr/bin/env python3
"""Compile time and peak memory of kfp-rs against the official Python SDKs, side by side.

    python3 bench/compare_kfp.py [--sizes 10,100,1000,5000,10000] [--runs 7] [--kfp-runs 3]
                                 [--kfp-max-n 1000] [--kfp-budget 40] [--targets v1,v2]
                                 [--shapes chain,fanout] [--no-flagship] [--no-synthetic] [--no-build]
                                 [--json OUT]

Every number is a whole process, started the same way a user starts it: wall time (median of
the runs, with min..max) and peak resident memory (kfp: the process's `ru_maxrss` from wait4;
kfp-rs: GNU time's `%M` in separate runs, see `peak_rss`).
Runs of kfp and kfp-rs alternate, so both see the same machine load.

* Flagship: kfp 1.8.9 running `python yolov8withmlflow.py` (the oracle's pipeline file)
  against `yolov8withmlflow` (the kfp-rs example binary) with no arguments, each in an empty
  folder where it writes `yolov8withmlflow.yaml`; and the same for kfp 2.17.3 / `--target v2`.
* Synthetic: `perf/gen_v1.py` / `perf/gen_v2.py` (kfp) against `examples/scale.rs` (kfp-rs)
  for chain and fanout pipelines of N tasks. kfp is only run up to `--kfp-max-n` tasks (it
  grows quadratically: about 64 s at 2500 tasks and over 2 minutes at 5000); larger N are
  kfp-rs only.

The oracle is `../shared/oracle` next to this repository (or `$KFP_ORACLE`), its virtualenvs
are in `$KFP_ORACLE_VENVS` (default `~/.cache/kfp-oracle`). Builds the two examples in release
mode first unless `--no-build`. Prints Markdown tables to stdout.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# GNU time, for the peak memory of kfp-rs's processes (Debian: `apt-get install time`).
GNU_TIME = shutil.which('time') or 'time'


def run_once(argv, cwd, timeout):
    """Runs argv in cwd; returns (wall seconds, peak RSS in MB, stdout) or None on timeout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        # A blocking wait4 returns as soon as the process ends and gives its own rusage.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        killer.cancel()
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            return None
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f'error: {" ".join(map(str, argv))} exited {proc.returncode}:\n'
                     f'{err.read().decode()}')
        # ru_maxrss is in KiB on Linux.
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def measure(cases, runs, timeout, budget=None):
    """cases: {key: (argv, cwd)}; runs them round-robin `runs` times after one untimed warm-up
    round. A case stops early once its timed runs took more than `budget` seconds (it keeps at
    least one). Returns {key: [(wall, rss, stdout), ...]}, or None for a case that timed out."""
    results = {k: [] for k in cases}
    spent = {k: 0.0 for k in cases}
    for r in range(runs + 1):
        for key, (argv, cwd) in cases.items():
            if results[key] is None or (budget and results[key] and spent[key] > budget):
                continue
            got = run_once(argv, cwd, timeout)
            if got is None:
                results[key] = None
                continue
            if r > 0:
                results[key].append(got)
                spent[key] += got[0]
            elif budget and got[0] > budget:
                # Too slow to warm up and then measure again: count the first run.
                results[key].append(got)
                spent[key] += got[0]
    return results


def peak_rss(argv, cwd, runs=3):
    """Median peak RSS in MB of `argv`, measured by GNU time (`time -f %M`).

    wait4's ru_maxrss cannot be used for a small process started from Python: the child
    starts as a vfork of this interpreter and inherits its high-water mark (about 16 MB)."""
    values = []
    for _ in range(runs):
        with tempfile.NamedTemporaryFile('r') as f:
            subprocess.run([GNU_TIME, '-f', '%M', '-o', f.name] + argv, cwd=cwd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            values.append(int(f.read().split()[-1]) / 1024)
    return statistics.median(values)


def summary(samples, rss=None):
    walls = [s[0] for s in samples]
    if rss is None:
        rss = statistics.median(s[1] for s in samples)
    return {
        'runs': len(walls),
        'wall': statistics.median(walls),
        'min': min(walls),
        'max': max(walls),
        'rss': rss,
    }


def fmt_s(x):
    return f'{x * 1000:.1f} ms' if x < 1 else f'{x:.2f} s'


def fmt_cell(s):
    if s is None:
        return '—'
    rss = f'{s["rss"]:.1f}' if s['rss'] < 10 else f'{s["rss"]:.0f}'
    return f'{fmt_s(s["wall"])} ({fmt_s(s["min"])}..{fmt_s(s["max"])}) / {rss} MB'


def machine():
    cpu = 'unknown CPU'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    mem = ''
    try:
        kb = int(Path('/proc/meminfo').read_text().split()[1])
        mem = f', {kb / 1024 / 1024:.0f} GiB RAM'
    except (OSError, ValueError, IndexError):
        pass
    rustc = subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()
    return (f'{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs ({cpu}){mem}; '
            f'{rustc}; Python {platform.python_version()} (host)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--sizes', default='10,100,1000,5000,10000')
    ap.add_argument('--shapes', default='chain,fanout')
    ap.add_argument('--targets', default='v1,v2')
    ap.add_argument('--runs', type=int, default=7, help='timed runs per case (kfp-rs)')
    ap.add_argument('--kfp-runs', type=int, default=3, help='timed runs per case (kfp)')
    ap.add_argument('--kfp-max-n', type=int, default=1000, help='largest N to run kfp for')
    ap.add_argument('--kfp-timeout', type=float, default=150.0, help='seconds per kfp run')
    ap.add_argument('--kfp-budget', type=float, default=40.0,
                    help='stop repeating a kfp case once its runs took this long (>= 1 run)')
    ap.add_argument('--no-flagship', action='store_true')
    ap.add_argument('--no-synthetic', action='store_true')
    ap.add_argument('--no-build', action='store_true')
    ap.add_argument('--json', help='also write the raw measurements here')
    args = ap.parse_args()

    oracle = Path(os.environ.get('KFP_ORACLE', REPO.parent / 'shared' / 'oracle'))
    venvs = Path(os.environ.get('KFP_ORACLE_VENVS', Path.home() / '.cache' / 'kfp-oracle'))
    python = {t: venvs / t / 'bin' / 'python' for t in ('v1', 'v2')}
    for t in args.targets.split(','):
        if not python[t].exists():
            sys.exit(f'error: {python[t]} is missing: run {oracle}/setup.sh')

    if not args.no_build:
        subprocess.run(['cargo', 'build', '--quiet', '--release', '-p', 'kfp-examples',
                        '--example', 'scale', '--example', 'yolov8withmlflow'],
                       cwd=REPO, check=True)
    meta = json.loads(subprocess.run(['cargo', 'metadata', '--format-version', '1', '--no-deps'],
                                     cwd=REPO, capture_output=True, check=True).stdout)
    examples = Path(meta['target_directory']) / 'release' / 'examples'
    scale, flagship = examples / 'scale', examples / 'yolov8withmlflow'

    with tempfile.TemporaryDirectory(prefix='kfp-bench-') as tmp:
        run(args, python, oracle, scale, flagship, Path(tmp))


def run(args, python, oracle, scale, flagship, work):
    """Measures and prints everything; `work` is a scratch folder."""
    raw = {'machine': machine(), 'load_before': os.getloadavg()}
    print(f'Machine: {raw["machine"]}.  ')
    print(f'Load average before: {" ".join(f"{x:.2f}" for x in raw["load_before"])}.\n')

    if not args.no_flagship:
        print('### Flagship `yolov8withmlflow`, whole process\n')
        print('| target | kfp: median (min..max) / peak RSS | kfp-rs: median (min..max) / peak RSS '
              '| kfp-rs faster by |')
        print('|---|---|---|---|')
        raw['flagship'] = {}
        for t in args.targets.split(','):
            kdir, rdir = work / f'flag-kfp-{t}', work / f'flag-rs-{t}'
            kdir.mkdir()
            rdir.mkdir()
            ours = [str(flagship)] if t == 'v1' else [str(flagship), 'compile', '--target', 'v2']
            # Each side runs `--runs` times, interleaved; kfp's runs are the slow part.
            res = measure({
                'kfp': ([str(python[t]), str(oracle / 'pipelines' / t / 'yolov8withmlflow.py')],
                        kdir),
                'rs': (ours, rdir),
            }, max(args.runs, 5), args.kfp_timeout)
            k, r = summary(res['kfp']), summary(res['rs'], peak_rss(ours, rdir))
            raw['flagship'][t] = {'kfp': k, 'rs': r}
            print(f'| {t} | {fmt_cell(k)} | {fmt_cell(r)} | {k["wall"] / r["wall"]:.0f}× |')
        print()

    if not args.no_synthetic:
        raw['synthetic'] = synthetic(args, python, oracle, scale, work)
    raw['load_after'] = os.getloadavg()
    print(f'\nLoad average after: {" ".join(f"{x:.2f}" for x in raw["load_after"])}.')
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1))


def synthetic(args, python, oracle, scale, work):
    """Measures and prints the synthetic pipelines; returns the raw rows."""
    print('### Synthetic pipelines, whole process\n')
    print('N tasks (fanout: N + 1). Cells: median wall (min..max) / median peak RSS. '
          '"in-process" = define + compile as each program reports it.\n')
    print('| target | shape | N | kfp | kfp in-process | kfp-rs | kfp-rs in-process '
          '| kfp-rs faster by | YAML kfp / kfp-rs |')
    print('|---|---|---|---|---|---|---|---|---|')
    rows = []
    sizes = [int(n) for n in args.sizes.split(',')]
    for t in args.targets.split(','):
        gen = oracle / 'perf' / f'gen_{t}.py'
        for shape in args.shapes.split(','):
            kfp_alive = True
            for n in sizes:
                kout, rout = work / f'kfp-{t}-{shape}-{n}.yaml', work / f'rs-{t}-{shape}-{n}.yaml'
                cases = {'rs': ([str(scale), '--tasks', str(n), '--shape', shape,
                                 '--target', t, '-o', str(rout)], work)}
                run_kfp = kfp_alive and n <= args.kfp_max_n
                if run_kfp:
                    cases['kfp'] = ([str(python[t]), str(gen), shape, str(n), str(kout)], work)
                # kfp takes seconds per run: give it fewer runs, in the same rounds as ours.
                res = measure(cases if not run_kfp else {'kfp': cases['kfp'], 'rs': cases['rs']},
                              args.kfp_runs if run_kfp else args.runs, args.kfp_timeout,
                              args.kfp_budget if run_kfp else None)
                if len(res['rs']) < args.runs:
                    more = measure({'rs': cases['rs']}, args.runs - len(res['rs']), 60)
                    res['rs'] += more['rs']
                r = summary(res['rs'], peak_rss(cases['rs'][0], work))
                r_in = statistics.median(
                    json.loads(s[2])['build_s'] + json.loads(s[2])['compile_s']
                    for s in res['rs'])
                k = k_in = None
                if run_kfp and res.get('kfp') is None:
                    kfp_alive = False
                elif run_kfp:
                    k = summary(res['kfp'])
                    k_in = statistics.median(
                        json.loads(s[2])['define_s'] + json.loads(s[2])['compile_s']
                        for s in res['kfp'])
                size_r = rout.stat().st_size
                if k:
                    size = f'{kout.stat().st_size / 1e6:.2f} / {size_r / 1e6:.2f} MB'
                    ratio = f'{k["wall"] / r["wall"]:.0f}×'
                    kcell, kin = fmt_cell(k), fmt_s(k_in)
                else:
                    size = f'— / {size_r / 1e6:.2f} MB'
                    ratio = '—'
                    kcell = (f'timed out (> {args.kfp_timeout:.0f} s)' if run_kfp
                             else 'not run')
                    kin = '—'
                print(f'| {t} | {shape} | {n} | {kcell} | {kin} | {fmt_cell(r)} '
                      f'| {fmt_s(r_in)} | {ratio} | {size} |', flush=True)
                rows.append({'target': t, 'shape': shape, 'n': n, 'kfp': k,
                             'kfp_in_process': k_in, 'rs': r, 'rs_in_process': r_in,
                             'rs_bytes': size_r})
    return rows


if __name__ == '__main__':
    main()
