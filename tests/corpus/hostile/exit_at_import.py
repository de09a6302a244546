# target: a3_backprop/engine.py
# attack: sys.exit(0) at import, hoping the grader reads "status 0" as success
# max_score_fraction: 0.0
# reason: engine.py could not be imported: SystemExit: exit status 0
import sys

sys.exit(0)
