# Control flow inside a pipeline called as a component, on KFP v1: kfp 1.8.9's
# `@dsl.graph_component` `inner`, with a condition on its parameter and a loop over its list
# parameter, called twice (once with an upstream task's output, once inside a condition).
# kfp 1.8.9 compiles it to nested_control.yaml; the Rust port is
# kfp-examples/examples/nested_control.rs, the same program as the v2 golden's.
import sys
from kfp import dsl, compiler
from kfp.components import create_component_from_func
def add(a: int, b: int) -> int:
    return a + b
def show(x: int):
    print(x)
add_op = create_component_from_func(add, base_image='python:3.11')
show_op = create_component_from_func(show, base_image='python:3.11')
@dsl.graph_component
def inner(x: int, xs: list):
    with dsl.Condition(x > 5):
        show_op(x)
    with dsl.ParallelFor(xs) as item:
        add_op(item, x)
@dsl.pipeline(name='nested-control')
def p(start: int = 10, xs: list = [1, 2]):
    first = add_op(start, 1)
    inner(first.output, xs)
    with dsl.Condition(start < 100):
        inner(start, xs)
compiler.Compiler().compile(p, sys.argv[1])
