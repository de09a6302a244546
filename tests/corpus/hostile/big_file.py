# target: a3_backprop/engine.py
# layout: big_file
# attack: a 1 GiB (sparse) weights.npy beside a correct module
# max_score_fraction: 1.0
# min_score_fraction: 1.0
# reason: weights.npy is 1.0 GiB, more than the 16.0 MiB allowed per file: not copied
