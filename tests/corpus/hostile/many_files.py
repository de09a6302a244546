# target: a3_backprop/engine.py
# layout: many_files
# attack: 5,000 small files and a 20-level deep folder beside a correct module
# max_score_fraction: 1.0
# min_score_fraction: 1.0
# reason: files (the limit)
# reason: more file(s) not copied
