"""``python -m stateful_lstm text``: train a stateful character-level model on a whole text laid out
as parallel streams, measure it on held-out text, save it, and generate text with a batch-size-1
copy of it.

    python -m stateful_lstm text                                   # Python's bundled docs
    python -m stateful_lstm text --file book.txt --epochs 10 --save book.npz
    python -m stateful_lstm text --compare-reset --plot bpc.png     # vs reset before every window
    python -m stateful_lstm text --load book.npz --prompt "It was " --temperature 0.5
    python -m stateful_lstm text --documents                        # the docs' topics, 3 layouts
    python -m stateful_lstm text --documents books/ article.txt --save library.npz
    python -m stateful_lstm text --export model.onnx     # then: python -m stateful_lstm generate model.onnx

The defaults are the measured setup of SPEC.md section 14 (the first 120,000 characters, 32
streams, windows of 16, embedding 32, LSTM(128), Adam 3e-3, 6 epochs). With ``--documents`` the
text is a library of documents, trained on in three layouts (``document_training``: ragged
streams reset at document starts, end to end, reset before every window) and measured on
held-out documents; its defaults are ``DOCUMENTS`` (SPEC.md section 19).
"""
import importlib.util
import inspect
import math
import sys
from collections import deque
from pathlib import Path

import numpy as np

from .. import document_training as dt
from .. import export
from .. import text_training as tt
from ..streams import batch_count
from ..text import bundled_documents, bundled_text, read_text_file
from .options import at_least, plot_path, positive_float, tqdm_or_none

FULL = tt.TextSetup.FULL
DOCUMENTS = FULL.with_(characters=500_000, streams=4, window=32, epochs=1)
BUNDLED = "Python's bundled documentation (pydoc_data.topics)"
BUNDLED_TOPICS = "Python's bundled documentation, one topic per document"
PROMPT_LENGTH = 4          # the default prompt: the text's first characters
FACTORY = "make_sequence_model"          # what the command trains


def add_parser(commands):
    """The ``text`` subcommand's options."""
    text = commands.add_parser("text", help="train on a whole text as streams; generate",
                               description=__doc__.split("\n")[0])
    text.add_argument("--file", help=f"a UTF-8 text file (default: {BUNDLED})")
    text.add_argument("--documents", nargs="*", metavar="PATH",
                      help="train on a library of documents in three layouts: UTF-8 files, or "
                           "folders whose files are documents (none given: Python's bundled "
                           "documentation, one topic per document)")
    text.add_argument("--impl", default="reference",
                      help="implementation: reference, keras, a module path or a .py file")
    text.add_argument("--characters", type=at_least(2),
                      help=f"use the first N characters of the text (default {FULL.characters}; "
                           f"with --documents, whole documents up to {DOCUMENTS.characters})")
    text.add_argument("--streams", type=at_least(1),
                      help=f"parallel streams, the batch size (default {FULL.streams}; with "
                           f"--documents {DOCUMENTS.streams})")
    text.add_argument("--window", type=at_least(1),
                      help=f"timesteps per batch (default {FULL.window}; with --documents "
                           f"{DOCUMENTS.window})")
    text.add_argument("--embedding-dim", type=at_least(1), default=FULL.embedding_dim)
    text.add_argument("--units", type=at_least(1), default=FULL.units)
    text.add_argument("--layers", type=at_least(1),
                      help="stacked recurrent layers, each carrying its own state (default 1); "
                           "more than 1: one layer is trained too, and both measured (the "
                           "implementation's make_sequence_model must take layers: the "
                           "reference's does)")
    text.add_argument("--learning-rate", type=positive_float, default=FULL.learning_rate)
    text.add_argument("--epochs", type=at_least(1),
                      help=f"default {FULL.epochs}; with --documents {DOCUMENTS.epochs}")
    text.add_argument("--seed", type=at_least(0), default=0,
                      help="initial weights and sampling (default 0)")
    text.add_argument("--save", default="text-model.npz", metavar="FILE.npz",
                      help="where to save the weights and vocabulary (default text-model.npz)")
    text.add_argument("--export", metavar="FILE.onnx|FILE.xml|FILE.tflite",
                      help="also write the model as a copy of any batch size (one stream, or "
                           "many through a stream pool) with its state as inputs and outputs, "
                           "its vocabulary and prompt: ONNX, or OpenVINO IR for a .xml file "
                           "(python -m stateful_lstm generate runs it; needs onnx, and "
                           "openvino for .xml); a .tflite file is a LiteRT copy of batch size "
                           "1 (needs tensorflow and keras)")
    text.add_argument("--load", metavar="FILE.npz",
                      help="generate from a saved model instead of training one")
    text.add_argument("--prompt", help="text the generation starts from (default: the first "
                                       "4 characters of the text, saved with the model)")
    text.add_argument("--length", type=at_least(0), default=400,
                      help="characters to generate (default 400)")
    text.add_argument("--temperature", type=positive_float, default=0.8,
                      help="sampling temperature: lower is more conservative (default 0.8)")
    text.add_argument("--compare-reset", action="store_true",
                      help="also train the baseline reset before every window; print both")
    text.add_argument("--plot", metavar="FILE.png",
                      help="save held-out bits per character by position in the window")
    text.add_argument("--quiet", action="store_true", help="no progress bar")
    return text


