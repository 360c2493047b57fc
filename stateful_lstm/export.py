"""ONNX models of the contract's models, with the carried state as explicit inputs and outputs.

ONNX and ONNX Runtime are stateless: a session keeps nothing from one ``run`` to the next
(onnx/onnx#3190, microsoft/onnxruntime#11085), so a stateful model is exported as a *step
model* whose carried state is the caller's:

    LSTM:            x (B, T, input_dim) float32, h, c (B, u)  ->  y (B, T, u), h, c
    GRU, SimpleRNN:  x (B, T, input_dim) float32, h (B, u)     ->  y (B, T, u), h
    classifier:      x (B, T, input_dim) float32, h, c         ->  probabilities (B, n_classes), h, c
    sequence model:  tokens (B, T) int64, h, c                 ->  probabilities (B, T, vocab), h, c

``B`` is a fixed batch size (1: the seed's "copy with a batch size of 1") or symbolic (None:
any), ``T`` is always symbolic. Feeding the ``h, c`` a call returned into the next call carries
the state, row by row, exactly as a stateful model does (SPEC.md, clause 20).

The recurrence is ONNX's standard ``LSTM`` operator, its default activations (sigmoid, tanh,
tanh) being Keras'. Keras' weights (gate blocks i, f, c, o; ``kernel`` (input_dim, 4u),
``recurrent_kernel`` (u, 4u), one ``bias`` (4u,)) map to the operator's

    W = kernel[:, iofc].T  (1, 4u, input_dim),   R = recurrent_kernel[:, iofc].T  (1, 4u, u),
    B = [bias[iofc], zeros(4u)]  (1, 8u)         (ONNX adds a recurrent bias Rb: zero here)

with ``iofc`` the columns of the blocks reordered to ONNX's gate order i, o, f, c. The operator
takes time first (``layout=0``; ONNX Runtime refuses ``layout=1``), so ``x`` is transposed in and
``y`` out. A GRU is ONNX's ``GRU`` operator with ``linear_before_reset=1`` (Keras'
``reset_after=True``; ONNX's default, 0, is the other formula), gate blocks z, r, h as Keras',
``B = [bias[0], bias[1]]`` (the input's and the recurrent bias); a SimpleRNN the ``RNN``
operator (tanh), ``B = [bias, zeros]``. With ``lengths=True`` the graph takes ``lengths`` (B,)
int32 as the operator's ``sequence_lens`` (each row's real steps first, then padding). Nothing is
added around the operator: what ONNX Runtime does with it (0 timesteps, a row of length 0) is
what the model does.

``export(model, path)`` writes any implementation's model (read through ``get_weights`` and its
attributes; a stack's: one operator per layer, every layer's state an input and an output,
``h_0``, ``c_0``, ``h_1``, ...: ``state_names``); ``onnx.checker`` checks every model built
here; ``step_session`` runs them. Needs
the ``onnx`` package (``pip install 'stateful-lstm-spec[onnx]'``), imported on the first call.
"""
import json

import numpy as np

from .cells import CELLS, weights_by_layer
from .step_session import PROMPT_KEY, VOCABULARY_KEY

OPSET = 17                           # LSTM-14, Softmax-13, Squeeze/Unsqueeze with axes inputs
KIND_KEY = "stateful_lstm.kind"      # metadata: the cell of a layer, "classifier", "sequence"


def onnx_weights(cell, kernel, recurrent_kernel, bias):
    """Keras' ``[kernel, recurrent_kernel, bias]`` of ``cell`` as its ONNX operator's ``W, R,
    B``, the gate blocks in ONNX's order (``cells.CELLS``): ``B = [Wb, Rb]``, Keras' bias and
    zeros, or the GRU's two bias rows."""
    columns = CELLS[cell].columns("onnx", recurrent_kernel.shape[0])
    W = np.asarray(kernel, np.float32)[:, columns].T[None]
    R = np.asarray(recurrent_kernel, np.float32)[:, columns].T[None]
    bias = np.asarray(bias, np.float32)[..., columns]
    B = (bias.reshape(-1) if bias.ndim == 2 else np.concatenate([bias, np.zeros_like(bias)]))[None]
    return [np.ascontiguousarray(a) for a in (W, R, B)]


