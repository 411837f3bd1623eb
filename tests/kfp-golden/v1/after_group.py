# .after() a whole exit handler group: the task waits for the group (dependencies: [exit-handler-1]).
# kfp 1.8.9 compiles it to after_group.yaml; the Rust port is kfp-examples/examples/after_group.rs.
import sys, kfp
from kfp import dsl
from kfp.components import create_component_from_func
def say(s: str):
    print(s)
say_op = create_component_from_func(say, base_image='python:3.11')
@dsl.pipeline(name='after-group')
def p():
    done = say_op('done')
    with dsl.ExitHandler(done) as eh:
        say_op('inside')
    say_op('after group').after(eh)
kfp.compiler.Compiler().compile(p, sys.argv[1])
