"""The package list, which pyproject.toml cannot say: every ``autograder*`` package, plus the
top-level ``datasets/`` folder (the one copy in git) installed as ``autograder.datasets``, so
``autograder.data`` reads the digits with importlib.resources from a wheel and from a checkout.
Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["autograder", "autograder.*"]), "autograder.datasets"],
    package_dir={"autograder.datasets": "datasets"},
)
