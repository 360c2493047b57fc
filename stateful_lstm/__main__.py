"""``python -m stateful_lstm alphabet``: the tutorial's alphabet experiment, and the remedies;
``python -m stateful_lstm text``: a whole text as streams (``text_command``).

    python -m stateful_lstm alphabet                       # the tutorial: scalar input, stateful
    python -m stateful_lstm alphabet --start K --impl keras
    python -m stateful_lstm alphabet --scheme tutorial --scheme subsequences --scheme pairs \\
        --encoding onehot --plot starts.png

For each scheme it trains a model (with a progress bar), then prints what the tutorial prints: the
accuracy, the walk from A, and, after "New start: M", the model's predictions fed back in.
``--plot`` draws, for each trained model, the letter predicted first after a reset from each start
letter: a position-only model shows a column at "B", a model that learned letters the diagonal.
"""
import argparse
import os
import sys
from pathlib import Path

import numpy as np

from . import alphabet as abc
from . import text_command
from .implementations import ImplementationError, load_implementation

LETTERS = abc.ALPHABET


def progress_bar(label, quiet):
    """A function wrapping the epochs in a tqdm progress bar (none if ``quiet`` or no tqdm)."""
    if quiet:
        return iter
    try:
        from tqdm import tqdm
    except ImportError:
        print("(no progress bar: tqdm is not installed; pip install 'stateful-lstm-spec[cli]')",
              file=sys.stderr)
        return iter
    return lambda epochs: tqdm(epochs, desc=label, unit="epoch", file=sys.stderr)


def run_scheme(impl, scheme, args):
    """Train one model and print the tutorial's report; returns the first predictions A..Y."""
    model = abc.make_model(impl, scheme, args.encoding, args.seed)
    label = f"{scheme} ({args.encoding} input, {args.impl})"
    abc.train(model, scheme, args.encoding, args.epochs, args.seed,
              progress=progress_bar(label, args.quiet))
    first = abc.first_predictions(model, args.encoding)
    print(f"== {label}, {args.epochs or abc.DEFAULT_EPOCHS[scheme]} epochs, seed {args.seed}")
    if scheme == "pairs":
        right = sum(p == s + 1 for s, p in enumerate(first))
        print(f"Model Accuracy: {100 * right / 25:.2f}%")
        for start, prediction in enumerate(first):
            print(f"{LETTERS[start]} -> {LETTERS[prediction]}")
    else:
        walk = abc.walk_from_a(model, args.encoding)
        print(f"Model Accuracy: {100 * sum(p == i + 1 for i, p in enumerate(walk)) / 25:.2f}%")
        for i, prediction in enumerate(walk):
            print(f"{LETTERS[i]} -> {LETTERS[prediction]}")
    print(f"New start: {args.start}")
    for letter, prediction in abc.walk(model, LETTERS.index(args.start), args.encoding):
        print(f"{LETTERS[letter]} -> {LETTERS[prediction]}")
    says_b = sum(p == 1 for p in first[1:])
    successor = sum(p == s + 1 for s, p in enumerate(first))
    print(f"After a reset, from each start letter A..Y: the true successor {successor}/25, "
          f"'B' {says_b}/24 (of B..Y)")
    return first


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


def plot(path, results):
    """Save one panel per model: start letter (rows) against the first predicted letter."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(results), figsize=(4.6 * len(results), 5), squeeze=False)
    for ax, (title, first) in zip(axes[0], results):
        grid = np.zeros((25, 26))
        grid[np.arange(25), first] = 1
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=1.4)
        ax.plot(np.arange(1, 26), np.arange(25), "o", mfc="none", mec="tab:red", ms=7,
                label="true successor")
        ax.set_xticks(range(26), list(LETTERS), fontsize=7)
        ax.set_yticks(range(25), list(LETTERS[:25]), fontsize=7)
        ax.set_xlabel("first prediction after a reset")
        ax.set_ylabel("start letter")
        ax.set_title(title, fontsize=9)
    axes[0][0].legend(loc="upper right", fontsize=7)
    fig.suptitle("Which letter each start letter leads to (filled: the model's answer)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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


def parse_args(argv):
    """The parsed options, every one checked (the implementation loaded, the plot path
    writable), so that a mistake stops the command before any training."""
    parser = argparse.ArgumentParser(prog="python -m stateful_lstm",
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    alpha = commands.add_parser("alphabet", help="the tutorial's alphabet experiment")
    alpha.add_argument("--impl", default="reference",
                       help="implementation: reference, keras, a module path or a .py file")
    alpha.add_argument("--encoding", choices=list(abc.ENCODINGS), default="scalar",
                       help="letter index / 26 (the tutorial's) or one-hot")
    alpha.add_argument("--scheme", action="append", choices=abc.SCHEMES,
                       help="training scheme (repeatable; default: tutorial)")
    alpha.add_argument("--start", default="M", type=str.upper, choices=list(LETTERS[:25]),
                       help="letter of the 'New start' walk (default M, as in the question)")
    alpha.add_argument("--epochs", type=at_least(1),
                       help="default: tutorial 300, subsequences 100, pairs 500")
    alpha.add_argument("--seed", type=at_least(0), default=0)
    alpha.add_argument("--plot", metavar="FILE.png", help="save the start-letter picture")
    alpha.add_argument("--quiet", action="store_true", help="no progress bar")
    text = text_command.add_parser(commands, at_least)
    args = parser.parse_args(argv)
    command = alpha if args.command == "alphabet" else text
    factory, trains = (("make_classifier", "a classifier") if args.command == "alphabet" else
                       ("make_sequence_model", "a sequence model"))
    try:
        args.implementation = load_implementation(args.impl)
    except ImplementationError as error:
        command.error(str(error))
    if not callable(getattr(args.implementation, factory, None)):
        command.error(f"implementation {args.impl!r} has no {factory} (the {args.command} "
                      f"command trains {trains})")
    if args.command == "text":
        text_command.check(args, text, plot_path)
        return args
    try:
        args.plot = plot_path(args.plot) if args.plot else None
    except ValueError as error:
        alpha.error(str(error))
    return args


def main(argv=None):
    """Run the command; exit status 2 for a bad option, 130 on Ctrl-C."""
    args = parse_args(argv)
    try:
        if args.command == "text":
            text_command.run(args)
            return
        results = [(f"{scheme}, {args.encoding} input", run_scheme(args.implementation, scheme,
                                                                    args))
                   for scheme in args.scheme or ["tutorial"]]
        if args.plot:
            plot(args.plot, results)
            print(f"Saved {args.plot}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
