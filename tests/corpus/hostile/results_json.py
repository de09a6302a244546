# target: a3_backprop/engine.py
# base: stub
# needs: isolation
# attack: writes a full-marks results.json to the cwd, $HOME, /autograder/results and the grader's own results path
# max_score_fraction: 0.0
# reason: NotImplementedError
import json as _json
import os as _os

_FAKE = _json.dumps({"score": 20.0, "max_score": 20.0, "tests": [], "output": "PWNED"})
for _target in ("results.json", _os.path.expanduser("~/results.json"),
                "/autograder/results/results.json", "__RESULTS__"):
    try:
        _os.makedirs(_os.path.dirname(_os.path.abspath(_target)), exist_ok=True)
        with open(_target, "w") as _f:
            _f.write(_FAKE)
    except OSError:
        pass
