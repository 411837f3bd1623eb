# The v1 component.yaml of ../v1/reusable_components.py (inputPath, outputPath, a default,
# if/isPresent and concat) between two Python components, compiled by kfp 2.17.3 to
# reusable_components.yaml; the Rust port is kfp-examples/examples/reusable_components.rs.
# kfp 2.x keeps the `_path` suffix of an OutputPath, so the file output is `data_path`.
import sys
from kfp import compiler, dsl
from kfp.components import load_component_from_text
from kfp.dsl import OutputPath
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
@dsl.component(base_image='python:3.11')
def make(rows: int, data_path: OutputPath('CSV')):
    pass
@dsl.component(base_image='python:3.11')
def show(text: str):
    print(text)
@dsl.pipeline(name='reusable-components')
def p(msg: str = 'hi'):
    m = make(rows=3)
    e = echo(msg=msg, data=m.outputs['data_path'])
    show(text=e.outputs['out'])
compiler.Compiler().compile(p, sys.argv[1])
