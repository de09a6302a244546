"""Hidden checks: differential against the reference solution; never shipped."""



def missing_inputs() -> str:
    """Why the hidden checks cannot run here ("" when they can): they need the reference."""
    from autograder.staff import reference

    return reference.missing()
