# target: a3_backprop/engine.py
# layout: non_utf8
# attack: the module holds Latin-1 bytes (caf\xe9) and a file name that is not UTF-8
# max_score_fraction: 0.0
# reason: SyntaxError
# reason: utf-8
