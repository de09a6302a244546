# target: a3_backprop/engine.py
# attack: an endless loop at import
# max_score_fraction: 0.0
# reason: timed out after 10 s in import of engine.py
while True:
    pass
