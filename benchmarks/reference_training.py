"""The reference MLP's train_mlp against scikit-learn's MLPClassifier and PyTorch, on digits.

Same task for all: [64, 128, 10] ReLU net, the course's settings (hidden check A4
DIGITS_SETTINGS: lr 0.2, momentum 0.9, batch 32, 30 epochs), plain SGD with momentum, no
weight decay, no early stopping, the kit's digits split. Test accuracy is measured after
every epoch; the clock stops while it is measured. Reported: training time until the first
epoch at >= 97 % test accuracy, total training time, final accuracy; median over repeats,
the frameworks interleaved. Differences that remain: scikit-learn draws its own init
(Glorot uniform) and shuffles with its own generator; PyTorch uses the reference's He init
scale and the very same batches (np.random.default_rng(seed) permutations).

Run: python benchmarks/reference_training.py [--repeats 5] [--threads N] [--no-torch]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import time

import _common  # noqa: F401  (puts the repo on sys.path)
import numpy as np

from autograder.data import load_digits
from autograder.staff import reference
from autograder.staff.hidden_checks.a4 import DIGITS_SETTINGS

SIZES = [64, 128, 10]
TARGET = 0.97
PAUSE = 0.5
"""Seconds of rest before each run: OpenMP threads (torch) spin-wait ~0.2 s after their last
parallel region and would otherwise steal a core from the next framework's run."""


class Clock:
    """Training time with evaluation excluded: pause() / resume() around each evaluation."""

    def __init__(self) -> None:
        self.total = 0.0
        self.started = time.perf_counter()

    def pause(self) -> float:
        self.total += time.perf_counter() - self.started
        return self.total

    def resume(self) -> None:
        self.started = time.perf_counter()


def run_reference(data, settings) -> list[tuple[float, float]]:
    """(training seconds so far, test accuracy) after each epoch of the reference train_mlp.

    train_mlp itself runs; sgd_momentum_step is wrapped (on the loaded reference module) so
    the params at each epoch's end can be evaluated with the clock paused.
    """
    mlp = reference.load("mlp")
    X, y, X_test, y_test = data
    steps_per_epoch = math.ceil(len(y) / settings["batch_size"])
    step = mlp.sgd_momentum_step
    curve: list[tuple[float, float]] = []
    count = 0

    def counting_step(*args, **kwargs):
        nonlocal count
        new_params, velocity = step(*args, **kwargs)
        count += 1
        if count % steps_per_epoch == 0:
            seconds = clock.pause()
            curve.append((seconds, mlp.accuracy(mlp.mlp_forward(new_params, X_test), y_test)))
            clock.resume()
        return new_params, velocity

    mlp.sgd_momentum_step = counting_step
    try:
        clock = Clock()
        result = mlp.train_mlp(X, y, SIZES, **settings)
    finally:
        mlp.sgd_momentum_step = step
    final = mlp.accuracy(mlp.mlp_forward(result["params"], X_test), y_test)
    assert abs(final - curve[-1][1]) < 1e-12, "the wrapped step saw other params"
    return curve


def run_sklearn(data, settings) -> list[tuple[float, float]]:
    """scikit-learn MLPClassifier, one partial_fit (one shuffled epoch) per epoch."""
    from sklearn.neural_network import MLPClassifier

    X, y, X_test, y_test = data
    model = MLPClassifier(
        hidden_layer_sizes=tuple(SIZES[1:-1]), activation="relu", solver="sgd", alpha=0.0,
        batch_size=settings["batch_size"], learning_rate="constant",
        learning_rate_init=settings["lr"], momentum=settings["momentum"],
        nesterovs_momentum=False, early_stopping=False, shuffle=True,
        random_state=settings["seed"],
    )
    classes = np.arange(SIZES[-1])
    curve = []
    clock = Clock()
    for _ in range(settings["epochs"]):
        model.partial_fit(X, y, classes=classes)
        seconds = clock.pause()
        curve.append((seconds, float(np.mean(model.predict(X_test) == y_test))))
        clock.resume()
    return curve


