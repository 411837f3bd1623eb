# dsl.OneOf: the output of whichever branch of an if/elif/else ran, fed to a task after them
# (each branch hands out its task's output, the group of branches valueFromOneof). KFP v2
# only. kfp 2.17.3 compiles it to one_of.yaml; the Rust port is kfp-examples/examples/one_of.rs.
import sys
from kfp import dsl, compiler
@dsl.component(base_image='python:3.11')
def flip() -> str:
    return 'heads'
@dsl.component(base_image='python:3.11')
def word(w: str) -> str:
    return w
@dsl.component(base_image='python:3.11')
def say(s: str):
    print(s)
@dsl.pipeline(name='one-of')
def p():
    f = flip()
    with dsl.If(f.output == 'heads'):
        a = word(w='a')
    with dsl.Elif(f.output == 'tails'):
        b = word(w='b')
    with dsl.Else():
        c = word(w='c')
    say(s=dsl.OneOf(a.output, b.output, c.output))
compiler.Compiler().compile(p, sys.argv[1])
