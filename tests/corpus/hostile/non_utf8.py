# target: a3_backprop/engine.py
# layout: non_utf8
# attack: a Latin-1 string literal in the module (caf\xe9) and a file name that is not UTF-8
# max_score_fraction: 0.0
# reason: SyntaxError
# reason: utf-8
