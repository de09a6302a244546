"""Worker round trips and wall time of one `autograder grade DIR` (issue 16, "fewer round trips").

    nice -n 19 python benchmarks/round_trips.py reference_solution --results /tmp/r.json

Runs the CLI in this process (``--jobs 1``, the default) and counts the requests sent to
the sandboxed worker for calls (op "call" and "batch": each is one round trip; imports,
output and graph requests are counted apart). Prints one JSON line. Run it from the
checkout to measure (``python benchmarks/...`` puts the checkout's autograder first).
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))


def main() -> int:
    from autograder import cli
    from autograder.isolation import worker

    sent: collections.Counter = collections.Counter()
    send = worker.Worker._send

    def counting(self, proc, request):
        sent[str(request.get("op"))] += 1
        return send(self, proc, request)

    worker.Worker._send = counting
    began = time.perf_counter()
    status = cli.main(["grade", *sys.argv[1:], "--quiet"])
    seconds = time.perf_counter() - began
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(json.dumps({"status": status, "seconds": round(seconds, 2),
                      "round_trips": sent["call"] + sent["batch"], "ops": dict(sent),
                      "load": load}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
