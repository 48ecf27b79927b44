"""The sentence encoder's network as an ONNX graph built from the same weights, for onnxruntime.

The graph is :func:`sentclf.classify.encoder.forward.forward` node for node (embeddings and LayerNorm, 6
layers of fused-QKV self-attention and an exact erf GELU, masked mean pooling, L2 normalization), so
the numpy code stays the readable reference and the tests compare the two. onnxruntime fuses the
LayerNorms and the GELU and runs the products on every core, which is what makes the encoder fast.
"""

from __future__ import annotations

import numpy as np

from sentclf.classify.encoder.weights import EPS, EncoderWeights

OPSET = 17  # LayerNormalization


def build_model(weights: EncoderWeights, normalize: bool = True, depth: int | None = None) -> bytes:
    """The serialized ONNX model: inputs ``ids`` (int64, batch × length) and ``mask`` (float32, 1 for
    real tokens); output ``vectors`` (float32, batch × 384, L2-normalized unless ``normalize`` is False),
    or with ``depth``, ``hidden`` (batch × length × 384): the token rows after the first ``depth`` layers
    (what fine-tuning the layers above reads, :mod:`.tuning`)."""
    import onnx
    from onnx import helper, numpy_helper

    nodes: list = []
    inits: list = []

    def const(name: str, value) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list, name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def layer_norm(x: str, gain_bias: tuple, name: str) -> str:
        gain, bias = const(f"{name}.g", gain_bias[0]), const(f"{name}.b", gain_bias[1])
        return node("LayerNormalization", [x, gain, bias], name, axis=-1, epsilon=EPS)

    def dense(x: str, matrix: np.ndarray, bias: np.ndarray, name: str) -> str:
        product = node("MatMul", [x, const(f"{name}.w", matrix)], f"{name}.mm")
        return node("Add", [product, const(f"{name}.bias", bias)], name)

    emb = weights.embeddings
    words = node("Gather", [const("emb.word", emb["word"]), "ids"], "emb.words")
    length = node("Gather", [node("Shape", ["ids"], "ids.shape"), const("one", np.int64(1))], "length")
    positions = node("Range", [const("zero", np.int64(0)), length, const("step", np.int64(1))], "positions")
    x = node("Add", [words, node("Gather", [const("emb.position", emb["position"]), positions], "emb.pos")], "e1")
    x = node("Add", [x, const("emb.segment", emb["segment"])], "e2")
    x = layer_norm(x, emb["ln"], "emb.ln")
    blocked = node(
        "Mul",
        [node("Sub", [const("f1", np.float32(1)), "mask"], "unmasked"), const("big", np.float32(-1e9))],
        "blocked",
    )
    blocked = node("Unsqueeze", [blocked, const("axes12", np.array([1, 2], dtype=np.int64))], "blocked4")
    width, heads = weights.width, weights.heads
    head = width // heads
    for i, layer in enumerate(weights.layers[:depth]):
        p = f"l{i}"
        qkv = dense(x, layer["qkv"], layer["qkv_b"], f"{p}.qkv")
        qkv = node("Reshape", [qkv, const(f"{p}.s5", np.array([0, 0, 3, heads, head], dtype=np.int64))], f"{p}.r5")
        qkv = node("Transpose", [qkv], f"{p}.t5", perm=[2, 0, 3, 1, 4])
        q, k, v = (node("Gather", [qkv, const(f"{p}.i{j}", np.int64(j))], f"{p}.{n}") for j, n in enumerate("qkv"))
        scores = node("MatMul", [q, node("Transpose", [k], f"{p}.kt", perm=[0, 1, 3, 2])], f"{p}.scores")
        scores = node("Mul", [scores, const(f"{p}.scale", np.float32(1 / np.sqrt(head)))], f"{p}.scaled")
        probs = node("Softmax", [node("Add", [scores, blocked], f"{p}.masked")], f"{p}.probs", axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v], f"{p}.ctx")], f"{p}.ctxt", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, const(f"{p}.s3", np.array([0, 0, width], dtype=np.int64))], f"{p}.ctx3")
        attended = node("Add", [dense(context, layer["out"], layer["out_b"], f"{p}.out"), x], f"{p}.res1")
        x = layer_norm(attended, layer["ln1"], f"{p}.ln1")
        hidden = dense(x, layer["up"], layer["up_b"], f"{p}.up")
        erf = node("Erf", [node("Mul", [hidden, const(f"{p}.rt", np.float32(np.sqrt(0.5)))], f"{p}.hs")], f"{p}.erf")
        phi = node(
            "Mul",
            [node("Add", [erf, const(f"{p}.f1", np.float32(1))], f"{p}.e1"), const(f"{p}.half", np.float32(0.5))],
            f"{p}.phi",
        )
        activated = node("Mul", [hidden, phi], f"{p}.gelu")
        out = node("Add", [dense(activated, layer["down"], layer["down_b"], f"{p}.down"), x], f"{p}.res2")
        x = layer_norm(out, layer["ln2"], f"{p}.ln2")
    if depth is not None:
        return _serialized(helper, onnx, nodes, inits, node("Identity", [x], "hidden"), ["batch", "length", width])
    mask3 = node("Unsqueeze", ["mask", const("axis2", np.array([2], dtype=np.int64))], "mask3")
    total = node(
        "ReduceSum",
        [node("Mul", [x, mask3], "kept"), const("axis1", np.array([1], dtype=np.int64))],
        "total",
        keepdims=0,
    )
    count = node("ReduceSum", ["mask", "axis1"], "count", keepdims=1)
    if not normalize:
        node("Div", [total, count], "vectors")
    else:
        mean = node("Div", [total, count], "mean")
        norm = node(
            "Max", [node("ReduceL2", [mean], "l2", axes=[-1], keepdims=1), const("tiny", np.float32(1e-12))], "norm"
        )
        node("Div", [mean, norm], "vectors")
    return _serialized(helper, onnx, nodes, inits, "vectors", ["batch", width])


def _serialized(helper, onnx, nodes: list, inits: list, output: str, shape: list) -> bytes:
    from onnx import TensorProto

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"]),
        ],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, shape)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="sentclf")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def session(weights: EncoderWeights, threads: int, normalize: bool = True, depth: int | None = None):
    """An onnxruntime session over the graph, every optimization on, ``threads`` intra-op threads."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    model = build_model(weights, normalize, depth)
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
