# target: a1_perceptron/perceptron.py
# base: stub
# needs: confinement
# attack: the perceptron stub tries to become the reference by reading it from the repo (absolute path and ../.. walks)
# max_score_fraction: 0.0
# reason: NotImplementedError
import os as _os

_CANDIDATES = ["__REPO__/reference_solution/a1_perceptron/perceptron.py"]
_here = _os.path.dirname(_os.path.abspath(__file__))
for _depth in range(1, 8):
    _up = _os.path.join(_here, *[".."] * _depth)
    _CANDIDATES.append(_os.path.join(_up, "reference_solution", "a1_perceptron", "perceptron.py"))
for _path in _CANDIDATES:
    try:
        with open(_path) as _f:
            exec(compile(_f.read(), _path, "exec"), globals())  # become the reference
        break
    except OSError:
        continue