def check(args, parser):
    """Everything the run needs, checked before any training: the text (readable, UTF-8, long
    enough), the files, the prompt. Calls ``parser.error`` with a clear message otherwise."""
    try:
        if args.plot:
            args.plot = plot_path(args.plot)
            if args.load:
                raise ValueError("--plot draws the held-out measurement of a training run; "
                                 "it cannot be used with --load")
        if args.documents is not None:
            for other in ("file", "load", "compare_reset", "plot"):
                if getattr(args, other):
                    raise ValueError(f"--documents trains and compares three layouts of a "
                                     f"library; it cannot be used with "
                                     f"--{other.replace('_', '-')}")
        if args.load:
            args.model, args.vocabulary, args.setup, args.start = tt.load(args.load,
                                                                          args.implementation)
        else:
            base = FULL if args.documents is None else DOCUMENTS
            args.setup = base.with_(**{name: getattr(args, name) for name in (
                "characters", "streams", "window", "embedding_dim", "units", "learning_rate",
                "epochs", "layers") if getattr(args, name) is not None})
            check_layers(args)
            if args.documents is None:
                args.source = read_text_file(args.file) if args.file else bundled_text()
                try:
                    args.corpus = tt.split_text(args.source, args.setup)
                except ValueError as error:
                    raise ValueError(f"{args.file or BUNDLED}: {error}") from None
                args.vocabulary = args.corpus.vocabulary
            else:
                check_documents(args)
            check_save_path(args.save)
        if args.export:
            check_save_path(args.export, "--export")
            if args.export.endswith(".tflite"):
                if any(importlib.util.find_spec(m) is None for m in ("tensorflow", "keras")):
                    raise ValueError("--export to LiteRT (.tflite) needs TensorFlow's converter "
                                     "and Keras (pip install 'stateful-lstm-spec[litert]')")
            elif importlib.util.find_spec("onnx") is None:
                raise ValueError("--export needs the onnx package (pip install "
                                 "'stateful-lstm-spec[onnx]')")
            if args.export.endswith(".xml") and importlib.util.find_spec("openvino") is None:
                raise ValueError("--export to OpenVINO IR (.xml) needs the openvino package "
                                 "(pip install 'stateful-lstm-spec[openvino]')")
        if args.prompt is None:
            args.prompt = args.start if args.load else args.source[:PROMPT_LENGTH]
        if not args.prompt:
            raise ValueError("--prompt must have at least one character")
        try:
            args.vocabulary.encode(args.prompt)
        except ValueError as error:
            raise ValueError(f"--prompt: {error}".replace("the vocabulary",
                                                          "the text's vocabulary")) from None
    except ValueError as error:
        parser.error(str(error))


def check_layers(args):
    """A stack (``--layers`` above 1) needs a sequence model that takes ``layers``."""
    factory = args.implementation.make_sequence_model
    if args.setup.layers > 1 and "layers" not in inspect.signature(factory).parameters:
        raise ValueError(f"--layers {args.setup.layers}: the {args.impl} implementation's "
                         f"make_sequence_model takes no layers argument (it has one layer); "
                         f"the reference's stacks them")