def run_torch(data, settings, dtype_name: str) -> list[tuple[float, float]]:
    """PyTorch on the CPU: same net, He-normal init, zero biases, the same batches."""
    import torch

    dtype = getattr(torch, dtype_name)
    X, y, X_test, y_test = data
    torch.manual_seed(settings["seed"])
    layers = []
    for i in range(1, len(SIZES)):
        linear = torch.nn.Linear(SIZES[i - 1], SIZES[i], dtype=dtype)
        with torch.no_grad():
            linear.weight.normal_(0.0, math.sqrt(2.0 / SIZES[i - 1]))
            linear.bias.zero_()
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    optimizer = torch.optim.SGD(model.parameters(), lr=settings["lr"],
                                momentum=settings["momentum"])
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)
    Xv, yv = torch.as_tensor(X_test, dtype=dtype), torch.as_tensor(y_test)
    rng = np.random.default_rng(settings["seed"])
    batch, curve = settings["batch_size"], []
    clock = Clock()
    for _ in range(settings["epochs"]):
        order = torch.as_tensor(rng.permutation(len(y)))
        for start in range(0, len(y), batch):
            idx = order[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            optimizer.step()
        seconds = clock.pause()
        with torch.no_grad():
            curve.append((seconds, float((model(Xv).argmax(1) == yv).double().mean())))
        clock.resume()
    return curve


def time_to_target(curve: list[tuple[float, float]]) -> tuple[float | None, int | None]:
    """(training seconds, epoch) at the first epoch with accuracy >= TARGET, or (None, None)."""
    for epoch, (seconds, acc) in enumerate(curve, start=1):
        if acc >= TARGET:
            return seconds, epoch
    return None, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=DIGITS_SETTINGS["epochs"])
    parser.add_argument("--threads", type=int, help="BLAS/torch threads (default: numpy's)")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args(argv)
    settings = {**DIGITS_SETTINGS, "epochs": args.epochs}

    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:  # not in the test extra: run with numpy's defaults
        threadpool_info, threadpool_limits = list, lambda n: contextlib.nullcontext()
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    numpy_threads = max(p["num_threads"] for p in blas) if blas else os.cpu_count() or 1
    threads = args.threads or numpy_threads
    runners = {"reference train_mlp (numpy f64)": run_reference}
    sklearn_note = ""
    if not args.no_sklearn:
        try:
            import sklearn
        except ImportError:
            sklearn_note = "scikit-learn: not installed (pip install -e '.[bench]'); "
        else:
            sklearn_note = f"scikit-learn {sklearn.__version__}; "
            runners["scikit-learn MLPClassifier (f64)"] = run_sklearn
    torch_note = "torch: not run"
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch_note = "torch: not installed (pip install torch==2.13.0)"
        else:
            torch.set_num_threads(threads)
            torch_note = (f"torch {torch.__version__}: set_num_threads({threads}) ->"
                          f" get_num_threads() = {torch.get_num_threads()}")
            runners["PyTorch CPU (f64)"] = lambda d, s: run_torch(d, s, "float64")
            runners["PyTorch CPU (f32)"] = lambda d, s: run_torch(d, s, "float32")

    X, y = load_digits("train")
    X_test, y_test = load_digits("test")
    data = (X, y, X_test, y_test)
    print(_common.machine_header())
    print(f"numpy/scikit-learn BLAS threads: {threads} (numpy default {numpy_threads}); "
          f"{sklearn_note}{torch_note}")
    print(f"digits: {len(y)} train, {len(y_test)} test; net {SIZES} relu; {settings};"
          f" median of {args.repeats},"
          f" frameworks interleaved, {PAUSE} s rest before each run, after a 1-epoch warm-up\n")

    curves: dict[str, list] = {name: [] for name in runners}
    with threadpool_limits(threads):
        for run in runners.values():  # warm-up: first-call costs (imports, allocators)
            run(data, {**settings, "epochs": 1})
        for _ in range(args.repeats):
            for name, run in runners.items():
                time.sleep(PAUSE)
                curves[name].append(run(data, settings))

    rows, medians = [], {}
    for name, runs in curves.items():
        hits = [time_to_target(c) for c in runs]
        reached = [s for s, _ in hits if s is not None]
        t97 = statistics.median(reached) if len(reached) == len(runs) else None
        medians[name] = t97
        epochs = sorted({e for _, e in hits if e is not None})
        rows.append([
            name,
            f"{t97:.3f}" if t97 is not None else f"not reached ({len(reached)}/{len(runs)})",
            ",".join(map(str, epochs)) or "-",
            f"{statistics.median(c[-1][0] for c in runs):.3f}",
            f"{statistics.median(c[-1][1] for c in runs):.4f}",
            f"{max(a for c in runs for _, a in c):.4f}",
        ])
    ref = medians[next(iter(runners))]
    for row, name in zip(rows, runners, strict=True):
        other = medians[name]
        row.append(f"{ref / other:.2f}" if ref and other else "-")
    _common.print_table(
        ["run", "s to 97 %", "epoch reached", f"s for {settings['epochs']} ep",
         "final acc", "best acc", "ref/this"], rows)
    print("\nref/this < 1: the reference reached 97 % sooner. Targets: ref/scikit-learn < 1,"
          " ref/PyTorch <= 1.5.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
