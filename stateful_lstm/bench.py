"""Benchmark: time per ``predict_on_batch`` call, NumPy reference vs Keras, for the tutorial's size
(batch 1, 1 timestep, input_dim 1, LSTM(50)), stateful.

    python -m stateful_lstm.bench [--units 50] [--repeat 5]

Each figure is the best of ``--repeat`` rounds, each round the mean over many calls (after warm-up,
so Keras' one-off tracing is not counted).
"""
import argparse
import timeit

import numpy as np


def time_per_call(model, x, repeat):
    """Best-of-``repeat`` mean seconds per ``model.predict_on_batch(x)``."""
    model.predict_on_batch(x)
    model.predict_on_batch(x)
    timer = timeit.Timer(lambda: model.predict_on_batch(x))
    calls, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=calls)) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m stateful_lstm.bench",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    import stateful_lstm
    from stateful_lstm import keras_lstm
    x = np.full((1, 1, 1), 0.5, np.float32)
    config = dict(units=args.units, input_dim=1, stateful=True, batch_size=1)
    reference = time_per_call(stateful_lstm.make_lstm(**config), x, args.repeat)
    keras = time_per_call(keras_lstm.make_lstm(**config), x, args.repeat)
    print(f"predict_on_batch, batch 1, 1 timestep, input_dim 1, LSTM({args.units}), stateful")
    print(f"  reference (NumPy): {reference * 1e6:8.1f} us per call")
    print(f"  keras ({keras_lstm.describe().split(' (')[0]}): {keras * 1e6:8.1f} us per call")
    print(f"  reference is {keras / reference:.0f}x faster")


if __name__ == "__main__":
    main()
