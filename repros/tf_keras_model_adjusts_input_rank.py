"""tf-keras (Keras 2): a new Sequential model whose LSTM has batch_input_shape=(B, None, F)
accepts inputs of another rank instead of refusing them: a 4-D (B, T, F, 1) input is squeezed to
(B, T, F), and a 2-D (B, T) input is expanded to (B, T, 1) when F = 1 (tf_keras' Functional
`_conform_to_reference_input`), and a stateful LSTM moves its carried state. tf_keras 2.21.0,
TensorFlow 2.21. No upstream report found. Run:

    python repros/tf_keras_model_adjusts_input_rank.py

needs only tf_keras; prints what happened and exits 1 while the behaviour is present.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tf_keras  # noqa: E402

accepted = []
for features, shape, stateful in [(2, (2, 4, 2, 1), True), (1, (2, 4), True),
                                  (2, (3, 4, 2, 1), False), (1, (3, 4), False)]:
    batch = 2 if stateful else None
    model = tf_keras.Sequential([tf_keras.layers.LSTM(
        3, stateful=stateful, return_sequences=True, batch_input_shape=(batch, None, features))])
    kind = "stateful" if stateful else "stateless"
    try:
        out = model.predict_on_batch(np.ones(shape, np.float32))
    except Exception as error:  # noqa: BLE001
        print(f"input {shape} to a new {kind} model built for F={features}: refused "
              f"({type(error).__name__})")
        continue
    moved = stateful and bool(np.abs(model.layers[0].states[0].numpy()).max() > 0)
    print(f"input {shape} to a new {kind} model built for F={features}: accepted, output "
          f"{out.shape}" + (f", carried state {'moved' if moved else 'unchanged'}"
                            if stateful else ""))
    accepted.append(shape)
sys.exit(1 if accepted else 0)
