"""Benchmark, NumPy reference vs Keras, at the tutorial's size (batch 1, 1 timestep, input_dim 1,
LSTM(50), stateful): time per ``predict_on_batch`` call, time per ``train_on_batch`` step of the
LSTM(50) -> Dense(26) classifier, and the reference's whole tutorial training (7,500 steps); and at
the text setup of SPEC.md section 14 (32 streams x 16 characters, Embedding(100, 32) -> LSTM(128)
-> Dense(100) at every timestep): time per ``train_on_batch`` of the sequence model, the
reference's masked steps against unmasked ones, and one generation step of the text model's
batch-size-1 copy (one character in, the next character's probabilities out) on the reference,
on Keras and exported to ONNX and run by ONNX Runtime (``python -m stateful_lstm generate``);
and the stream pool (``stateful_lstm.stream_pool``, SPEC.md clause 23) against batch-size-1
copies, per backend (the reference, ONNX Runtime, OpenVINO: its copy's state in the request;
LiteRT: in the interpreter's resource variables, its step model converted per batch size):
steps per second for 1, 8 and 64 streams, each stream one step per round,
against 64 copies run one after another (``--pool``: that part alone, without Keras).

    python -m stateful_lstm.bench [--units 50] [--repeat 5] [--pool]

Each figure is the best of ``--repeat`` rounds, each round the mean over many calls (after warm-up,
so Keras' one-off tracing is not counted).
"""
import argparse
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np


def time_per_call(call, repeat):
    """Best-of-``repeat`` mean seconds per ``call()`` (after two warm-up calls)."""
    call()
    call()
    timer = timeit.Timer(call)
    calls, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=calls)) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m stateful_lstm.bench",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pool", action="store_true",
                        help="only the stream pool against batch-size-1 copies (no Keras)")
    args = parser.parse_args(argv)
    if args.pool:
        pool_steps(args.repeat)
        return
    import stateful_lstm
    from stateful_lstm import alphabet
    from stateful_lstm.adapters import keras3_tensorflow as keras_tensorflow
    x, y = np.full((1, 1, 1), 0.5, np.float32), np.eye(26, dtype=np.float32)[[3]]
    config = dict(units=args.units, input_dim=1, stateful=True, batch_size=1)
    keras_name = keras_tensorflow.describe().split(" (")[0]
    for what, unit, make, call in [
            ("predict_on_batch", "call", "make_lstm", lambda m: m.predict_on_batch(x)),
            ("train_on_batch of LSTM -> Dense(26, softmax)", "step", "make_classifier",
             lambda m: m.train_on_batch(x, y))]:
        extra = {"n_classes": 26} if make == "make_classifier" else {}
        models = [getattr(impl, make)(**config, **extra) for impl in (stateful_lstm, keras_tensorflow)]
        reference, keras = (time_per_call(lambda m=m, call=call: call(m), args.repeat) for m in models)
        print(f"{what}: batch 1, 1 timestep, input_dim 1, LSTM({args.units}), stateful")
        print(f"  reference (NumPy): {reference * 1e6:8.1f} us per {unit}")
        print(f"  keras ({keras_name}): {keras * 1e6:8.1f} us per {unit}")
        print(f"  reference is {keras / reference:.0f}x faster")
    text_batches(args.repeat, keras_tensorflow, keras_name)
    masked_steps(args.repeat)
    generation_steps(args.repeat, keras_tensorflow, keras_name)
    pool_steps(args.repeat)
    model = alphabet.make_model(stateful_lstm, "tutorial", "scalar")
    start = timeit.default_timer()
    alphabet.train(model, "tutorial", "scalar")
    print(f"reference, the tutorial's whole training (300 epochs x 25 steps): "
          f"{timeit.default_timer() - start:.2f} s")


