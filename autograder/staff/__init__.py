"""Staff only: never shipped to students (the release bundle omits this folder whole).

Everything that reads the reference solution or serves the course staff lives here: the
hidden checks, the reference loader, class grading, Gradescope, nbgrader, the release
bundle, the stub generator, the corpus and the demo. The core finds this side only through
the entry points pyproject.toml declares: the grading context (``backprop_lab.context``:
context.py) and the subcommands (``backprop_lab.commands``: commands.py).
"""
