# target: a3_backprop/engine.py
# layout: bad_notebook
# attack: the assignment's notebook is not valid JSON (and not UTF-8); .py grading must not care
# max_score_fraction: 1.0
# min_score_fraction: 1.0
