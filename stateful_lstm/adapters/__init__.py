"""Framework adapters: each module runs one real framework through the contract of ``spec/SPEC.md``.

| alias        | module             | framework                                              |
| ------------ | ------------------ | ------------------------------------------------------ |
| ``keras``    | ``keras_tf``       | Keras 3 on TensorFlow (``Model.predict_on_batch``)     |
| ``keras-jax``| ``keras_jax``      | Keras 3 on JAX, driven exactly like the TensorFlow one |
| ``tf-keras`` | ``tf_keras``       | Keras 2 (the ``tf_keras`` package), as the seed used it |
| ``torch``    | ``torch_lstm``     | ``torch.nn.LSTM(batch_first=True)``, state carried by the adapter |
| ``flax``     | ``flax_lstm``      | a ``flax.nnx`` LSTM cell scanned over time, state carried by the adapter |

``keras3`` holds what the two Keras 3 backends share and ``common`` what every adapter shares
(versions, the pool of built models, the carried state of frameworks without a stateful mode).
An adapter is a thin translation: it never adds a check or a fix that would hide what its framework
does with the same call; the only checks it adds guard what the framework lacks (``set_states``).
Importing any of these modules imports no framework: that happens on the first ``make_*`` call.
"""
