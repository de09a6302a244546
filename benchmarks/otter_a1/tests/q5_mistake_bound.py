OK_FORMAT = True

test = {
    "name": "q5_mistake_bound",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": r"""
>>> import numpy as np
>>> Xb = np.array([[3.0, 4.0, 0.0], [-3.0, -4.0, 0.0]])
>>> bound = mistake_bound(Xb, np.array([1.0, -1.0]), np.array([1.0, 0.0, 0.0]))
>>> abs(bound - 25 / 9) < 1e-9
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