def keras_weights(cell, W, R, B):
    """The inverse of ``onnx_weights``: Keras' ``[kernel, recurrent_kernel, bias]`` of ``cell``
    from its ONNX operator's ``W, R, B`` (one direction), the bias being ``Wb + Rb`` (the sum
    the operator computes with), or the GRU's two rows ``[Wb, Rb]``."""
    back = np.argsort(CELLS[cell].columns("onnx", R.shape[2]))   # Keras' column j: ONNX's back[j]
    Wb, Rb = B[0, :B.shape[1] // 2], B[0, B.shape[1] // 2:]
    bias = np.stack([Wb[back], Rb[back]]) if CELLS[cell].bias_rows == 2 else (Wb + Rb)[back]
    return [np.ascontiguousarray(W[0][back].T, np.float32),
            np.ascontiguousarray(R[0][back].T, np.float32), np.ascontiguousarray(bias, np.float32)]


class _Graph:
    """A graph under construction: nodes, initializers, inputs and outputs."""

    def __init__(self):
        from onnx import helper
        self.helper, self.nodes, self.initializers = helper, [], []
        self.inputs, self.outputs = [], []

    def constant(self, name, array):
        from onnx import numpy_helper
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, outputs, **attributes):
        self.nodes.append(self.helper.make_node(op, inputs, outputs, **attributes))
        return outputs[0] if len(outputs) == 1 else outputs

    def tensor(self, name, element_type, shape, output=False):
        from onnx import TensorProto
        info = self.helper.make_tensor_value_info(name, getattr(TensorProto, element_type), shape)
        (self.outputs if output else self.inputs).append(info)

    def model(self, kind, metadata=None):
        import onnx
        graph = self.helper.make_graph(self.nodes, f"stateful_lstm_{kind}", self.inputs,
                                       self.outputs, self.initializers)
        model = self.helper.make_model(graph, producer_name="stateful-lstm-spec",
                                       opset_imports=[self.helper.make_opsetid("", OPSET)])
        self.helper.set_model_props(model, {KIND_KEY: kind, **(metadata or {})})
        onnx.checker.check_model(model, full_check=True)
        return model


def state_names(cell, layers=1):
    """The names of a step model's state inputs, as ``get_states`` lists the arrays: ``h``
    (and ``c``) of one layer; a stack's ``h_0``, ``c_0``, ``h_1``, ... (bottom layer first).
    Each output is its name and ``_next``."""
    names = CELLS[cell].states
    return list(names) if layers == 1 else [f"{n}_{k}" for k in range(layers) for n in names]


def _recurrent(graph, x, cell, weights, batch, units, state, lengths, layer=None):
    """The ONNX operator of ``cell`` (``cells.CELLS``) on ``x`` (B, T, F), batch first in and
    out; declares the lengths (the first layer) and (with ``state``) the state inputs (``h``,
    and ``c`` for the LSTM; layer k of a stack's ``h_k``, ``c_k``) and the new state's outputs
    (``h_next``, ``c_next``). Returns the names of y (B, T, u: ``y``, a stack's lower layers'
    ``y_k``) and of the final h (B, u) (None without ``state``)."""
    suffix = "" if layer is None else f"_{layer}"
    names = [f"{n}{suffix}" for n in CELLS[cell].states]
    W, R, B = (graph.constant(n + suffix, a) for n, a in zip("WRB", onnx_weights(cell, *weights)))
    time_first = graph.node("Transpose", [x], [f"x_time_first{suffix}"], perm=[1, 0, 2])
    zero_axis = graph.constant(f"axis_0{suffix}", np.array([0], np.int64)) if state else None
    start = [""] * (1 + len(names))            # sequence_lens, initial_h (, initial_c): absent
    if lengths:
        if not layer:
            graph.tensor("lengths", "INT32", [batch])
        start[0] = "lengths"
    if state:
        for name in names:
            graph.tensor(name, "FLOAT", [batch, units])
        start[1:] = [graph.node("Unsqueeze", [n, zero_axis], [f"initial_{n}"]) for n in names]
    Y, *finals = graph.node(CELLS[cell].layers["onnx"], [time_first, W, R, B, *start],
                            [f"Y{suffix}", *(f"Y_{n}" for n in names)], hidden_size=units,
                            **CELLS[cell].onnx_attributes)
    one_axis = graph.constant(f"axis_1{suffix}", np.array([1], np.int64))
    y = graph.node("Transpose", [graph.node("Squeeze", [Y, one_axis], [f"Y_squeezed{suffix}"])],
                   [f"y{suffix}"], perm=[1, 0, 2])
    if not state:
        return y, None
    for final, name in zip(finals, names):
        graph.node("Squeeze", [final, zero_axis], [f"{name}_next"])
        graph.tensor(f"{name}_next", "FLOAT", [batch, units], output=True)
    return y, f"h{suffix}_next"


