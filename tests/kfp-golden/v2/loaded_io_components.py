# Writes the two component IR files that loaded_io.py loads (kfp-examples/components/shout_v2.yaml,
# count_v2.yaml): a container component with descriptions and an output named with a capital,
# and a Python component whose single output is called Output. Run with kfp 2.17.3:
#   python loaded_io_components.py ../../../kfp-examples/components/shout_v2.yaml ../../../kfp-examples/components/count_v2.yaml
import sys
from kfp import dsl, compiler
from kfp.dsl import Output, Dataset, OutputPath

@dsl.container_component
def shout(word: str, Shouted: OutputPath(str), data: Output[Dataset]):
    """Shouts a word.

    Args:
        word: The word to shout.

    Returns:
        Shouted: The shouted word.
        data: A file with it.
    """
    return dsl.ContainerSpec(image='alpine:3.19', command=['sh', '-c', 'echo "$0" | tee "$1" > "$2"'], args=[word, Shouted, data.path])

@dsl.component(base_image='python:3.11')
def count(text: str) -> int:
    """Counts the characters of a text."""
    return len(text)

compiler.Compiler().compile(shout, sys.argv[1])
compiler.Compiler().compile(count, sys.argv[2])
