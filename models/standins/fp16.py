"""float32 ONNX graph -> float16 with float32 inputs and outputs: what
onnxconverter-common's convert_float_to_float16(keep_io_types=True) makes,
and what the published *_fp16.onnx files are. Every float initializer,
constant and intermediate becomes float16; a Cast after each float input and
before each float output keeps the graph's interface float32."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16


# onnxconverter-common clamps values outside float16's range to its largest
# finite value (max_finite_val), so a -inf or float32-min attention mask
# stays finite: -inf would make softmax give NaN on some GPUs.
FP16_MAX = 65504.0


def _half_tensor(t):
    return numpy_helper.from_array(np.clip(numpy_helper.to_array(t), -FP16_MAX, FP16_MAX).astype(np.float16), t.name)


def convert(model):
    g = model.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == F32:
            g.initializer[i].CopyFrom(_half_tensor(t))
    for node in g.node:
        for a in node.attribute:
            if node.op_type in ("Constant", "ConstantOfShape") and a.type == onnx.AttributeProto.TENSOR \
                    and a.t.data_type == F32:
                a.t.CopyFrom(_half_tensor(a.t))
            if node.op_type == "Cast" and a.name == "to" and a.i == F32:
                a.i = F16
    for vi in g.value_info:
        if vi.type.tensor_type.elem_type == F32:
            vi.type.tensor_type.elem_type = F16
    casts_in, casts_out = [], []
    for inp in g.input:
        if inp.type.tensor_type.elem_type != F32:
            continue
        half = inp.name + "_fp16"
        for node in g.node:
            node.input[:] = [half if n == inp.name else n for n in node.input]
        casts_in.append(helper.make_node("Cast", [inp.name], [half], to=F16, name="cast_in_" + inp.name))
    for out in g.output:
        if out.type.tensor_type.elem_type != F32:
            continue
        half = out.name + "_fp16"
        for node in g.node:
            node.output[:] = [half if n == out.name else n for n in node.output]
            node.input[:] = [half if n == out.name else n for n in node.input]
        casts_out.append(helper.make_node("Cast", [half], [out.name], to=F32, name="cast_out_" + out.name))
    nodes = casts_in + list(g.node) + casts_out
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    return model
