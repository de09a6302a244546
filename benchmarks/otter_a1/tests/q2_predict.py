OK_FORMAT = True

test = {
    "name": "q2_predict",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": r"""
>>> import numpy as np
>>> Xb = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])
>>> np.array_equal(predict(np.array([1.0, -1.0, 0.0]), Xb), [1, -1, -1])
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
