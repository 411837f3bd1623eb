# Writes the component IR that collected_artifacts.py loads
# (kfp-examples/components/count_files_v2.yaml): a Python component taking a list of datasets
# (Input[List[Dataset]]). Run with kfp 2.17.3:
#   python collected_artifacts_components.py ../../../kfp-examples/components/count_files_v2.yaml
import sys
from typing import List
from kfp import dsl, compiler
from kfp.dsl import Dataset, Input
@dsl.component(base_image='python:3.11')
def count_files(datasets: Input[List[Dataset]]) -> int:
    return len(datasets)
compiler.Compiler().compile(count_files, sys.argv[1])
