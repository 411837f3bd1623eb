"""The local runner benchmark's pipelines for kfp.local (kfp 2.17.3), the same shapes as the
`local_bench` example: `python local_bench_kfp.py chain|fanout|loop` runs one with
`SubprocessRunner(use_venv=False)` in the current folder."""
import sys

from kfp import dsl, local


@dsl.component(packages_to_install=[])
def add(a: int, b: int) -> int:
    return a + b


@dsl.pipeline(name="bench-chain")
def chain():
    s = add(a=0, b=1)
    for _ in range(1, 10):
        s = add(a=s.output, b=1)


@dsl.pipeline(name="bench-fanout")
def fanout():
    for i in range(20):
        add(a=i, b=1)


@dsl.pipeline(name="bench-loop")
def parallel_loop():
    with dsl.ParallelFor(list(range(100))) as i:
        add(a=i, b=1)


if __name__ == "__main__":
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root="./local_outputs")
    {"chain": chain, "fanout": fanout, "loop": parallel_loop}[sys.argv[1]]()
