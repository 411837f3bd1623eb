# Loaded components that keep their names exactly (a KFP v2 container component's output
# Shouted, a Python component IR's output Output) and an untyped inputPath (an artifact on KFP
# v2). kfp 2.17.3 drops the IR's descriptions from the pipeline. Compiled to loaded_io.yaml; the
# Rust port is kfp-examples/examples/loaded_io.rs.
import os, sys
from kfp import compiler, components, dsl
from kfp.dsl import Dataset, Output
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'kfp-examples', 'components')
shout = components.load_component_from_file(os.path.join(HERE, 'shout_v2.yaml'))
count = components.load_component_from_file(os.path.join(HERE, 'count_v2.yaml'))
keep = components.load_component_from_text("""
name: Keep
inputs:
- {name: blob, description: Any file}
implementation:
  container:
    image: alpine:3.19
    command: [cat, {inputPath: blob}]
""")

@dsl.component(base_image='python:3.11')
def show(n: int, text: str):
    print(n, text)

@dsl.pipeline(name='loaded-io')
def loaded_io(word: str = 'hi'):
    s = shout(word=word)
    c = count(text=s.outputs['Shouted'])
    show(n=c.output, text=s.outputs['Shouted'])
    keep(blob=s.outputs['data'])

if __name__ == '__main__':
    compiler.Compiler().compile(loaded_io, sys.argv[1])
