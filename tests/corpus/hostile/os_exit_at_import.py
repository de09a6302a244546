# target: a3_backprop/engine.py
# attack: os._exit(0) at import: no exception to catch, the process just ends with status 0
# max_score_fraction: 0.0
# reason: exited during import of engine.py with status 0
import os

os._exit(0)
