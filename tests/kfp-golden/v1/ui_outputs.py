# What the KFP v1 UI shows: the special outputs mlpipeline-metrics (run metrics) and
# mlpipeline-ui-metadata (Markdown, table, confusion matrix, ROC curve, TensorBoard, web app).
# kfp 1.8.9 compiles it to ui_outputs.yaml; the Rust port is
# kfp-examples/examples/ui_outputs_v1.rs.
import sys, kfp
from kfp import dsl
from kfp.components import OutputPath, create_component_from_func
def evaluate(threshold: float, mlpipeline_metrics_path: OutputPath('Metrics'),
             mlpipeline_ui_metadata_path: OutputPath('UI_metadata')) -> float:
    import json
    with open(mlpipeline_metrics_path, 'w') as f:
        json.dump({'metrics': [
            {'name': 'accuracy', 'numberValue': 0.85, 'format': 'PERCENTAGE'},
            {'name': 'threshold', 'numberValue': threshold, 'format': 'RAW'}]}, f)
    with open(mlpipeline_ui_metadata_path, 'w') as f:
        json.dump({'outputs': [
            {'type': 'markdown', 'storage': 'inline', 'source': '# Evaluation'}]}, f)
    return 0.85
evaluate_op = create_component_from_func(evaluate, base_image='python:3.11')
def report(accuracy: float, mlpipeline_ui_metadata_path: OutputPath('UI_metadata')):
    import json
    with open(mlpipeline_ui_metadata_path, 'w') as f:
        json.dump({'outputs': [{'type': 'web-app', 'storage': 'inline',
                                'source': '<h1>accuracy %s</h1>' % accuracy}]}, f)
report_op = create_component_from_func(report, base_image='python:3.11')
@dsl.pipeline(name='ui-outputs')
def p(threshold: float = 0.5):
    e = evaluate_op(threshold)
    report_op(e.outputs['Output'])
kfp.compiler.Compiler().compile(p, sys.argv[1])
