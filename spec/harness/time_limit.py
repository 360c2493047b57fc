"""A per-test time limit, so that an implementation that hangs cannot hang the run.

``time_limit(seconds, what)`` arms a POSIX interval timer (``SIGALRM``); when it fires, it raises
``TimeLimitExceeded`` in the running code, with a message that names the call into the
implementation that was running (found on the interrupted stack: the innermost call made from the
spec's own code). ``TimeLimitExceeded`` is a ``BaseException``, so neither hypothesis (which would
shrink it, re-running the hang many times) nor the implementation's own ``except Exception``
swallows it. Where there is no ``SIGALRM`` (Windows) or off the main thread, there is no limit.
"""
import signal
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parents[1]      # the clause modules: calls made from them


class TimeLimitExceeded(BaseException):
    """A test ran longer than its time limit."""


def supported():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def where(frame):
    """The call that was running in ``frame``'s stack, as "NAME (FILE:LINE), called from
    SPECFILE:LINE: `source`", or the innermost frame if the spec made no call."""
    stack = traceback.extract_stack(frame)
    from_spec = [i for i, entry in enumerate(stack) if Path(entry.filename).resolve().parent == SPEC_DIR]
    if not from_spec or from_spec[-1] == len(stack) - 1:
        last = stack[-1]
        return f"in {last.name} ({last.filename}:{last.lineno})"
    caller, callee = stack[from_spec[-1]], stack[from_spec[-1] + 1]
    return (f"in {callee.name} ({callee.filename}:{callee.lineno}), called from "
            f"{Path(caller.filename).name}:{caller.lineno}: `{caller.line}`")


@contextmanager
def time_limit(seconds, what):
    """Raise ``TimeLimitExceeded`` in the body if it runs longer than ``seconds`` (0: no limit)."""
    if not seconds or not supported():
        yield
        return

    def expire(signum, frame):
        raise TimeLimitExceeded(f"{what} did not finish within the time limit of {seconds:g} s: "
                                f"it was {where(frame)}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
