# Control flow inside pipelines called as components: `inner` has a condition on its
# parameter and a loop over its list parameter, and is called twice (once with an upstream
# task's output). kfp 2.17.3 numbers the groups of each pipeline from 1 (`condition-1`,
# `for-loop-2` in both calls) and reads the nested pipeline's parameters as its own inputs.
# kfp 2.17.3 compiles it to nested_control.yaml; the Rust port is
# kfp-examples/examples/nested_control.rs.
import sys
from typing import List
from kfp import dsl, compiler
@dsl.component(base_image='python:3.11')
def add(a: int, b: int) -> int:
    return a + b
@dsl.component(base_image='python:3.11')
def show(x: int):
    print(x)
@dsl.pipeline(name='inner')
def inner(x: int, xs: List[int]):
    with dsl.If(x > 5):
        show(x=x)
    with dsl.ParallelFor(xs) as item:
        add(a=item, b=x)
@dsl.pipeline(name='nested-control')
def p(start: int = 10, xs: List[int] = [1, 2]):
    first = add(a=start, b=1)
    inner(x=first.output, xs=xs)
    with dsl.If(start < 100):
        inner(x=start, xs=xs)
compiler.Compiler().compile(p, sys.argv[1])
