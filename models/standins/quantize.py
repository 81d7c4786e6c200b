"""Dynamic int8 quantisation of a float32 ONNX graph, as ONNX Runtime's
quantize_dynamic does it for the published *_quantized.onnx files: every
MatMul with a constant weight becomes
    DynamicQuantizeLinear(x) -> MatMulInteger(x_q, w_q, x_zero, w_zero)
    -> Cast(float) -> Mul(x_scale * w_scale)
with the weight quantised once to int8 (symmetric, per tensor) and the
activation quantised at run time with one scale for the whole tensor: a
row's result depends on the other rows of its batch."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def convert(model):
    g = model.graph
    weights = {t.name: t for t in g.initializer}
    nodes, extra_init = [], []
    for node in g.node:
        w = weights.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2:
            nodes.append(node)
            continue
        x, y, base = node.input[0], node.output[0], node.name or node.output[0]
        wf = numpy_helper.to_array(w)
        w_scale = max(float(np.abs(wf).max()), 1e-12) / 127.0
        wq = np.clip(np.round(wf / w_scale), -127, 127).astype(np.int8)
        extra_init += [numpy_helper.from_array(wq, base + "_w_q"),
                       numpy_helper.from_array(np.array(w_scale, np.float32), base + "_w_scale"),
                       numpy_helper.from_array(np.array(0, np.int8), base + "_w_zero")]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [base + "_x_q", base + "_x_scale", base + "_x_zero"],
                             name=base + "_quant"),
            helper.make_node("MatMulInteger", [base + "_x_q", base + "_w_q", base + "_x_zero", base + "_w_zero"],
                             [base + "_int32"], name=base + "_matmul_int"),
            helper.make_node("Cast", [base + "_int32"], [base + "_float"], to=TensorProto.FLOAT, name=base + "_cast"),
            helper.make_node("Mul", [base + "_x_scale", base + "_w_scale"], [base + "_scale"], name=base + "_scale_mul"),
            helper.make_node("Mul", [base + "_float", base + "_scale"], [y], name=base + "_dequant"),
        ]
    used = {n for node in nodes for n in node.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(kept + extra_init)
    onnx.checker.check_model(model)
    return model