def check_documents(args):
    """Read the library ``--documents`` names and split it (``args.library``), or ValueError."""
    names = [f for p in args.documents for f in (sorted(q for q in Path(p).iterdir()
                                                        if q.is_file())
                                                 if Path(p).is_dir() else [Path(p)])]
    documents = [read_text_file(f) for f in names] if args.documents else bundled_documents()
    source = f"{len(names)} files" if args.documents else BUNDLED_TOPICS
    try:
        args.library = dt.split_documents(documents, args.setup.characters, args.setup.streams,
                                          args.setup.window)
    except ValueError as error:
        raise ValueError(f"--documents, {source}: {error}") from None
    args.source_name = source
    args.source = args.library.vocabulary.decode(args.library.train[0])  # the default prompt
    args.vocabulary = args.library.vocabulary


def check_save_path(value, option="--save"):
    path = Path(value)
    if path.is_dir():
        raise ValueError(f"{option} {value}: is a folder")
    if not path.parent.is_dir():
        raise ValueError(f"{option} {value}: the folder {str(path.parent)!r} does not exist")


def progress_callback(args, label, batches):
    """``(progress, close)``: a ``progress`` function for ``text_training.train`` that drives a
    tqdm bar showing the running loss and bits per character (mean of the last 50 batches), and
    the function that closes the bar; ``progress`` is None if quiet or without tqdm.
    ``batches`` per epoch (None: not known in advance)."""
    tqdm = tqdm_or_none(args.quiet)
    if tqdm is None:
        return None, lambda: None
    total = None if batches is None else batches * args.setup.epochs
    bar = tqdm(total=total, desc=label, unit="batch", file=sys.stderr)
    recent = deque(maxlen=50)

    def progress(epoch, batch, total, loss):
        recent.append(loss)
        bar.update()
        if batch % 10 == 0 or batch == total:
            mean = sum(recent) / len(recent)
            bar.set_postfix(epoch=f"{epoch + 1}/{args.setup.epochs}", loss=f"{mean:.3f}",
                            bpc=f"{mean / math.log(2):.3f}", refresh=False)
    return progress, bar.close


def describe_run(args):
    setup, corpus = args.setup, args.corpus
    source = f"{args.file}" if args.file else BUNDLED
    used = min(len(args.source), setup.characters)
    batches = batch_count(len(corpus.train), setup.streams, setup.window)
    print(f"Text: {source}, the first {used:,} of {len(args.source):,} characters, "
          f"{len(corpus.vocabulary)} distinct")
    print(f"Training: {len(corpus.train):,} characters as {setup.streams} streams x {batches} "
          f"windows of {setup.window}; held out: {len(corpus.held_out):,} characters")
    print(f"Model: {args.impl}, Embedding({len(corpus.vocabulary)}, {setup.embedding_dim}) -> "
          f"{layers_of(setup)}LSTM({setup.units}, stateful) -> Dense({len(corpus.vocabulary)}, "
          f"softmax) at every timestep; Adam {setup.learning_rate:g}, {setup.epochs} epochs, "
          f"seed {args.seed}")
    return batches


def layers_of(setup):
    """"2 x " for a stack of two layers, "" for one."""
    return f"{setup.layers} x " if setup.layers > 1 else ""


def train_and_measure(args, carry, batches, setup=None):
    """Train one model (state carried, or reset before every window) of ``setup`` (default:
    the run's); returns it and its held-out bits per character by window position."""
    setup = setup or args.setup
    label = ("state carried" if carry else "reset every window") + \
        (f", {setup.layers} layer{'s' * (setup.layers > 1)}" if args.setup.layers > 1 else "")
    model = tt.make_model(args.implementation, args.corpus, setup, args.seed)
    progress, close = progress_callback(args, label, batches)
    try:
        tt.train(model, args.corpus.train, setup, carry, progress)
    finally:
        close()
    bits = tt.bits_by_position(model, args.corpus.held_out, setup, carry)
    first, mean = tt.first_positions(bits)
    print(f"Held-out bits per character, {label + ':':20s} {bits.mean():.3f} overall, "
          f"{mean:.3f} on the first {first} positions of a window")
    return model, bits


