"""``python -m stateful_lstm alphabet``: the tutorial's alphabet experiment, and the remedies.

    python -m stateful_lstm alphabet                       # the tutorial: scalar input, stateful
    python -m stateful_lstm alphabet --start K --impl keras
    python -m stateful_lstm alphabet --impl keras --loop fit  # the tutorial's own fit loop
    python -m stateful_lstm alphabet --scheme tutorial --scheme subsequences --scheme pairs \\
        --encoding onehot --plot starts.png

For each scheme it trains a model (with a progress bar), then prints what the tutorial prints: the
accuracy, the walk from A, and, after "New start: M", the model's predictions fed back in.
``--plot`` draws, for each trained model, the letter predicted first after a reset from each start
letter: a position-only model shows a column at "B", a model that learned letters the diagonal.
The training is the library's (``stateful_lstm.alphabet``), the one clauses 10 and 11 run.
"""
import sys

import numpy as np

from spec.contract import offers

from .. import alphabet as abc
from .options import at_least, plot_path, tqdm_or_none

LETTERS = abc.ALPHABET
FACTORY = "make_classifier"          # what the command trains


def add_parser(commands):
    """The ``alphabet`` subcommand's options."""
    alpha = commands.add_parser("alphabet", help="the tutorial's alphabet experiment",
                                description=__doc__.split("\n")[0])
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
    alpha.add_argument("--loop", choices=abc.LOOPS, default="batch",
                       help="train with train_on_batch (default) or with the framework's own "
                            "fit, one call per epoch, printing its progress as the tutorial's "
                            "code does (fit(..., verbose=2))")
    alpha.add_argument("--plot", metavar="FILE.png", help="save the start-letter picture")
    alpha.add_argument("--quiet", action="store_true", help="no progress bar")
    return alpha


def check(args, parser):
    """Everything the run needs, checked before any training (the loops for ``--loop fit``, the
    plot's path)."""
    if args.loop == "fit" and not offers(args.implementation, "loops"):
        parser.error(f"--loop fit trains through the implementation's own fit; "
                     f"{args.impl!r} has no loops (LOOPS = True, spec/SPEC.md \"Loops\")")
    try:
        args.plot = plot_path(args.plot) if args.plot else None
    except ValueError as error:
        parser.error(str(error))


def progress_bar(label, quiet):
    """A function wrapping the epochs in a tqdm progress bar (none if ``quiet`` or no tqdm)."""
    tqdm = tqdm_or_none(quiet)
    if tqdm is None:
        return iter
    return lambda epochs: tqdm(epochs, desc=label, unit="epoch", file=sys.stderr)


def run_scheme(impl, scheme, args):
    """Train one model and print the tutorial's report; returns the first predictions A..Y."""
    model = abc.make_model(impl, scheme, args.encoding, args.seed)
    fit = args.loop == "fit"          # then the framework's fit prints its own progress
    label = f"{scheme} ({args.encoding} input, {args.impl}{', trained through fit' * fit})"
    abc.train(model, scheme, args.encoding, args.epochs, args.seed,
              progress=iter if fit else progress_bar(label, args.quiet), loop=args.loop,
              verbose=2 if fit and not args.quiet else 0)
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


def run(args):
    results = [(f"{scheme}, {args.encoding} input", run_scheme(args.implementation, scheme, args))
               for scheme in args.scheme or ["tutorial"]]
    if args.plot:
        plot(args.plot, results)
        print(f"Saved {args.plot}")
