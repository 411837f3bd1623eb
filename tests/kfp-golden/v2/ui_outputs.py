# What the KFP UI shows: scalar metrics, a confusion matrix and a ROC curve, Markdown and HTML
# (and the SlicedClassificationMetrics type). kfp 2.17.3 compiles it to ui_outputs.yaml; the
# Rust port is kfp-examples/examples/ui_outputs.rs.
import sys

from kfp import compiler, dsl
from kfp.dsl import (HTML, ClassificationMetrics, Markdown, Metrics, Output,
                     SlicedClassificationMetrics)


@dsl.component(base_image='python:3.11')
def evaluate(threshold: float, metrics: Output[Metrics],
             classification: Output[ClassificationMetrics]) -> float:
    metrics.log_metric('accuracy', 0.85)
    metrics.log_metric('threshold', threshold)
    classification.log_confusion_matrix(['cat', 'dog'], [[8, 2], [1, 9]])
    classification.log_roc_curve([0.0, 0.2, 1.0], [0.0, 0.8, 1.0], [1.0, 0.5, 0.0])
    classification.log_roc_data_point(fpr=0.1, tpr=0.6, threshold=0.7)
    return 0.85


@dsl.component(base_image='python:3.11')
def report(accuracy: float, markdown: Output[Markdown], page: Output[HTML],
           slices: Output[SlicedClassificationMetrics]):
    with open(markdown.path, 'w') as f:
        f.write(f'# Evaluation\n\naccuracy: {accuracy}\n')
    with open(page.path, 'w') as f:
        f.write(f'<h1>Evaluation</h1><p>accuracy: {accuracy}</p>')


@dsl.pipeline(name='ui-outputs')
def ui_outputs(threshold: float = 0.5):
    e = evaluate(threshold=threshold)
    report(accuracy=e.outputs['Output'])


if __name__ == '__main__':
    compiler.Compiler().compile(ui_outputs, sys.argv[1])
