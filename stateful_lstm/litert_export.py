"""LiteRT (``.tflite``) models of the contract's layers, made by TensorFlow's TFLite converter from
Keras 3 layers: the ``litert`` implementation's (weights as signature inputs) and the copies
``export.export(model, "copy.tflite")`` writes (weights as constants). Needs TensorFlow and Keras
(``pip install 'stateful-lstm-spec[litert]'``), imported on the first call; running a model
needs only ``ai-edge-litert`` (``litert_session``).

A model is a ``tf.Module`` whose ``tf.function`` signatures the converter turns into the model's
signatures; a state kept in the module's variables becomes resource variables of the model
(``experimental_enable_resource_variables``), carried by the interpreter from one ``invoke`` to the
next, as the converter keeps a stateful Keras model's. The converter needs the batch static (the
recurrence's loop keeps its outputs in a tensor list whose element shape must be known); the time
axis is dynamic. A copy's signatures (``to_tflite``):

    step           x (B, T, input_dim) float32 | tokens (B, T) int64 [, h, c (B, u)]
                   -> y (B, T, u) | probabilities [, h_next, c_next]
    reset_states   (state="internal") the state to zeros
    metadata       kind, vocabulary, prompt (JSON strings; "" where the export kept none)

The interpreter's ``reset_all_variables()`` does not reset resource variables
(``repros/litert_reset_all_variables_keeps_resource_variables.py``), hence ``reset_states``.
"""
from .cells import CELLS, weights_by_layer
from .export import KIND_KEY, STATES, parts, state_names
from .step_session import PROMPT_KEY, VOCABULARY_KEY

METADATA = {"kind": KIND_KEY, "vocabulary": VOCABULARY_KEY, "prompt": PROMPT_KEY}  # output: key


def keras_layer(cell, units, input_dim, batch):
    """``cell``'s Keras 3 layer (TensorFlow backend), built for ``(batch, T, input_dim)``,
    returning its sequence and its final state."""
    from .adapters.keras3 import keras
    layer = getattr(keras("tensorflow").layers, CELLS[cell].layers["keras"])(
        units, return_sequences=True, return_state=True)
    layer.build((batch, None, input_dim))
    return layer


def run_layer(layer, x, weights, state=None, mask=None):
    """``layer`` (``keras_layer``) on ``x`` with ``weights`` (Keras' three arrays, tensors) from
    ``state`` (None: Keras' zeros): its outputs and its final state (a list)."""
    y, *final = layer.stateless_call(list(weights),
                                     [v.value for v in layer.non_trainable_variables],
                                     x, mask=mask, initial_state=state)[0]
    return y, final


def convert(module, functions):
    """The ``.tflite`` model (bytes) of ``module``'s ``tf.function`` s, each a signature named as
    the function; the module's variables that a signature assigns are resource variables."""
    import tensorflow as tf
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [f.get_concrete_function() for f in functions], module)
    converter.experimental_enable_resource_variables = True
    return converter.convert()


def to_tflite(model, *, batch_size=1, state="explicit", cell=None, vocabulary=None, prompt=None):
    """The step model of any implementation's ``model`` (``export.parts``) as a ``.tflite`` model
    (bytes), its weights constants (a stack's layers chained): its state explicit (inputs ``h``,
    ``c``, outputs ``h_next``, ``c_next``; a stack's ``export.state_names``) or, with
    ``state="internal"``, resource variables the interpreter carries from call to call (the
    ``reset_states`` signature zeros them). ``batch_size``: a positive int (the converter needs
    it static)."""
    if state not in STATES:
        raise ValueError(f"state must be one of {list(STATES)}; received {state!r}")
    if batch_size is None:
        raise ValueError("a LiteRT model's batch is static (the converter needs it): give a "
                         "batch_size (received None)")
    kind, cell, weights, kept = parts(model, batch_size=batch_size, cell=cell,
                                      vocabulary=vocabulary, prompt=prompt)
    import tensorflow as tf
    embeddings = weights.pop(0) if kind == "sequence" else None
    if kind in ("classifier", "sequence"):
        *weights, kernel, bias = weights
    units, layers = weights[1].shape[0], len(weights) // 3       # a stack: every layer's three
    names = state_names(cell, layers)
    keras_layers = [keras_layer(cell, units, weights[0].shape[0] if k == 0 else units, batch_size)
                    for k in range(layers)]
    constants = [tf.constant(w) for w in weights]
    first = (tf.TensorSpec([batch_size, None], tf.int64, "tokens") if embeddings is not None
             else tf.TensorSpec([batch_size, None, weights[0].shape[0]], tf.float32, "x"))

    def forward(x, start):
        """The model's output and final state (every layer's, bottom first) from ``start``."""
        if embeddings is not None:
            x = tf.gather(tf.constant(embeddings), x)
        y, final = x, []
        for layer, weights, layer_start in zip(keras_layers, weights_by_layer(constants),
                                               CELLS[cell].by_layer(start)):
            y, layer_final = run_layer(layer, y, weights, layer_start)
            final += layer_final
        if kind == "sequence":
            y = tf.nn.softmax(tf.matmul(y, kernel) + bias)
        elif kind == "classifier":
            y = tf.nn.softmax(tf.matmul(final[0], kernel) + bias)
        return {"probabilities" if kind in ("classifier", "sequence") else "y": y}, final

    module = tf.Module()
    if state == "explicit":
        @tf.function(input_signature=[first, *(tf.TensorSpec([batch_size, units], tf.float32, n)
                                               for n in names)])
        def step(x, *start):
            outputs, final = forward(x, list(start))
            return {**outputs, **{f"{n}_next": f for n, f in zip(names, final)}}
        functions = [step]
    else:
        module.state = [tf.Variable(tf.zeros([batch_size, units]), name=n) for n in names]

        @tf.function(input_signature=[first])
        def step(x):
            outputs, final = forward(x, module.state)
            for variable, value in zip(module.state, final):
                variable.assign(value)
            return outputs

        @tf.function(input_signature=[])
        def reset_states():
            for variable in module.state:
                variable.assign(tf.zeros_like(variable))
            return {n: tf.identity(v) for n, v in zip(names, module.state)}
        functions = [step, reset_states]

    @tf.function(input_signature=[])
    def metadata():
        values = {KIND_KEY: kind, **kept}
        return {name: tf.constant(values.get(key, "")) for name, key in METADATA.items()}
    return convert(module, [*functions, metadata])