def text_batches(repeat, keras_tensorflow, keras_name):
    """Time per training batch of the full text setup, reference vs Keras, and the ratio."""
    import stateful_lstm
    from stateful_lstm import text_training as tt
    from stateful_lstm.streams import stream_batches
    from stateful_lstm.text import bundled_text
    setup = tt.TextSetup.FULL
    corpus = tt.split_text(bundled_text(), setup)
    batches = stream_batches(corpus.train, setup.streams, setup.window)
    x, y = next(batches)
    print(f"train_on_batch of the text model: {setup.streams} streams x {setup.window} "
          f"characters, Embedding({len(corpus.vocabulary)}, {setup.embedding_dim}) -> "
          f"LSTM({setup.units}) -> Dense({len(corpus.vocabulary)}), stateful")
    seconds = {}
    for name, impl in (("reference (NumPy)", stateful_lstm), (f"keras ({keras_name})", keras_tensorflow)):
        model = tt.make_model(impl, corpus, setup)
        seconds[name] = time_per_call(lambda m=model: m.train_on_batch(x, y), repeat)
        print(f"  {name}: {seconds[name] * 1e3:8.2f} ms per batch "
              f"({setup.streams * setup.window / seconds[name]:,.0f} characters/s)")
    reference, keras = seconds.values()
    faster, slower = ("reference", "Keras") if reference < keras else ("Keras", "reference")
    print(f"  {faster} is {max(reference, keras) / min(reference, keras):.1f}x faster than "
          f"{slower}")


def masked_steps(repeat):
    """The reference's masked steps against unmasked ones, at the text setup: predict_on_batch of
    the LSTM and train_on_batch of the sequence model, with a mask of a ragged-streams batch (each
    row's real steps first, a quarter of the steps padding) and with none."""
    import stateful_lstm
    from stateful_lstm import text_training as tt
    setup = tt.TextSetup.FULL
    vocab, shape = 100, (setup.streams, setup.window)
    rng = np.random.default_rng(0)
    x, y = (rng.integers(0, vocab, shape) for _ in range(2))
    mask = np.arange(setup.window)[None] < rng.integers(setup.window // 2, setup.window + 1,
                                                        (setup.streams, 1))
    features = rng.uniform(-1, 1, (*shape, setup.embedding_dim)).astype(np.float32)
    lstm = stateful_lstm.make_lstm(units=setup.units, input_dim=setup.embedding_dim,
                                   stateful=True, batch_size=setup.streams)
    sequence = stateful_lstm.make_sequence_model(
        vocab_size=vocab, embedding_dim=setup.embedding_dim, units=setup.units, stateful=True,
        batch_size=setup.streams)
    print(f"reference, masked against unmasked: {setup.streams} x {setup.window} steps, "
          f"{1 - mask.mean():.0%} of them masked")
    for what, call in [
            ("predict_on_batch of LSTM(128)", lambda **k: lstm.predict_on_batch(features, **k)),
            ("train_on_batch of the text model", lambda **k: sequence.train_on_batch(x, y, **k))]:
        plain, masked = (time_per_call(lambda k=k, call=call: call(**k), repeat)
                         for k in ({}, {"mask": mask}))
        print(f"  {what}: {plain * 1e3:.2f} ms unmasked, {masked * 1e3:.2f} ms masked "
              f"({masked / plain:.2f}x)")


def generation_steps(repeat, keras_tensorflow, keras_name):
    """One step of the text model's batch-size-1 copy (a character in, probabilities out, the
    state carried): the reference's and Keras' ``predict_on_batch``, and the exported copy run
    by ONNX Runtime (``step_session.ExportedCopy``)."""
    import stateful_lstm
    from stateful_lstm import export
    from stateful_lstm import text_training as tt
    from stateful_lstm.step_session import ExportedCopy
    setup, vocab = tt.TextSetup.FULL, 100
    sizes = dict(vocab_size=vocab, embedding_dim=setup.embedding_dim, units=setup.units,
                 stateful=True, batch_size=1)
    reference = stateful_lstm.make_sequence_model(**sizes)
    keras = keras_tensorflow.make_sequence_model(**sizes)
    keras.set_weights(reference.get_weights())
    exported = ExportedCopy(export.to_onnx(reference, batch_size=1))
    token = np.array([[7]])
    print(f"one generation step of the text model's batch-size-1 copy: Embedding({vocab}, "
          f"{setup.embedding_dim}) -> LSTM({setup.units}) -> Dense({vocab}), 1 character")
    for name, model in (("reference (NumPy)", reference), (f"keras ({keras_name})", keras),
                        ("exported, ONNX Runtime", exported)):
        seconds = time_per_call(lambda m=model: m.predict_on_batch(token), repeat)
        print(f"  {name}: {seconds * 1e6:8.1f} us per character")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "text-model.onnx")
        export.export(reference, path, vocabulary="".join(chr(32 + i) for i in range(vocab)),
                      prompt="The ")
        first = min(first_character_seconds(path) for _ in range(repeat))
    print(f"  python -m stateful_lstm generate: its first character {first:.2f} s after the "
          f"process started")


POOL_STREAMS = (1, 8, 64)


