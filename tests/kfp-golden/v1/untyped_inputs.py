# A component.yaml with untyped inputs, which kfp 1.8.9 accepts from anything: an int constant,
# an Integer pipeline parameter, a Python component's output (as a value), and any file (as a
# path). kfp 1.8.9 compiles it to untyped_inputs.yaml; the Rust port is
# kfp-examples/examples/untyped_inputs.rs.
import sys, kfp
from kfp import dsl
from kfp.components import load_component_from_text, create_component_from_func
untyped = load_component_from_text("""
name: Untyped
description: Takes inputs of no declared type
inputs:
- {name: anything, description: Any value}
- {name: blob, description: Any file}
outputs:
- {name: echoed, description: What it was given}
implementation:
  container:
    image: alpine:3.19
    command: [sh, -c, 'echo "$0" > "$2"; cat "$1" >> "$2"', {inputValue: anything}, {inputPath: blob}, {outputPath: echoed}]
""")
def make(rows: int, data_path: kfp.components.OutputPath('CSV')):
    pass
make_op = create_component_from_func(make, base_image='python:3.11')
def count(n: int) -> int:
    return n
count_op = create_component_from_func(count, base_image='python:3.11')
@dsl.pipeline(name='untyped-inputs')
def p(n: int = 3):
    m = make_op(n)
    untyped(anything=5, blob=m.outputs['data'])
    untyped(anything=n, blob=m.outputs['data'])
    c = count_op(n)
    u = untyped(anything=c.output, blob=m.outputs['data'])
    untyped(anything='x', blob=u.outputs['echoed'])
kfp.compiler.Compiler().compile(p, sys.argv[1])