def _dense_softmax(graph, h, kernel, bias, name):
    logits = graph.node("Add", [graph.node("MatMul", [h, graph.constant("dense_kernel", kernel)],
                                           [f"{name}_product"]),
                                graph.constant("dense_bias", bias)], [f"{name}_logits"])
    return graph.node("Softmax", [logits], [name], axis=-1)


def _stack(graph, x, cell, weights, batch_size, units, state, lengths):
    """One operator per layer of the stack whose weights are ``weights`` (one layer's: one
    operator, its tensors unsuffixed), each reading the one below's y; the top layer's y."""
    layers = weights_by_layer(weights)
    for k, layer_weights in enumerate(layers):
        x, _ = _recurrent(graph, x, cell, layer_weights, batch_size, units, state, lengths,
                          layer=None if len(layers) == 1 else k)
    return x


def layer_model(weights, *, cell="lstm", batch_size=1, state=True, lengths=False):
    """The step model of a recurrent layer of ``cell`` (LSTM, GRU or SimpleRNN) from Keras'
    ``[kernel, recurrent_kernel, bias]``: inputs ``x`` (B, T, input_dim) float32 (and
    ``lengths``, ``h``, and the LSTM's ``c``), outputs ``y`` (B, T, u) (and ``h_next``, the
    LSTM's ``c_next``). ``batch_size`` None: any batch size. ``state=False``: no state inputs
    or outputs, ONNX's zero initial state (a stateless model). A stack's weights (every
    layer's three arrays, bottom first) give one operator per layer, each reading the one
    below's y, the state of every layer an input and an output (``state_names``)."""
    input_dim, units = weights[0].shape[0], weights[1].shape[0]
    graph = _Graph()
    graph.tensor("x", "FLOAT", [batch_size, "time", input_dim])
    y = _stack(graph, "x", cell, weights, batch_size, units, state, lengths)
    if len(weights) > 3:
        y = graph.node("Identity", [y], ["y"])
    graph.tensor(y, "FLOAT", [batch_size, "time", units], output=True)
    graph.outputs.insert(0, graph.outputs.pop())          # y first, then the state
    return graph.model(cell)


def classifier_model(weights, *, cell="lstm", batch_size=1, lengths=False):
    """The classifier's step model from its weights (``cell``'s three arrays, the Dense kernel
    and bias): inputs ``x`` (B, T, input_dim), ``h`` (and the LSTM's ``c``); outputs
    ``probabilities`` (B, n_classes) read from the final h, ``h_next`` (``c_next``)."""
    *layer_weights, kernel, bias = weights
    units, n_classes = kernel.shape
    graph = _Graph()
    graph.tensor("x", "FLOAT", [batch_size, "time", layer_weights[0].shape[0]])
    _, h = _recurrent(graph, "x", cell, layer_weights, batch_size, units, True, lengths)
    probabilities = _dense_softmax(graph, h, kernel, bias, "probabilities")
    graph.tensor(probabilities, "FLOAT", [batch_size, n_classes], output=True)
    graph.outputs.insert(0, graph.outputs.pop())
    return graph.model("classifier")


