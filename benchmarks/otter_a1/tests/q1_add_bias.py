OK_FORMAT = True

test = {
    "name": "q1_add_bias",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": r"""
>>> import numpy as np
>>> np.array_equal(add_bias(np.array([[1.0, 2.0], [3.0, 4.0]])), [[1, 2, 1], [3, 4, 1]])
True
""",
                    "hidden": False,
                    "locked": False,
                },
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        },
    ],
}
