# .after() a whole exit handler group (the only group kfp 2.17.3 takes there): the task waits
# for the group (dependentTasks: [exit-handler-1]). Compiled to after_group.yaml; the Rust port
# is kfp-examples/examples/after_group.rs.
import sys
from kfp import dsl, compiler
@dsl.component(base_image='python:3.11')
def say(s: str):
    print(s)
@dsl.pipeline(name='after-group')
def p():
    done = say(s='done')
    with dsl.ExitHandler(done) as eh:
        say(s='inside')
    say(s='after group').after(eh)
compiler.Compiler().compile(p, sys.argv[1])
