# dsl.Collected of artifacts: the datasets a loop makes, one per iteration, collected into a
# list-of-artifacts input (Input[List[Dataset]]) of a component loaded from its IR
# (kfp-examples/components/count_files_v2.yaml). KFP v2 only. kfp 2.17.3 compiles it to
# collected_artifacts.yaml; the Rust port is kfp-examples/examples/collected_artifacts.rs.
import os, sys
from kfp import compiler, components, dsl
from kfp.dsl import Dataset, Output
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'kfp-examples', 'components')
count_files = components.load_component_from_file(os.path.join(HERE, 'count_files_v2.yaml'))
@dsl.component(base_image='python:3.11')
def make(n: int, data: Output[Dataset]):
    with open(data.path, 'w') as f:
        f.write(str(n))
@dsl.pipeline(name='collected-artifacts')
def collected_artifacts():
    with dsl.ParallelFor([1, 2, 3]) as n:
        m = make(n=n)
    count_files(datasets=dsl.Collected(m.outputs['data']))
if __name__ == '__main__':
    compiler.Compiler().compile(collected_artifacts, sys.argv[1])
