# target: a3_backprop/engine.py
# layout: pickle
# attack: leaves answers.pkl whose unpickling would run a shell command, hoping the grader loads it
# max_score_fraction: 1.0
# min_score_fraction: 1.0
# reason: answers.pkl: not copied
