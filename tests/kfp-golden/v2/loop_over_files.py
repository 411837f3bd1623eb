# A loop over files: each iteration of a first loop writes a Dataset; the datasets, collected
# (`dsl.Collected`), are the `Input[List[Dataset]]` parameter of the nested pipeline
# `read-all`, which loops over them (`artifactIterator`), reading each in a task of its own.
# kfp 2.17.3 loops over files only so (a loop over a `dsl.Collected` directly is a TypeError;
# kfp 1.8.9 has no loop over files). KFP v2 only. kfp 2.17.3 compiles it to
# loop_over_files.yaml; the Rust port is kfp-examples/examples/loop_over_files.rs.
import sys
from typing import List
from kfp import dsl, compiler
from kfp.dsl import Dataset, Input, Output
@dsl.component(base_image='python:3.11')
def make(n: int, data: Output[Dataset]):
    with open(data.path, 'w') as f:
        f.write(str(n))
@dsl.component(base_image='python:3.11')
def read(data: Input[Dataset]) -> int:
    with open(data.path) as f:
        return len(f.read())
@dsl.pipeline(name='read-all')
def read_all(datas: Input[List[Dataset]]):
    with dsl.ParallelFor(datas) as d:
        read(data=d)
@dsl.pipeline(name='loop-over-files')
def p():
    with dsl.ParallelFor([1, 22, 333]) as n:
        made = make(n=n)
    read_all(datas=dsl.Collected(made.outputs['data']))
compiler.Compiler().compile(p, sys.argv[1])
