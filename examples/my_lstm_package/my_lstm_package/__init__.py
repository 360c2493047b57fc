"""my_lstm_package: a third-party implementation of the stateful-lstm-spec contract as an
installable package that registers itself under the entry-point group
``stateful_lstm_spec.implementations`` (``pyproject.toml``), so that ``python -m spec`` finds it
by name and runs it by default. What it shows is the packaging; the model is the NumPy
reference's (``examples/my_lstm.py`` shows a model written against the contract)."""
import numpy as np

from stateful_lstm import make_lstm

__version__ = "0.1.0"
__all__ = ["describe", "make_lstm"]


def describe():
    return f"my_lstm_package {__version__} (the NumPy reference, NumPy {np.__version__})"
