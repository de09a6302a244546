"""The package list, which pyproject.toml cannot say: every folder of ``autograder/`` (some,
like ``isolation/``, have no ``__init__.py``), plus the top-level ``datasets/`` folder (the one
copy in git) installed as ``autograder.datasets``, so ``autograder.data`` reads the digits
with importlib.resources from a wheel and from a checkout. Everything else is in
pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["autograder", "autograder.*"], exclude=["*__pycache__"]),
        "autograder.datasets",
    ],
    package_dir={"autograder.datasets": "datasets"},
)
