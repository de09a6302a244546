OK_FORMAT = True

test = {
    "name": "q4_train_perceptron",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": r"""
>>> import numpy as np
>>> run = train_perceptron(np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, 1.0]]), np.array([1.0, -1.0]))
>>> np.array_equal(run["weights"], [1, 1, 1]), run["updates"], run["converged"]
(True, 1, True)
>>> run["mistakes_per_epoch"]
[1, 0]
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
