"""What the commands share: argparse types, the check of a plot's path (before any training), and
the tqdm progress bar (none without tqdm)."""
import argparse
import math
import os
import sys
from pathlib import Path


def at_least(minimum):
    """An argparse type: an integer >= ``minimum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer; received {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; received {value}")
        return value
    return parse


def positive_float(text):
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; received {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number; received {text}")
    return value


def plot_path(value):
    """The file ``--plot`` will write, checked before any training: matplotlib is installed, the
    folder exists and is writable, the suffix is a format matplotlib writes (none: ``.png``)."""
    try:
        import matplotlib
    except ImportError:
        raise ValueError("--plot needs matplotlib: pip install 'stateful-lstm-spec[cli]'") from None
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    formats = Figure().canvas.get_supported_filetypes()
    path = Path(value)
    if not path.suffix:
        path = path.with_suffix(".png")
    if path.suffix[1:].lower() not in formats:
        raise ValueError(f"--plot {value}: matplotlib cannot write {path.suffix!r} files; use "
                         f"one of {', '.join('.' + f for f in sorted(formats))}")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"--plot {value}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"--plot {value}: the folder {str(folder)!r} is not writable")
    if path.is_dir():
        raise ValueError(f"--plot {value}: {str(path)!r} is a folder")
    return path


def tqdm_or_none(quiet):
    """tqdm's class, or None if ``quiet`` or tqdm is not installed (which is said once)."""
    if quiet:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        print("(no progress bar: tqdm is not installed; pip install 'stateful-lstm-spec[cli]')",
              file=sys.stderr)
        return None
    return tqdm
