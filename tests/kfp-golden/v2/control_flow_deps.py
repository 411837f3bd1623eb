# More edge cases of kfp 2.17.3's control flow, compiled for the kfp-rs port in
# tests/tests/control_flow_v2.rs: fan-in consumed by a task in another loop; `.after(..)` a
# task inside a loop from outside it, and from inside a loop a task outside it; a loop over an
# output made in the same condition; a condition on a field of a static list's item, typed
# (as kfp types it) after the first value of the first item; a named exit handler whose
# exit task reads the final status and a pipeline parameter. (kfp writes invalid IR for a
# condition on such a field inside another condition or exit handler, and for a parameter
# whose name is part of a loop's (`p` in `make-list-Output-loop-item`): both are avoided.)
import sys
from typing import List

from kfp import compiler, dsl
from kfp.dsl import PipelineTaskFinalStatus


@dsl.component(base_image='python:3.11')
def make_list(n: int) -> List[int]:
    return list(range(n))


@dsl.component(base_image='python:3.11')
def square(x: int) -> int:
    return x * x


@dsl.component(base_image='python:3.11')
def total(values: List[int]) -> int:
    return sum(values)


@dsl.component(base_image='python:3.11')
def show_str(s: str):
    print(s)


@dsl.component(base_image='python:3.11')
def report(msg: str, status: PipelineTaskFinalStatus):
    print(msg, status.state)


@dsl.pipeline(name='control-flow-deps')
def control_flow_deps(word: str = 'a', n: int = 3):
    done = report(msg=word)
    with dsl.ExitHandler(done, name='everything'):
        first = show_str(s='first')
        with dsl.ParallelFor([1, 2]) as a:
            sq = square(x=a)
            show_str(s='in loop').after(first)
        with dsl.ParallelFor([3, 4]) as b:
            total(values=dsl.Collected(sq.output))
            show_str(s='in b')
        show_str(s='after loop').after(sq)
        with dsl.If(word == 'a'):
            made = make_list(n=n)
            with dsl.ParallelFor(made.output) as m:
                with dsl.If(m > n):
                    show_str(s=word)
    with dsl.ParallelFor([{'size': 640, 'model': 'n'}, {'size': 1280, 'model': 's'}]) as cfg:
        with dsl.If(cfg.model == 'n'):
            show_str(s='nano')


if __name__ == '__main__':
    compiler.Compiler().compile(control_flow_deps, sys.argv[1])
