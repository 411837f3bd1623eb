# The executor output kfp 2.17.3's own executor writes for ui_outputs.py's `evaluate`
# component (scalar metrics, a confusion matrix, a ROC curve), run with kfp.local. Writes
# ui_outputs_executor.json: the executor input kfp.local built and the executor_output.json the
# executor wrote, both with the task's folder replaced by TASK_ROOT. The Rust port of the
# component must write the same executor_output.json for the same executor input
# (tests/tests/ui_outputs.rs).
#
#   python ui_outputs_executor.py ui_outputs_executor.json   # with the kfp 2.17.3 venv's python
import glob
import json
import os
import sys
import tempfile

from google.protobuf import json_format
from kfp import local
from kfp.local import executor_input_utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ui_outputs import evaluate  # noqa: E402

ARGS = {'threshold': 0.5}

with tempfile.TemporaryDirectory() as root:
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=root)
    evaluate(**ARGS)
    [output_file] = glob.glob(os.path.join(root, '**', 'executor_output.json'), recursive=True)
    task_root = os.path.dirname(output_file)
    with open(output_file) as f:
        text = f.read()
    spec = evaluate.pipeline_spec.components['comp-evaluate']
    executor_input = executor_input_utils.construct_executor_input(
        spec, ARGS, task_root, block_input_artifact=True)
    executor_input = json.dumps(json_format.MessageToDict(executor_input))
fixture = {
    'executor_input': executor_input.replace(task_root, 'TASK_ROOT'),
    'executor_output': text.replace(task_root, 'TASK_ROOT'),
}
with open(sys.argv[1], 'w') as f:
    json.dump(fixture, f, indent=2)
    f.write('\n')
