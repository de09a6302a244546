"""Feedback a student can act on: pasteable calls, named outputs, reproducible messages.

Trusted side only, plain data in and text out; nothing here runs student code.
``calls``: a failing call as Python a student can paste (``fn(param=np.array([...]))``);
``names``: parameter names from the stubs' signatures and output names from the
reference's documented returns; ``randomness``: the message for unseeded randomness.
"""
