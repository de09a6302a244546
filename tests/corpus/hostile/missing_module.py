# target: a3_backprop/engine.py
# layout: rename:Engine_final.py
# attack: the module is renamed (Engine_final.py)
# max_score_fraction: 0.0
# reason: a3_backprop/engine.py is missing (found: Engine_final.py)