def plot(path, results):
    """Held-out bits per character by position in the window, one line per model."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, bits in results:
        ax.plot(np.arange(1, len(bits) + 1), bits, "o-", label=label)
    ax.set_xlabel("position in the window (1 = first character after the window boundary)")
    ax.set_ylabel("held-out bits per character")
    ax.set_title("What the carried state gives: context at the start of every window", fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_documents(args):
    """Train the three layouts on the library, print their held-out bits per character; save the
    ragged model; return it."""
    setup, library = args.setup, args.library
    train_chars, held_chars = (sum(d.size for d in part) for part in (library.train,
                                                                       library.held_out))
    print(f"Documents: {args.source_name}, {len(library.train) + len(library.held_out)} "
          f"documents, {train_chars + held_chars:,} characters, {len(library.vocabulary)} "
          f"distinct; held out: the last {len(library.held_out)} ({held_chars:,} characters)")
    print(f"Model: {args.impl}, Embedding({len(library.vocabulary)}, {setup.embedding_dim}) -> "
          f"LSTM({setup.units}, stateful) -> Dense({len(library.vocabulary)}, softmax); "
          f"{setup.streams} streams x windows of {setup.window}, Adam {setup.learning_rate:g}, "
          f"{setup.epochs} epochs, documents shuffled every epoch, seed {args.seed}")
    models = {}
    for layout, label in dt.LAYOUTS.items():
        model = tt.make_model(args.implementation, library, setup, args.seed)
        progress, close = progress_callback(args, layout, None)
        try:
            dt.train(model, layout, library.train, setup.streams, setup.window, setup.epochs,
                     args.seed, progress)
        finally:
            close()
        bits = dt.bits_per_character(model, dt.layout_batches(layout, library.held_out,
                                                              setup.streams, setup.window))
        print(f"Held-out bits per character, {label + ':':44s} {bits:.3f}")
        models[layout] = model
    return models["ragged"]


def run(args):
    if args.load:
        model, setup = args.model, args.setup
        print(f"Loaded {args.load}: Embedding({len(args.vocabulary)}, {setup.embedding_dim}) -> "
              f"{layers_of(setup)}LSTM({setup.units}) -> Dense({len(args.vocabulary)}), on "
              f"{args.impl}")
        copy = model
    elif args.documents is not None:
        model = run_documents(args)
        tt.save(args.save, model, args.vocabulary, args.setup, args.source[:PROMPT_LENGTH])
        print(f"Saved the ragged-streams model's weights and vocabulary to {args.save}")
        copy = tt.batch1_copy(args.implementation, model, len(args.vocabulary), args.setup,
                              args.seed)
    else:
        batches = describe_run(args)
        model, bits = train_and_measure(args, True, batches)
        stack = f", {args.setup.layers} layers" if args.setup.layers > 1 else ""
        results = [(f"state carried across windows{stack}", bits)]
        if args.setup.layers > 1:            # the stack against one layer, trained alike
            results.append(("state carried across windows, one layer", train_and_measure(
                args, True, batches, args.setup.with_(layers=1))[1]))
        if args.compare_reset:
            results.append(("reset before every window",
                             train_and_measure(args, False, batches)[1]))
        tt.save(args.save, model, args.vocabulary, args.setup, args.source[:PROMPT_LENGTH])
        print(f"Saved the weights and vocabulary to {args.save}")
        if args.plot:
            plot(args.plot, results)
            print(f"Saved {args.plot}")
        copy = tt.batch1_copy(args.implementation, model, len(args.vocabulary), args.setup,
                              args.seed)
    if args.export:
        # LiteRT's converter needs a static batch: its copy serves one stream.
        batch_size = 1 if args.export.endswith(".tflite") else None
        export.export(model, args.export, batch_size=batch_size,
                      vocabulary=args.vocabulary.characters,
                      prompt=args.start if args.load else args.source[:PROMPT_LENGTH])
        print(f"Exported a copy of batch size 1 to {args.export} (python -m stateful_lstm "
              f"generate {args.export}, one stream)" if batch_size else
              f"Exported a copy of any batch size to {args.export} (python -m stateful_lstm "
              f"generate {args.export}, one stream or --streams N)")
    print(f"Generated with a batch-size-1 copy (temperature {args.temperature:g}, seed "
          f"{args.seed}):")
    print(args.prompt + tt.generate(copy, args.vocabulary, args.prompt, args.length,
                                    args.temperature, args.seed))
