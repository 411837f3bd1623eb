# Volumes on KFP v2: kfp-kubernetes' CreatePVC and DeletePVC as tasks, mount_pvc taking the
# created claim's name (a task output: pvcNameParameter.taskOutputParameter) and an existing
# claim's name. kfp 2.17.3 compiles it to volumes.yaml; the Rust port is
# kfp-examples/examples/volumes.rs.
import sys
from kfp import dsl, compiler, kubernetes
@dsl.component(base_image='python:3.11')
def write(text: str):
    print(text)
@dsl.component(base_image='python:3.11')
def read():
    print('r')
@dsl.pipeline(name='volumes')
def p(text: str = 'hi'):
    pvc = kubernetes.CreatePVC(pvc_name_suffix='-my-pvc', access_modes=['ReadWriteOnce'],
                               size='1Gi', storage_class_name='standard')
    w = write(text=text)
    kubernetes.mount_pvc(w, pvc_name=pvc.outputs['name'], mount_path='/data')
    r = read().after(w)
    kubernetes.mount_pvc(r, pvc_name=pvc.outputs['name'], mount_path='/data')
    kubernetes.DeletePVC(pvc_name=pvc.outputs['name']).after(r)
    e = read()
    kubernetes.mount_pvc(e, pvc_name='existing-claim', mount_path='/shared')
compiler.Compiler().compile(p, sys.argv[1])
