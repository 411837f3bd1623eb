# A component loaded from a KFP v2 component IR file (kfp-examples/components/echo_v2.yaml,
# compiled by kfp 2.17.3 from a @dsl.container_component) between two Python components.
# kfp 2.17.3 compiles it to reusable_ir.yaml; the Rust port is
# kfp-examples/examples/reusable_ir.rs.
import os
import sys

from kfp import compiler, components, dsl
from kfp.dsl import Dataset, Output

HERE = os.path.dirname(os.path.abspath(__file__))
echo = components.load_component_from_file(
    os.path.join(HERE, '..', '..', '..', 'kfp-examples', 'components', 'echo_v2.yaml'))


@dsl.component(base_image='python:3.11')
def make(rows: int, data: Output[Dataset]):
    with open(data.path, 'w') as f:
        f.write('0,0\n' * rows)


@dsl.component(base_image='python:3.11')
def show(text: str):
    print(text)


@dsl.pipeline(name='reusable-ir')
def reusable_ir(msg: str = 'hi'):
    m = make(rows=3)
    e = echo(msg=msg, data=m.outputs['data'])
    show(text=e.outputs['out'])


if __name__ == '__main__':
    compiler.Compiler().compile(reusable_ir, sys.argv[1])
