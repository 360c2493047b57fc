"""``python -m stateful_lstm generate``: text from a model exported by ``python -m stateful_lstm
text --export``, run by ONNX Runtime (or, for an OpenVINO IR ``.xml`` file, by OpenVINO; for a
``.tflite`` file, by the LiteRT interpreter) with numpy alone: no training framework is
imported, so it runs where none is installed (``pip install onnxruntime numpy``, or ``openvino
numpy``, or ``ai-edge-litert numpy``, and this package).

    python -m stateful_lstm generate text-model.onnx
    python -m stateful_lstm generate text-model.xml        # OpenVINO IR: state explicit or inside
    python -m stateful_lstm generate text-model.tflite     # LiteRT: state explicit or inside
    python -m stateful_lstm generate text-model.onnx --prompt "The " --length 800 --temperature 0.5
    python -m stateful_lstm generate text-model.onnx --streams 4 --prompt "The " --prompt "And "

The exported model is a copy with its state as inputs and outputs (``stateful_lstm.export``);
``step_session.ExportedCopy`` carries the state from one character to the next, and the
characters are written as they are drawn. With ``--streams N`` (a model exported with any batch
size, as ``text --export`` writes it), N texts are generated side by side through one
``StreamPool`` (the prompts given, in turn; stream i sampled with seed ``--seed`` + i: what N
runs with one stream each would write), each written when all are done.
"""
import os
import sys
from pathlib import Path

from ..step_session import ExportedCopy
from ..text import Vocabulary
from ..text_training import generate_streams, sample
from .options import at_least, positive_float

FACTORY = None          # it trains nothing and loads no implementation


def add_parser(commands):
    """The ``generate`` subcommand's options."""
    generate = commands.add_parser("generate", help="generate text from an exported .onnx, "
                                   ".xml or .tflite model", description=__doc__.split("\n")[0])
    generate.add_argument("model", metavar="MODEL.onnx|MODEL.xml|MODEL.tflite",
                          help="a model written by python -m stateful_lstm text --export")
    generate.add_argument("--prompt", action="append",
                          help="text the generation starts from (default: the prompt kept in the "
                               "model, the text's first characters); with --streams, give it "
                               "once per stream (the prompts are used in turn)")
    generate.add_argument("--length", type=at_least(0), default=400,
                          help="characters to generate (default 400)")
    generate.add_argument("--temperature", type=positive_float, default=0.8,
                          help="sampling temperature: lower is more conservative (default 0.8)")
    generate.add_argument("--seed", type=at_least(0), default=0, help="sampling (default 0)")
    generate.add_argument("--streams", type=at_least(1), default=1,
                          help="texts generated side by side through one stream pool (default 1)")
    return generate


def check(args, parser):
    """The model (a readable exported text model) and the prompt, checked before generating;
    ``parser.error`` with a clear message otherwise."""
    not_a_text_model = (f"{args.model} is not a text model exported by python -m stateful_lstm "
                        f"text --export")
    if not Path(args.model).is_file():
        parser.error(f"cannot load {args.model}: no such file")
    try:
        args.copy = ExportedCopy(args.model)
    except ImportError as error:
        parser.error(str(error))
    except ValueError as error:
        parser.error(f"{not_a_text_model} ({error})")
    except Exception as error:   # noqa: BLE001 (ONNX Runtime's errors share no base class)
        parser.error(f"cannot load {args.model}: {error}")
    if args.copy.vocabulary is None:
        parser.error(f"{not_a_text_model} (it keeps no vocabulary)")
    if args.streams > 1 and args.copy.internal:
        parser.error(f"--streams {args.streams}: {args.model} keeps its state inside the model, "
                     f"one stream; serving streams side by side needs a copy with its state "
                     f"explicit and any batch size (python -m stateful_lstm text --export "
                     f"writes one)")
    if args.streams > 1 and args.copy.session.batch_size is not None:
        parser.error(f"--streams {args.streams}: {args.model} was exported with batch size "
                     f"{args.copy.session.batch_size}; serving streams side by side needs a "
                     f"model exported with any batch size (python -m stateful_lstm text "
                     f"--export writes one)")
    if args.prompt is not None and len(args.prompt) > args.streams:
        parser.error(f"{len(args.prompt)} prompts for {args.streams} stream(s): give --prompt at "
                     f"most once per stream")
    args.vocabulary = Vocabulary(args.copy.vocabulary)
    given = args.prompt or [args.copy.prompt or args.copy.vocabulary[0]]
    args.prompts = [given[i % len(given)] for i in range(args.streams)]
    for prompt in args.prompts:
        if not prompt:
            parser.error("--prompt must have at least one character")
        try:
            args.vocabulary.encode(prompt)
        except ValueError as error:
            parser.error(f"--prompt: {error}".replace("the vocabulary", "the model's vocabulary"))


def run(args):
    """One stream: write the prompt, then each sampled character as soon as it is drawn; stop
    quietly when the reader goes away (``generate ... | head``). Several: each stream's text
    under a line naming it, once all are generated."""
    if args.streams > 1:
        texts = generate_streams(args.copy.session, args.vocabulary, args.prompts, args.length,
                                 args.temperature, args.seed)
        for i, (prompt, text) in enumerate(zip(args.prompts, texts)):
            print(f"--- stream {i} (seed {args.seed + i})\n{prompt}{text}")
        return
    prompt = args.prompts[0]
    characters = sample(args.copy, args.vocabulary, prompt, args.temperature, args.seed)
    try:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        for _ in range(args.length):
            sys.stdout.write(next(characters))
            sys.stdout.flush()
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the pipe again when it flushes stdout at exit: point it elsewhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
