"""Sharing the machine's cores among processes that run at the same time.

NumPy's BLAS (OpenBLAS, MKL) and OpenMP start one thread per core in every process. Two
pytest-xdist workers, or two ``python -m spec`` jobs, on 2 cores then run 4 busy threads that spin
against each other: measured on 2 cores, the repository's default run took 70 s with the
defaults and 49 s with one BLAS thread per worker (one test, the text experiment of clause 14,
went from 20 s to 4 s). The thread count changed no verdict: ``python -m spec`` gave the same cells.
"""
import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_limits(processes, environ=os.environ):
    """The variables that give each of ``processes`` processes its share of the cores (at least
    one thread), or none if ``environ`` already sets any of them: the caller's choice wins."""
    if any(name in environ for name in THREAD_VARIABLES):
        return {}
    share = str(max(1, (os.cpu_count() or 1) // max(1, processes)))
    return dict.fromkeys(THREAD_VARIABLES, share)


def share_cores_among_workers(config):
    """In pytest-xdist's controller of a run with ``-n N`` (N > 1), set ``thread_limits(N)`` in
    the environment the workers are started with (they start after ``pytest_configure``)."""
    workers = getattr(config.option, "numprocesses", None)
    if hasattr(config, "workerinput") or not isinstance(workers, int) or workers < 2:
        return
    os.environ.update(thread_limits(workers))
