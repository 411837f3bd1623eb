# Volumes on KFP v1: dsl.VolumeOp (an Argo resource template creating a PVC, with outputs
# manifest/name/size) mounted by two tasks with add_pvolumes (the creating step becomes their
# dependency), and an existing claim mounted under an explicit volume name
# (kfp.onprem.mount_pvc), and the claim deleted at the end: the kubectl step kfp 1.8.9's
# VolumeOp.delete() makes, written out as a ContainerOp named like kfp-kubernetes' DeletePVC
# task (VolumeOp.delete() always names it kubernetes-resource-delete). kfp 1.8.9 compiles it
# to volumes.yaml; the Rust port is kfp-examples/examples/volumes_v1.rs.
import sys, kfp
from kfp import dsl, onprem
from kfp.components import create_component_from_func
def write(text: str):
    print(text)
write_op = create_component_from_func(write, base_image='python:3.11')
def read():
    print('r')
read_op = create_component_from_func(read, base_image='python:3.11')
@dsl.pipeline(name='volumes')
def p(text: str = 'hi'):
    vop = dsl.VolumeOp(name='createpvc', resource_name='my-pvc', size='1Gi',
                       modes=dsl.VOLUME_MODE_RWO, storage_class='standard')
    w = write_op(text).add_pvolumes({'/data': vop.volume})
    r = read_op().add_pvolumes({'/data': vop.volume}).after(w)
    # What vop.delete().after(r) makes, named deletepvc.
    dsl.ContainerOp(name='deletepvc', image='gcr.io/cloud-builders/kubectl',
                    command=['kubectl', 'delete', 'PersistentVolumeClaim', vop.outputs['name'],
                             '--ignore-not-found', '--output', 'name', '--wait=false']).after(r)
    read_op().apply(onprem.mount_pvc('existing-claim', 'shared', '/shared'))
kfp.compiler.Compiler().compile(p, sys.argv[1])
