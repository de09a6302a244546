OK_FORMAT = True

test = {
    "name": "q3_perceptron_update",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": r"""
>>> import numpy as np
>>> np.array_equal(perceptron_update(np.zeros(3), np.array([1.0, 2.0, 1.0]), 1), [1, 2, 1])
True
>>> w = np.array([1.0, 0.0, 0.0])
>>> np.array_equal(perceptron_update(w, np.array([2.0, 0.0, 1.0]), 1), [1, 0, 0])
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
