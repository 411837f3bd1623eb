# Pod metadata and caching on KFP v2: caching off, pod annotations and labels (kfp-kubernetes'
# PlatformSpec podMetadata), and a loaded component.yaml whose metadata kfp 2 drops. kfp 2.17.3
# compiles it to pod_metadata.yaml; the Rust port is kfp-examples/examples/pod_metadata.rs.
import sys
from kfp import dsl, compiler, kubernetes
from kfp.components import load_component_from_text
TEXT = """
name: Tagged echo
metadata:
  annotations:
    author: Jane Doe
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
@dsl.component(base_image='python:3.11')
def produce(n: int) -> int:
    return n * 2
@dsl.component(base_image='python:3.11')
def show(x: int):
    print(x)
@dsl.pipeline(name='pod-metadata')
def p(n: int = 3):
    a = produce(n=n).set_caching_options(False)
    b = show(x=a.output)
    kubernetes.add_pod_annotation(b, 'example.com/owner', 'data-team')
    kubernetes.add_pod_label(b, 'example.com/tier', 'batch')
    kubernetes.add_pod_label(b, 'app', 'demo')
    e = echo(msg='hi')
    kubernetes.add_pod_annotation(e, 'note', 'loaded')
compiler.Compiler().compile(p, sys.argv[1])
