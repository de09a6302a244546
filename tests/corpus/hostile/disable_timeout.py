# target: a4_mlp/mlp.py
# attack: ignores SIGALRM, cancels alarms and itimers, starts a thread that re-ignores them, then loops forever in accuracy (of 4.6 only "accuracy by hand" calls it: the grader measures training accuracy itself, so 0.5 of 20 points are lost)
# max_score_fraction: 0.975
# loses: 4.6
# reason: timed out after 10 s in mlp.accuracy
import signal as _signal
import threading as _threading


def _no_alarms():
    for _sig in (_signal.SIGALRM, _signal.SIGVTALRM, _signal.SIGPROF, _signal.SIGINT,
                 _signal.SIGTERM):
        _signal.signal(_sig, _signal.SIG_IGN)
    _signal.alarm(0)
    _signal.setitimer(_signal.ITIMER_REAL, 0)


def _keep_disabling():
    while True:
        try:
            _signal.alarm(0)
        except Exception:
            pass


_no_alarms()
_threading.Thread(target=_keep_disabling, daemon=True).start()


def accuracy(logits, labels):
    _no_alarms()
    while True:
        pass
