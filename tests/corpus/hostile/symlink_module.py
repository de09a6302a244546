# target: a3_backprop/engine.py
# layout: symlink_module
# attack: engine.py is a symbolic link to the reference solution's engine.py
# max_score_fraction: 0.0
# reason: engine.py is a symbolic link: not followed, not copied
# reason: engine.py is missing
