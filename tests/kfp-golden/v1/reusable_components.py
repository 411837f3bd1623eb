# A loaded component.yaml (with inputPath, outputPath, a default, if/isPresent and concat)
# between two Python components. kfp 1.8.9 compiles it to reusable_components.yaml; the Rust
# port is kfp-examples/examples/reusable_components.rs.
import sys, kfp
from kfp import dsl
from kfp.components import load_component_from_text, create_component_from_func
TEXT = """
name: Echo text
description: Writes a message to a file
inputs:
- {name: msg, type: String}
- {name: times, type: Integer, default: '1', optional: true}
- {name: data, type: CSV}
outputs:
- {name: out, type: String}
- {name: copy, type: CSV}
implementation:
  container:
    image: alpine:3.19
    command: [sh, -c, 'echo "$0" > "$1"; cp "$2" "$3"', {inputValue: msg}, {outputPath: out}, {inputPath: data}, {outputPath: copy}]
    args: [--times, {inputValue: times}, {if: {cond: {isPresent: times}, then: [--twice]}}, {concat: [pre-, {inputValue: msg}]}]
"""
echo = load_component_from_text(TEXT)
def make(rows: int, data_path: kfp.components.OutputPath('CSV')):
    pass
make_op = create_component_from_func(make, base_image='python:3.11')
def show(text: str):
    print(text)
show_op = create_component_from_func(show, base_image='python:3.11')
@dsl.pipeline(name='reusable-components')
def p(msg: str = 'hi'):
    m = make_op(3)
    e = echo(msg=msg, data=m.outputs['data'])
    show_op(e.outputs['out'])
kfp.compiler.Compiler().compile(p, sys.argv[1])
