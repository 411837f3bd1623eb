# Pipelines as components, with outputs: `add-twice`, `make-and-add` and `count-data` are
# pipelines called inside pipelines (each a component with a DAG of its own, and one task of
# its caller), `make-and-add` returns two outputs (a value and a Dataset) that feed the
# caller's tasks, `count-data` takes a file, and the pipeline itself returns one output.
# kfp 2.17.3 compiles it to pipeline_as_component.yaml (component names vary from run to run:
# compare with --inline-refs); the Rust port is kfp-examples/examples/pipeline_as_component.rs.
import sys
from typing import NamedTuple
from kfp import dsl, compiler
from kfp.dsl import Dataset, Input, Output
@dsl.component(base_image='python:3.11')
def add(a: int, b: int) -> int:
    return a + b
@dsl.component(base_image='python:3.11')
def make_data(n: int, data: Output[Dataset]):
    with open(data.path, 'w') as f:
        f.write(str(n))
@dsl.component(base_image='python:3.11')
def count(data: Input[Dataset]) -> int:
    with open(data.path) as f:
        return len(f.read())
@dsl.component(base_image='python:3.11')
def show(x: int):
    print(x)
@dsl.pipeline(name='add-twice')
def add_twice(x: int, step: int) -> int:
    once = add(a=x, b=step)
    return add(a=once.output, b=step).output
@dsl.pipeline(name='make-and-add')
def make_and_add(n: int) -> NamedTuple('Outputs', total=int, data=Dataset):
    made = make_data(n=n)
    total = add_twice(x=n, step=n)
    Outputs = NamedTuple('Outputs', total=int, data=Dataset)
    return Outputs(total=total.output, data=made.outputs['data'])
@dsl.pipeline(name='count-data')
def count_data(data: Input[Dataset]) -> int:
    return count(data=data).output
@dsl.pipeline(name='pipeline-as-component')
def p(start: int = 10, step: int = 2) -> int:
    four = add_twice(x=start, step=step)
    made = make_and_add(n=four.output)
    count_data(data=made.outputs['data'])
    show(x=made.outputs['total'])
    return made.outputs['total']
compiler.Compiler().compile(p, sys.argv[1])
