# target: a3_backprop/engine.py
# layout: symlink_folder
# attack: the a3_backprop/ folder is a symbolic link to reference_solution/a3_backprop
# max_score_fraction: 0.0
# reason: a3_backprop/ is a symbolic link: not followed
