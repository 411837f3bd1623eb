# Writes kfp-kubernetes' CreatePVC and DeletePVC components as component IR files
# (kfp-core/src/volumes/createpvc.yaml, deletepvc.yaml), which kfp-core embeds. Run with
# kfp 2.17.3 and kfp-kubernetes 2.17.3:
#   python volumes_components.py ../../../kfp-core/src/volumes/createpvc.yaml ../../../kfp-core/src/volumes/deletepvc.yaml
import sys
from kfp import compiler, kubernetes
compiler.Compiler().compile(kubernetes.CreatePVC, sys.argv[1])
compiler.Compiler().compile(kubernetes.DeletePVC, sys.argv[2])
