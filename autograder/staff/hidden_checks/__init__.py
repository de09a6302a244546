"""Hidden checks: differential against the reference solution; never shipped."""
