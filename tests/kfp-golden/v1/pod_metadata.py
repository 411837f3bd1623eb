# Pod metadata and caching on KFP v1: caching off (the enable_caching label alone), a separate
# max_cache_staleness, pod annotations and labels, and a loaded component.yaml's own
# metadata.annotations/labels copied onto its template. kfp 1.8.9 compiles it to
# pod_metadata.yaml; the Rust port is kfp-examples/examples/pod_metadata.rs.
import sys, kfp
from kfp import dsl
from kfp.components import load_component_from_text, create_component_from_func
TEXT = """
name: Tagged echo
metadata:
  annotations:
    author: Jane Doe
    canonical_location: https://example.com/echo.yaml
  labels:
    team: ml
inputs:
- {name: msg, type: String}
implementation:
  container:
    image: alpine:3.19
    command: [echo, {inputValue: msg}]
"""
echo = load_component_from_text(TEXT)
def produce(n: int) -> int:
    return n * 2
produce_op = create_component_from_func(produce, base_image='python:3.11')
def show(x: int):
    print(x)
show_op = create_component_from_func(show, base_image='python:3.11')
@dsl.pipeline(name='pod-metadata')
def p(n: int = 3):
    a = produce_op(n).set_caching_options(False)
    b = show_op(a.output)
    b.execution_options.caching_strategy.max_cache_staleness = 'P0D'
    b.add_pod_annotation('example.com/owner', 'data-team')
    b.add_pod_label('example.com/tier', 'batch')
    b.add_pod_label('app', 'demo')
    echo(msg='hi').add_pod_annotation('note', 'loaded')
kfp.compiler.Compiler().compile(p, sys.argv[1])