def sequence_model(weights, *, cell="lstm", batch_size=1, metadata=None, lengths=False):
    """The sequence model's step model from its weights (embeddings, ``cell``'s three arrays
    (a stack's every layer's), the Dense kernel and bias): inputs ``tokens`` (B, T) int64, ``h``
    (and the LSTM's ``c``; a stack's ``state_names``); outputs ``probabilities`` (B, T, vocab)
    of the next token at every step, ``h_next`` (``c_next``, ...). ``metadata`` (``parts``: the
    vocabulary and a default prompt) goes into the model."""
    embeddings, *layer_weights, kernel, bias = weights
    units, vocab_size = kernel.shape
    graph = _Graph()
    graph.tensor("tokens", "INT64", [batch_size, "time"])
    y = graph.node("Gather", [graph.constant("embeddings", embeddings), "tokens"], ["embedded"])
    y = _stack(graph, y, cell, layer_weights, batch_size, units, True, lengths)
    probabilities = _dense_softmax(graph, y, kernel, bias, "probabilities")
    graph.tensor(probabilities, "FLOAT", [batch_size, "time", vocab_size], output=True)
    graph.outputs.insert(0, graph.outputs.pop())
    return graph.model("sequence", metadata)


def kind_of(model):
    """"sequence", "classifier" or "lstm": which of the contract's models ``model`` is, read
    from its attributes (``vocab_size``, ``n_classes``)."""
    if hasattr(model, "vocab_size"):
        return "sequence"
    return "classifier" if hasattr(model, "n_classes") else "lstm"


