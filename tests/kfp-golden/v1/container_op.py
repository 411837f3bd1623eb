# Raw dsl.ContainerOp steps with file_outputs (outputs read from fixed paths in the
# container): one taking a pipeline parameter, one taking another's output in its command,
# one with an empty argument list and an unconsumed output. kfp 1.8.9 writes no
# component_spec / arguments.parameters annotations for them. Compiled to container_op.yaml;
# the Rust port is kfp-examples/examples/container_op.rs.
import sys, kfp
from kfp import dsl
from kfp.components import create_component_from_func
def show(text: str):
    print(text)
show_op = create_component_from_func(show, base_image='python:3.11')
@dsl.pipeline(name='container-op')
def p(msg: str = 'hi'):
    op = dsl.ContainerOp(name='echo', image='alpine:3.19',
                         command=['sh', '-c'],
                         arguments=['echo "$0" > /tmp/out.txt; echo 3 > /tmp/n.txt', msg],
                         file_outputs={'out': '/tmp/out.txt', 'n': '/tmp/n.txt'})
    show_op(op.outputs['out'])
    dsl.ContainerOp(name='echo again', image='alpine:3.19', command=['echo', op.outputs['n']])
    dsl.ContainerOp(name='date', image='alpine:3.19', command=['sh', '-c', 'date > /tmp/d.txt'],
                    arguments=[], file_outputs={'d': '/tmp/d.txt'}).set_caching_options(False)
kfp.compiler.Compiler().compile(p, sys.argv[1])