def onnx_session(layer, batch_size):
    """``layer``'s step model in ONNX Runtime with its default threads (one per core), as a
    server runs it."""
    from stateful_lstm.export import to_onnx
    from stateful_lstm.step_session import StepSession
    return StepSession(to_onnx(layer, batch_size=batch_size), threads=0)


class SessionCopy:
    """A batch-size-1 step model of ``layer`` run by ONNX Runtime, its state fed back from call
    to call (as ``generate`` runs its copy)."""

    def __init__(self, layer):
        self.session = onnx_session(layer, 1)
        self.state = [np.zeros((1, layer.units), np.float32) for _ in self.session.states]

    def predict_on_batch(self, x):
        y, *self.state = self.session.run(x, *self.state)
        return y


def copy_of(implementation, layer):
    """A stateful batch-size-1 LSTM of ``implementation`` (a module with ``make_lstm``) with
    ``layer``'s weights."""
    copy = implementation.make_lstm(units=layer.units, input_dim=layer.input_dim, stateful=True,
                                    batch_size=1)
    copy.set_weights(layer.get_weights())
    return copy


def pool_backends():
    """``{backend: (step_model, copy)}`` for each backend installed: the pool's step model of a
    layer, and a stateful batch-size-1 copy of the layer (what a server would run per stream
    without a pool), each a function of the layer."""
    import functools
    import importlib

    import stateful_lstm
    from stateful_lstm.step_session import onnxruntime
    backends = {"reference (NumPy)": (stateful_lstm.step_model,
                                      functools.partial(copy_of, stateful_lstm))}
    try:
        onnxruntime()
    except ImportError as error:
        print(f"  ONNX Runtime: skipped ({error})")
    else:
        backends["ONNX Runtime"] = (lambda layer: onnx_session(layer, None), SessionCopy)
    for name, adapter in (("OpenVINO", "openvino_runtime"), ("LiteRT", "litert_runtime")):
        module = importlib.import_module(f"stateful_lstm.adapters.{adapter}")
        missing = [m for m in module.REQUIRES if importlib.util.find_spec(m) is None]
        if missing:
            print(f"  {name}: skipped (needs {', '.join(missing)}{module.INSTALL_HINT})")
        else:
            backends[name] = (module.step_model, functools.partial(copy_of, module))
    return backends


def pool_steps(repeat):
    """Stream-steps per second of the pool for 1, 8 and 64 streams (each stream one timestep
    per round), and of 64 batch-size-1 copies stepped one after another, per backend, at the
    text setup's layer (LSTM(128) on 32 features); the ratio at 64 streams."""
    import stateful_lstm
    from stateful_lstm.stream_pool import StreamPool
    units, input_dim, copies = 128, 32, max(POOL_STREAMS)
    layer = stateful_lstm.make_lstm(units=units, input_dim=input_dim, stateful=True,
                                    batch_size=1, seed=0)
    x = np.random.default_rng(0).uniform(-1, 1, (1, input_dim)).astype(np.float32)
    print(f"stream pool: LSTM({units}) on {input_dim} features, one timestep per stream per "
          f"round, in stream-steps per second")
    for name, (step_model, make_copy) in pool_backends().items():
        rates = {}
        for streams in POOL_STREAMS:
            pool = StreamPool(step_model(layer))
            inputs = {pool.join(): x for _ in range(streams)}
            rates[streams] = streams / time_per_call(lambda p=pool, i=inputs: p.step(i), repeat)
        alone = [make_copy(layer) for _ in range(copies)]

        def one_after_another(alone=alone):
            for copy in alone:
                copy.predict_on_batch(x[None])
        sequential = copies / time_per_call(one_after_another, repeat)
        shown = ", ".join(f"{k} streams {rate:,.0f}" for k, rate in rates.items())
        print(f"  {name}: pool {shown}; {copies} batch-1 copies one after another "
              f"{sequential:,.0f}; the pool on {copies} streams is "
              f"{rates[copies] / sequential:.1f}x faster")


def first_character_seconds(path):
    """Seconds from starting ``python -m stateful_lstm generate path`` to reading the first
    character it generates (after the 4-character prompt)."""
    start = timeit.default_timer()
    with subprocess.Popen([sys.executable, "-m", "stateful_lstm", "generate", str(path),
                           "--length", "1"], stdout=subprocess.PIPE) as process:
        process.stdout.read(len("The ") + 1)
        seconds = timeit.default_timer() - start
        process.wait()
    return seconds


if __name__ == "__main__":
    main()
