# target: a3_backprop/engine.py
# attack: prints 2 GB at import (print and sys.stdout), then writes to fd 1 and 2 until the file limit
# max_score_fraction: 1.0
# min_score_fraction: 1.0
import os as _os
import sys as _sys

_MB = "PASSED " * 150_000  # ~1 MB per line
for _ in range(1000):
    print(_MB)
    _sys.stdout.write(_MB)
for _fd in (1, 2):
    try:
        for _ in range(200):
            _os.write(_fd, _MB.encode())
    except OSError:
        pass
