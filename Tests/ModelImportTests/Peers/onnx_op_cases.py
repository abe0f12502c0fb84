"""Small ONNX graphs built with onnx.helper, one per op family, with random inputs and the
outputs onnxruntime computes for them: the reference for fairflow's ONNXInterpreter.

Usage: python onnx_op_cases.py OUTDIR
Writes for each case NAME:
  NAME.onnx               the model (checked with onnx.checker)
  NAME.json               {"inputs": [{"name", "shape"}], "outputs": [{"name", "shape"}]}
  NAME.in.INPUT.f32       each input, float32 little-endian, row-major
  NAME.out.OUTPUT.f32     each output as onnxruntime computes it
"""
import json, os, sys
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out_dir = sys.argv[1]
rng = np.random.default_rng(7)


def case(name, nodes, inputs, outputs, opset=13, initializers=(), ranges=None, ranks=None):
    """inputs: {name: shape}; outputs: [name]; ranges: {input: (low, high)}; ranks: {output:
    rank} for outputs whose shape inference cannot give."""
    ranges = ranges or {}
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [], initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    # Declare the outputs with the types shape inference gives them.
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True).graph.value_info
    types = {v.name: v for v in inferred}
    for o in outputs:
        if types[o].type.tensor_type.HasField("shape"):
            model.graph.output.append(types[o])
        else:  # a shape computed at run time: declare the rank only
            dims = [f"{o}_{i}" for i in range(ranks[o])]
            model.graph.output.append(helper.make_tensor_value_info(o, TensorProto.FLOAT, dims))
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path)
    feeds = {}
    for n, s in inputs.items():
        low, high = ranges.get(n, (-1.0, 1.0))
        feeds[n] = rng.uniform(low, high, size=s).astype(np.float32)
        feeds[n].tofile(os.path.join(out_dir, f"{name}.in.{n}.f32"))
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    results = session.run(outputs, feeds)
    for n, r in zip(outputs, results):
        np.asarray(r, np.float32).tofile(os.path.join(out_dir, f"{name}.out.{n}.f32"))
    manifest = {
        "inputs": [{"name": n, "shape": list(s)} for n, s in inputs.items()],
        "outputs": [{"name": n, "shape": list(np.shape(r))} for n, r in zip(outputs, results)],
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(manifest, f)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def weight(name, shape):
    return numpy_helper.from_array(rng.uniform(-1, 1, size=shape).astype(np.float32), name)


n = helper.make_node

case("broadcast", [
    n("Add", ["a", "b"], ["add"]),
    n("Sub", ["c", "a"], ["sub"]),
    n("Mul", ["a", "s"], ["mul"]),
    n("Div", ["a", "e"], ["div"]),
    n("Add", ["a", "w"], ["add_initialiser"]),
], {"a": [2, 3, 4], "b": [4], "c": [3, 1], "s": [], "e": [2, 1, 4]},
    ["add", "sub", "mul", "div", "add_initialiser"], ranges={"e": (0.5, 2.0)},
    initializers=[weight("w", [1, 3, 1])])

case("matmul", [
    n("MatMul", ["a2", "b2"], ["plain"]),
    n("MatMul", ["a3", "b2"], ["shared_right"]),
    n("MatMul", ["a3", "b3"], ["batched"]),
    n("MatMul", ["a4", "b3x"], ["broadcast_batch"]),
    n("MatMul", ["v", "b3"], ["vector_left"]),
    n("MatMul", ["a3", "v"], ["vector_right"]),
], {"a2": [3, 4], "b2": [4, 5], "a3": [2, 3, 4], "b3": [2, 4, 5], "a4": [2, 1, 3, 4],
    "b3x": [3, 4, 5], "v": [4]},
    ["plain", "shared_right", "batched", "broadcast_batch", "vector_left", "vector_right"])

case("gemm", [
    n("Gemm", ["a", "bt", "c"], ["trans_b"], transB=1, alpha=0.5, beta=2.0),
    n("Gemm", ["at", "b"], ["trans_a"], transA=1),
    n("Gemm", ["a", "b", "column"], ["column_bias"]),
], {"a": [3, 4], "bt": [5, 4], "c": [5], "at": [4, 3], "b": [4, 5], "column": [3, 1]},
    ["trans_b", "trans_a", "column_bias"])

case("activations", [
    n("Relu", ["x"], ["relu"]),
    n("LeakyRelu", ["x"], ["leaky"], alpha=0.2),
    n("LeakyRelu", ["x"], ["leaky_default"]),
    n("Sigmoid", ["x"], ["sigmoid"]),
    n("Tanh", ["x"], ["tanh"]),
    n("Identity", ["x"], ["identity"]),
], {"x": [4, 50]}, ["relu", "leaky", "leaky_default", "sigmoid", "tanh", "identity"],
    ranges={"x": (-12.0, 12.0)})

case("softmax", [
    n("Softmax", ["x"], ["axis1"], axis=1),
    n("Softmax", ["x"], ["default"]),
    n("Softmax", ["x"], ["axis0"], axis=0),
], {"x": [2, 3, 4]}, ["axis1", "default", "axis0"], ranges={"x": (-5.0, 5.0)})

case("transpose", [
    n("Transpose", ["x"], ["perm201"], perm=[2, 0, 1]),
    n("Transpose", ["x"], ["reversed"]),
    n("Transpose", ["y"], ["perm0312"], perm=[0, 3, 1, 2]),
], {"x": [2, 3, 4], "y": [2, 3, 4, 5]}, ["perm201", "reversed", "perm0312"])

case("concat", [
    n("Concat", ["a", "b"], ["last"], axis=-1),
    n("Concat", ["a", "c", "a"], ["first"], axis=0),
    n("Concat", ["a", "d"], ["middle"], axis=-2),
], {"a": [2, 3, 4], "b": [2, 3, 2], "c": [1, 3, 4], "d": [2, 5, 4]},
    ["last", "first", "middle"])

case("reshape", [
    n("Reshape", ["x", "copy_infer"], ["copy_infer_out"]),
    n("Reshape", ["x", "infer_copy"], ["infer_copy_out"]),
    # x.view(x.size(0), -1) as PyTorch exports it: the shape is computed at run time.
    n("Shape", ["x"], ["shape"]),
    n("Gather", ["shape", "zero"], ["batch"], axis=0),
    n("Unsqueeze", ["batch", "axis0"], ["batch1"]),
    n("Constant", [], ["minus_one"], value=helper.make_tensor("m", TensorProto.INT64, [1], [-1])),
    n("Concat", ["batch1", "minus_one"], ["target"], axis=0),
    n("Reshape", ["x", "target"], ["computed"]),
    n("Gather", ["y", "picks"], ["gathered"], axis=1),
    n("Flatten", ["y"], ["flatten_default"]),
    n("Flatten", ["y"], ["flatten2"], axis=2),
    n("Flatten", ["y"], ["flatten0"], axis=0),
    n("Flatten", ["y"], ["flatten_last"], axis=-1),
], {"x": [2, 3, 4], "y": [2, 3, 4, 5]},
    ["copy_infer_out", "infer_copy_out", "computed", "gathered", "flatten_default", "flatten2",
     "flatten0", "flatten_last"], ranks={"computed": 2},
    initializers=[ints("copy_infer", [0, -1]), ints("infer_copy", [-1, 0, 2]),
                  numpy_helper.from_array(np.array(0, np.int64), "zero"), ints("axis0", [0]),
                  ints("picks", [[2, 0], [-1, 1]])])

case("reduce", [
    n("ReduceSum", ["x", "axis1"], ["sum_keep"], keepdims=1),
    n("ReduceSum", ["x", "axes02"], ["sum_drop"], keepdims=0),
    n("ReduceSum", ["x"], ["sum_all"], keepdims=0),
    n("ReduceSum", ["x", "negative"], ["sum_negative"]),
    n("ReduceSum", ["x"], ["sum_noop"], noop_with_empty_axes=1),
    n("ReduceMean", ["x"], ["mean_last"], axes=[-1]),
    n("ReduceMean", ["x"], ["mean_drop"], axes=[1, 2], keepdims=0),
    n("ReduceMean", ["x"], ["mean_all"]),
], {"x": [2, 3, 4]},
    ["sum_keep", "sum_drop", "sum_all", "sum_negative", "sum_noop", "mean_last", "mean_drop",
     "mean_all"],
    initializers=[ints("axis1", [1]), ints("axes02", [0, 2]), ints("negative", [-2])])

case("squeeze", [
    n("Unsqueeze", ["x", "ends"], ["unsqueezed"]),
    n("Squeeze", ["y", "one"], ["squeeze_one"]),
    n("Squeeze", ["y"], ["squeeze_all"]),
    n("Squeeze", ["y", "minus_one"], ["squeeze_last"]),
], {"x": [2, 3], "y": [2, 1, 3, 1]},
    ["unsqueezed", "squeeze_one", "squeeze_all", "squeeze_last"],
    initializers=[ints("ends", [0, -1]), ints("one", [1]), ints("minus_one", [-1])])

case("conv", [
    n("Conv", ["x", "w", "b"], ["stride2_pad1"], strides=[2, 2], pads=[1, 1, 1, 1]),
    n("Conv", ["x", "w"], ["dilated_asymmetric"], pads=[0, 1, 2, 0], dilations=[2, 2],
      kernel_shape=[3, 3]),
    n("Conv", ["x", "w1", "b"], ["pointwise"]),
    n("Conv", ["x", "wr"], ["rectangular"], strides=[1, 2], auto_pad="VALID"),
], {"x": [2, 3, 9, 8]}, ["stride2_pad1", "dilated_asymmetric", "pointwise", "rectangular"],
    initializers=[weight("w", [4, 3, 3, 3]), weight("b", [4]), weight("w1", [4, 3, 1, 1]),
                  weight("wr", [5, 3, 2, 3])])

# Opset 11: Softmax flattens from `axis` on; axes are attributes.
case("opset11", [
    n("Softmax", ["x"], ["softmax"], axis=1),
    n("Softmax", ["x"], ["softmax_default"]),
    n("ReduceSum", ["x"], ["sum"], axes=[1], keepdims=0),
    n("Unsqueeze", ["x"], ["unsqueezed"], axes=[1]),
    n("Squeeze", ["unsqueezed"], ["squeezed"], axes=[1]),
], {"x": [2, 3, 4]}, ["softmax", "softmax_default", "sum", "unsqueezed", "squeezed"], opset=11)

# Opset 18: ReduceMean takes its axes as an input.
case("opset18", [
    n("ReduceMean", ["x", "axis1"], ["mean"], keepdims=0),
    n("Reshape", ["x", "shape"], ["reshaped"], allowzero=0),
], {"x": [2, 3, 4]}, ["mean", "reshaped"], opset=18,
    initializers=[ints("axis1", [1]), ints("shape", [0, 0, 2, 2])])
