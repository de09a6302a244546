# target: a3_backprop/engine.py
# base: stub
# needs: confinement
# attack: opens the repo's reference_solution/ and autograder/staff/hidden_checks/ (absolute path and ../../.. walks) and becomes the reference
# max_score_fraction: 0.0
# reason: NotImplementedError
import os as _os

_CANDIDATES = ["__REPO__/reference_solution/a3_backprop/engine.py"]
_here = _os.path.dirname(_os.path.abspath(__file__))
for _depth in range(1, 8):
    _up = _os.path.join(_here, *[".."] * _depth)
    _CANDIDATES.append(_os.path.join(_up, "reference_solution", "a3_backprop", "engine.py"))
    _CANDIDATES.append(_os.path.join(_up, "main", "reference_solution", "a3_backprop",
                                     "engine.py"))
_HIDDEN = ["__REPO__/autograder/staff/hidden_checks/a3.py",
           _os.path.join(_here, "..", "..", "..", "autograder", "staff", "hidden_checks", "a3.py")]

STOLEN = []
for _path in _HIDDEN:
    try:
        with open(_path) as _f:
            STOLEN.append(("hidden", _f.read()))
    except OSError:
        pass
for _path in _CANDIDATES:
    try:
        with open(_path) as _f:
            _source = _f.read()
    except OSError:
        continue
    exec(compile(_source, _path, "exec"), globals())  # become the reference
    STOLEN.append(("reference", _path))
    break