def parts(model, *, batch_size=1, cell=None, vocabulary=None, prompt=None):
    """What every exporter reads of any implementation's ``model``, checked: its kind (a bare
    layer's cell, "classifier" or "sequence"), its cell, its ``get_weights()`` in float32 and
    the metadata to keep (``vocabulary``: a string, one character per token id; ``prompt``: a
    default prompt; JSON strings). ``batch_size``: a positive int or None (any). The ``cell``
    (``cells.CELLS``) of a layer, a classifier or a sequence model is the model's ``cell``
    attribute unless given (a model without one is an LSTM, as ``make_lstm``'s); its weights
    must have that cell's shapes (with the embeddings and the Dense layer's around them)."""
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None; received {batch_size!r}")
    kind, weights = kind_of(model), [np.asarray(w, np.float32) for w in model.get_weights()]
    if (vocabulary is not None or prompt is not None) and kind != "sequence":
        raise ValueError(f"a vocabulary and a prompt go with a sequence model; received a "
                         f"model of kind {kind!r}")
    if kind == "sequence" and vocabulary is not None and len(vocabulary) != model.vocab_size:
        raise ValueError(f"the vocabulary has {len(vocabulary)} characters; the model has "
                         f"{model.vocab_size} tokens")
    cell = cell or getattr(model, "cell", "lstm")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {list(CELLS)}; received {cell!r}")
    if kind == "sequence":                  # (a stack's every layer's three arrays)
        expected = [(model.vocab_size, model.embedding_dim),
                    *(shape for k in range(max(1, (len(weights) - 3) // 3)) for shape in
                      CELLS[cell].weight_shapes(model.embedding_dim if k == 0 else model.units,
                                                model.units)),
                    (model.units, model.vocab_size), (model.vocab_size,)]
    elif kind == "classifier":
        expected = CELLS[cell].weight_shapes(model.input_dim, model.units) + [
            (model.units, model.n_classes), (model.n_classes,)]
    else:                           # a layer, or a stack of them: every layer's three arrays
        expected = [shape for k in range(max(1, len(weights) // 3)) for shape in
                    CELLS[cell].weight_shapes(model.input_dim if k == 0 else model.units,
                                              model.units)]
    shapes = [w.shape for w in weights]
    if shapes != expected:
        what = f"{CELLS[cell].title}{'' if kind == 'lstm' else f' {kind} model'}"
        raise ValueError(f"exporting a {what}: expected weights of shapes {expected}; the "
                         f"model's get_weights() has {shapes} (pass cell=)")
    metadata = {key: json.dumps(value) for key, value in ((VOCABULARY_KEY, vocabulary),
                                                          (PROMPT_KEY, prompt))
                if value is not None}
    return (cell if kind == "lstm" else kind), cell, weights, metadata


def to_onnx(model, *, batch_size=1, cell=None, vocabulary=None, prompt=None):
    """The step model (an ``onnx.ModelProto``) of any implementation's ``model``, from its
    ``get_weights()`` (``parts``); ``batch_size`` 1 (the seed's copy), any integer, or None (any
    batch size). Its state is explicit whether ``model`` is stateful or not."""
    kind, cell, weights, metadata = parts(model, batch_size=batch_size, cell=cell,
                                          vocabulary=vocabulary, prompt=prompt)
    if kind == "sequence":
        return sequence_model(weights, cell=cell, batch_size=batch_size, metadata=metadata)
    if kind == "classifier":
        return classifier_model(weights, cell=cell, batch_size=batch_size)
    return layer_model(weights, cell=cell, batch_size=batch_size)


def initializers(model_proto):
    """``{name: array}`` of a model's initializers (its weights)."""
    from onnx import numpy_helper
    return {t.name: numpy_helper.to_array(t) for t in model_proto.graph.initializer}


STATES = ("explicit", "internal")


def to_openvino(model, *, batch_size=1, state="explicit", cell=None, vocabulary=None,
                prompt=None):
    """The step model of ``to_onnx(model, ...)`` as an ``openvino.Model``, converted by
    OpenVINO's ONNX frontend (``openvino.convert_model``), as OpenVINO users convert theirs. With
    ``state="explicit"`` the state stays inputs and outputs; with ``"internal"`` OpenVINO's
    ``MakeStateful`` turns each ``h``/``h_next`` (``c``/``c_next``; a stack's every layer's)
    pair into a variable that
    the infer request carries from call to call (``reset_state()``, ``query_state()``), which
    needs a fixed batch size. The metadata (kind, vocabulary, prompt) goes into the model's
    ``rt_info`` (``openvino_session.METADATA_PATH``)."""
    if state not in STATES:
        raise ValueError(f"state must be one of {list(STATES)}; received {state!r}")
    if state == "internal" and batch_size is None:
        raise ValueError("a state inside the model has one row per batch row: give a batch_size "
                         "(received None)")
    return openvino_of(to_onnx(model, batch_size=batch_size, cell=cell, vocabulary=vocabulary,
                               prompt=prompt), state)


def openvino_of(proto, state="explicit"):
    """An ONNX step model (``to_onnx``'s, or an implementation's own) as an ``openvino.Model``
    (``to_openvino``)."""
    import io

    import openvino
    from openvino import passes

    from .openvino_session import METADATA_PATH
    converted = openvino.convert_model(io.BytesIO(proto.SerializeToString()))
    if state == "internal":
        names = [i.get_any_name() for i in converted.inputs[1:]]     # every state input
        manager = passes.Manager()
        manager.register_pass(passes.MakeStateful({n: f"{n}_next" for n in names}))
        manager.run_passes(converted)
    for entry in proto.metadata_props:
        converted.set_rt_info(entry.value, [METADATA_PATH, entry.key])
    return converted


def export(model, path, *, batch_size=1, cell=None, vocabulary=None, prompt=None,
           state="explicit"):
    """Write the step model of ``model`` to ``path``: ONNX (``to_onnx``) for an ``.onnx``
    file, OpenVINO IR (``to_openvino``, with ``state``) for an ``.xml`` file (and its ``.bin``
    beside it), its weights in float32: ``openvino.save_model`` compresses them to float16 by
    default, and such a copy's outputs differ from the model's by up to 2e-4 within a few steps
    (measured: 2.3e-4 after eight steps of a small LSTM); LiteRT (``litert_export.to_tflite``,
    with ``state``) for a ``.tflite`` file."""
    options = dict(batch_size=batch_size, cell=cell, vocabulary=vocabulary, prompt=prompt)
    if str(path).endswith(".tflite"):
        from .litert_export import to_tflite
        content = to_tflite(model, state=state, **options)
        with open(path, "wb") as file:
            file.write(content)
        return
    if str(path).endswith(".xml"):
        import openvino
        openvino.save_model(to_openvino(model, state=state, **options), str(path),
                            compress_to_fp16=False)
        return
    if state != "explicit":
        raise ValueError(f"an ONNX step model's state is explicit (ONNX Runtime keeps none); "
                         f"received state={state!r} (write an .xml file for OpenVINO, .tflite for LiteRT)")
    import onnx
    onnx.save_model(to_onnx(model, **options), str(path))
