"""Backprop Lab's autograder: grades submissions out of process and explains every lost point."""

__version__ = "0.1.0"
