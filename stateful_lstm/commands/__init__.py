"""``python -m stateful_lstm``: the commands, one module each (``alphabet``, ``text``,
``generate``), and ``options`` what they share. Each command module has ``add_parser(commands)``,
``FACTORY`` (what it trains; None for ``generate``, which loads no implementation),
``check(args, parser)`` (everything checked before any training) and ``run(args)``.

The commands are the top layer: they use the library (``stateful_lstm``) and the spec's loader
(``spec.harness.loader``) to find an implementation by name; the library never imports ``spec``.
"""
import argparse
import sys

from spec.contract import offers
from spec.harness.loader import ImplementationError, load_implementation

from . import alphabet, generate, text

COMMANDS = {"alphabet": alphabet, "text": text, "generate": generate}
TRAINS = {"make_classifier": "a classifier", "make_sequence_model": "a sequence model"}


def parse_args(argv):
    """The parsed options, every one checked (the implementation loaded, the files usable), so
    that a mistake stops the command before any training."""
    parser = argparse.ArgumentParser(prog="python -m stateful_lstm",
                                     description="The alphabet experiment and whole-text "
                                                 "training, on any implementation; text from "
                                                 "an exported model.")
    commands = parser.add_subparsers(dest="command", required=True)
    parsers = {name: module.add_parser(commands) for name, module in COMMANDS.items()}
    args = parser.parse_args(argv)
    command, sub = COMMANDS[args.command], parsers[args.command]
    if command.FACTORY is None:
        command.check(args, sub)
        return args
    try:
        args.implementation = load_implementation(args.impl)
    except ImplementationError as error:
        sub.error(str(error))
    if not offers(args.implementation, command.FACTORY):
        sub.error(f"implementation {args.impl!r} has no {command.FACTORY} (the {args.command} "
                  f"command trains {TRAINS[command.FACTORY]})")
    command.check(args, sub)
    return args


def main(argv=None):
    """Run the command; exit status 2 for a bad option, 130 on Ctrl-C."""
    args = parse_args(argv)
    try:
        COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
