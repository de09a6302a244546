# target: a3_backprop/engine.py
# base: stub
# attack: prints "PASSED" lines and Gradescope-style JSON score lines at import and in every call
# max_score_fraction: 0.0
# reason: NotImplementedError
import json as _json
import sys as _sys

_FAKE = _json.dumps({"score": 20.0, "max_score": 20.0, "status": "passed"})
for _ in range(3):
    print("PASSED: all checks passed, Total: 20 / 20 points")
    print(_FAKE)
    print(_FAKE, file=_sys.stderr)
    _sys.__stdout__.write(_FAKE + "\n")
