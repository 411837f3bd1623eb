# Edge cases of kfp 2.17.3's control flow, compiled for the kfp-rs port in
# tests/tests/control_flow_v2.rs: loops over a parameter (of numbers, of dicts with fields) and
# over a task output, with a parallelism limit and a name; conditions on loop items, pipeline
# parameters and outputs, with constants of every primitive type; If/Elif/Elif/Else; nested
# fan-in (dsl.Collected) consumed next to the loop and inside a condition; artifacts and
# values entering nested groups; an exit handler around a loop, whose exit task reads the
# final status.
import sys
from typing import Dict, List

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output, PipelineTaskFinalStatus


@dsl.component(base_image='python:3.11')
def make_list(n: int) -> List[int]:
    return list(range(n))


@dsl.component(base_image='python:3.11')
def show_int(x: int):
    print(x)


@dsl.component(base_image='python:3.11')
def show_str(s: str):
    print(s)


@dsl.component(base_image='python:3.11')
def get_num() -> int:
    return 3


@dsl.component(base_image='python:3.11')
def make_ds(ds: Output[Dataset]) -> str:
    with open(ds.path, 'w') as f:
        f.write('x')
    return 'x'


@dsl.component(base_image='python:3.11')
def use_ds(ds: Input[Dataset], s: str):
    print(open(ds.path).read(), s)


@dsl.component(base_image='python:3.11')
def square(x: int) -> int:
    return x * x


@dsl.component(base_image='python:3.11')
def total(values: List[int]) -> int:
    return sum(values)


@dsl.component(base_image='python:3.11')
def report(status: PipelineTaskFinalStatus):
    print(status.state)


@dsl.pipeline(name='control-flow')
def control_flow(xs: List[int], cfgs: List[Dict[str, int]], threshold: int = 2,
                 label: str = 'x', ratio: float = 0.5, flag: bool = True):
    cleanup = report()
    with dsl.ExitHandler(cleanup):
        made = make_list(n=threshold)
        with dsl.ParallelFor(xs) as x:
            show_int(x=x)
            with dsl.If(x > threshold):
                show_int(x=threshold)
        with dsl.ParallelFor(made.output, parallelism=2, name='over-output') as y:
            show_int(x=y)
            num = get_num()
            with dsl.If(num.output == y):
                show_str(s=label)
            with dsl.Else():
                show_int(x=y)
        with dsl.ParallelFor(cfgs) as c:
            square(x=c.a)
            with dsl.If(c.b >= 10):
                show_int(x=c.a)
        with dsl.If(threshold < 3):
            show_str(s='small')
        with dsl.Elif(label != 'x', name='labelled'):
            show_str(s=label)
        with dsl.Elif(ratio >= 0.25):
            show_str(s='r')
        with dsl.Else():
            show_str(s='else')
        with dsl.If(flag == True):
            show_str(s='f')
        d = make_ds()
        with dsl.If(d.outputs['Output'] == 'x'):
            use_ds(ds=d.outputs['ds'], s=label)
            with dsl.ParallelFor([1, 2]) as i:
                use_ds(ds=d.outputs['ds'], s=d.outputs['Output'])
                show_int(x=i)
        with dsl.ParallelFor([10, 20]) as outer:
            with dsl.ParallelFor([1, 2, 3]) as inner:
                sq = square(x=inner)
            total(values=dsl.Collected(sq.output))
        with dsl.If(label == 'x'):
            total(values=dsl.Collected(sq.output))
        total(values=dsl.Collected(sq.output))


if __name__ == '__main__':
    compiler.Compiler().compile(control_flow, sys.argv[1])
