# What the KFP v1 UI shows: the special outputs mlpipeline-metrics (run metrics) and
# mlpipeline-ui-metadata (Markdown, table, confusion matrix, ROC curve, TensorBoard, web app).
# kfp 1.8.9 compiles it to ui_outputs.yaml; the Rust port is
# kfp-examples/examples/ui_outputs_v1.rs.
import sys, kfp
from kfp import dsl
from kfp.components import OutputPath, create_component_from_func
def evaluate(threshold: float, metric: str, mlpipeline_metrics_path: OutputPath('Metrics'),
             mlpipeline_ui_metadata_path: OutputPath('UI_metadata')) -> float:
    import json
    with open(mlpipeline_metrics_path, 'w') as f:
        json.dump({'metrics': [
            {'name': metric, 'numberValue': 0.85, 'format': 'PERCENTAGE'},
            {'name': 'threshold', 'numberValue': threshold, 'format': 'RAW'}]}, f)
    schema = lambda *names: [{'name': n, 'type': 'NUMBER'} for n in names]
    with open(mlpipeline_ui_metadata_path, 'w') as f:
        json.dump({'outputs': [
            {'type': 'markdown', 'storage': 'inline', 'source': '# Evaluation'},
            {'type': 'table', 'storage': 'inline', 'format': 'csv',
             'header': ['metric', 'value'], 'source': '%s,0.85' % metric},
            {'type': 'confusion_matrix', 'format': 'csv', 'storage': 'inline',
             'schema': [{'name': 'target', 'type': 'CATEGORY'},
                        {'name': 'predicted', 'type': 'CATEGORY'},
                        {'name': 'count', 'type': 'NUMBER'}],
             'source': 'cat,cat,8\ncat,dog,2\ndog,cat,1\ndog,dog,9', 'labels': ['cat', 'dog']},
            {'type': 'roc', 'format': 'csv', 'storage': 'inline',
             'schema': schema('fpr', 'tpr', 'thresholds'),
             'source': '0.0,0.0,1.0\n0.2,0.8,0.5\n1.0,1.0,0.0'}]}, f)
    return 0.85
evaluate_op = create_component_from_func(evaluate, base_image='python:3.11')
def report(accuracy: float, logs: str, mlpipeline_ui_metadata_path: OutputPath('UI_metadata')):
    import json
    with open(mlpipeline_ui_metadata_path, 'w') as f:
        json.dump({'outputs': [
            {'type': 'tensorboard', 'source': logs},
            {'type': 'web-app', 'storage': 'inline',
             'source': '<h1>Evaluation</h1><p>accuracy: %s</p>' % accuracy}]}, f)
report_op = create_component_from_func(report, base_image='python:3.11')
@dsl.pipeline(name='ui-outputs')
def p(threshold: float = 0.5, metric: str = 'accuracy', logs: str = 's3://mlpipeline/logs'):
    e = evaluate_op(threshold, metric)
    report_op(e.outputs['Output'], logs)
kfp.compiler.Compiler().compile(p, sys.argv[1])
