# target: a3_backprop/engine.py
# attack: cos dereferences a null pointer through ctypes
# max_score_fraction: 0.9
# loses: 3.3
# reason: crashed with signal SIGSEGV
import ctypes as _ctypes


def _crashing_cos(self):
    return _ctypes.string_at(0)


Value.cos = _crashing_cos
