"""Writes tfteach/compat/_v1_names.py from TF 2.21's tf.compat.v1 (run with $TFTEACH_TF_PYTHON)."""
import sys, types, textwrap
import tensorflow.compat.v1 as tf

def names(obj):
    return sorted(n for n in dir(obj) if not n.startswith('_'))

top = names(tf)
mods = {}
for n in top:
    v = getattr(tf, n)
    if isinstance(v, types.ModuleType) or type(v).__name__ == 'KerasLazyLoader':
        mods[n] = v
out = ['"""Public names of TensorFlow 2.21\'s `tf.compat.v1` and its submodules (names only).',
       '',
       'Generated once from TF 2.21 (`dir(tf.compat.v1)` and of each submodule); the TF1',
       'namespace exposes a name only when it is listed here and tfteach implements it.',
       '`layers` is absent from SUBMODULES: under Keras 3 TF cannot list it (every attribute',
       'raises "`X` is not available with Keras 3."). `flags` lists the absl.flags names TF',
       're-exports; tfteach serves them from absl when installed, else from its own subset.',
       '"""', '']

def block(var, ns):
    body = textwrap.fill(' '.join(ns), 92)
    out.append(f'{var} = frozenset("""\n{body}\n""".split())\n')

block('TOP', top)
block('TOP_MODULES', sorted(mods))
out.append('SUBMODULES = {')
for m in sorted(mods):
    if m in ('raw_ops', 'layers'):
        continue
    try:
        ns = names(mods[m])
    except Exception:
        continue
    body = textwrap.fill(' '.join(ns), 88, initial_indent='    ', subsequent_indent='    ')
    out.append(f'    "{m}": frozenset("""\n{body}\n""".split()),')
out.append('}')
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
