# Pipelines as components on KFP v1: kfp 1.8.9 compiles a `@dsl.graph_component` to a DAG
# template of its own (`graph-<fn>-<n>`), called from the caller's DAG with the values it
# uses as arguments; what its tasks produce is read outside through the template's outputs.
# (A plain `@dsl.pipeline` called in a pipeline is inlined by kfp 1.8.9; a graph component
# returns its group, so the outputs are taken from the tasks inside.) kfp 1.8.9 ignores what a
# pipeline returns. kfp 1.8.9 compiles this to pipeline_as_component.yaml; the Rust port is
# kfp-examples/examples/pipeline_as_component.rs, the same program as the v2 golden's.
import sys
from kfp import dsl, compiler
from kfp.components import create_component_from_func, InputPath, OutputPath
def add(a: int, b: int) -> int:
    return a + b
def make_data(n: int, data_path: OutputPath('Dataset')):
    with open(data_path, 'w') as f:
        f.write(str(n))
def count(data_path: InputPath('Dataset')) -> int:
    with open(data_path) as f:
        return len(f.read())
def show(x: int):
    print(x)
add_op = create_component_from_func(add, base_image='python:3.11')
make_data_op = create_component_from_func(make_data, base_image='python:3.11')
count_op = create_component_from_func(count, base_image='python:3.11')
show_op = create_component_from_func(show, base_image='python:3.11')
RETURNED = []
@dsl.graph_component
def add_twice(x: int, step: int):
    once = add_op(x, step)
    RETURNED.append(add_op(once.output, step).output)
@dsl.graph_component
def make_and_add(n: int):
    made = make_data_op(n)
    add_twice(n, n)
    RETURNED.append((RETURNED.pop(), made.outputs['data']))
@dsl.graph_component
def count_data(data):
    count_op(data)
@dsl.pipeline(name='pipeline-as-component')
def p(start: int = 10, step: int = 2):
    add_twice(start, step)
    four = RETURNED.pop()
    make_and_add(four)
    total, data = RETURNED.pop()
    count_data(data)
    show_op(total)
    return total
compiler.Compiler().compile(p, sys.argv[1])
