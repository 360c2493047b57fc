"""Framework adapters: each module runs one real framework through the contract of ``spec/SPEC.md``.

``BUNDLED`` maps each alias ``python -m spec`` knows to the module that implements it:

| alias        | module               | framework                                                      |
| ------------ | -------------------- | -------------------------------------------------------------- |
| ``keras``    | ``keras3_tensorflow``| Keras 3 on TensorFlow (``Model.predict_on_batch``)             |
| ``keras-jax``| ``keras3_jax``       | Keras 3 on JAX, driven exactly like the TensorFlow one         |
| ``tf-keras`` | ``keras2``           | Keras 2 (the ``tf_keras`` package), as the seed used it        |
| ``torch``    | ``pytorch``          | ``torch.nn.LSTM(batch_first=True)``, state carried by the adapter |
| ``flax``     | ``flax_nnx``         | a ``flax.nnx`` LSTM cell scanned over time, state carried |
| ``onnxruntime`` | ``onnx_runtime``  | the ONNX ``LSTM`` operator run by ONNX Runtime, state carried |
| ``openvino`` | ``openvino_runtime`` | OpenVINO's ``LSTMSequence``, the state in the infer request  |
| ``litert``   | ``litert_runtime``   | a Keras 3 LSTM converted to LiteRT, the state in resource variables |

``keras3`` holds what the two Keras 3 backends share, ``keras_pool`` the pool of built Keras
models, ``held_state`` the carried state of frameworks without a stateful mode (PyTorch, Flax,
ONNX Runtime), and ``common`` the version lines, the factories' argument checks and the
objects kept one per thread (OpenVINO's requests, LiteRT's interpreters). An adapter is a thin
translation: it never adds a check or a fix that would hide what its framework does with the same
call; the only checks it adds guard what the framework lacks (``set_states``). Importing any of
these modules imports no framework: that happens on the first ``make_*`` call.
"""
BUNDLED = {
    "reference": "stateful_lstm",                               # the NumPy reference
    "keras": "stateful_lstm.adapters.keras3_tensorflow",        # Keras 3 on TensorFlow
    "keras-jax": "stateful_lstm.adapters.keras3_jax",           # Keras 3 on JAX
    "tf-keras": "stateful_lstm.adapters.keras2",                # Keras 2 (tf_keras)
    "torch": "stateful_lstm.adapters.pytorch",                  # torch.nn.LSTM
    "flax": "stateful_lstm.adapters.flax_nnx",                  # flax.nnx LSTM cell
    "onnxruntime": "stateful_lstm.adapters.onnx_runtime",       # ONNX LSTM operator, ORT
    "openvino": "stateful_lstm.adapters.openvino_runtime",      # OpenVINO, stateful request
    "litert": "stateful_lstm.adapters.litert_runtime",          # LiteRT, resource variables
}
