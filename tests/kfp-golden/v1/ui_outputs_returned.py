# KFP v1's older form of the special outputs: a returned value (a NamedTuple field) named
# mlpipeline_metrics. kfp 1.8.9 compiles it to ui_outputs_returned.yaml; the Rust port is in
# tests/tests/ui_outputs.rs.
import sys, kfp
from typing import NamedTuple
from kfp import dsl
from kfp.components import create_component_from_func
def summary(accuracy: float) -> NamedTuple('Outputs', [('mlpipeline_metrics', str), ('note', str)]):
    import json
    return (json.dumps({'metrics': [{'name': 'accuracy', 'numberValue': accuracy}]}), 'ok')
summary_op = create_component_from_func(summary, base_image='python:3.11')
def show(text: str):
    print(text)
show_op = create_component_from_func(show, base_image='python:3.11')
@dsl.pipeline(name='ui-outputs-returned')
def p(accuracy: float = 0.5):
    s = summary_op(accuracy)
    show_op(s.outputs['note'])
kfp.compiler.Compiler().compile(p, sys.argv[1])
