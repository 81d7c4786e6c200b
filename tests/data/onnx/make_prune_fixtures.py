#!/usr/bin/python3
"""Tiny ONNX files for the graph pruner's tests (tools/onnx/graph_prune.h).

    /usr/bin/python3 tests/data/onnx/make_prune_fixtures.py

fused.onnx     a fused CLIP in miniature, laid out as Xenova's
               chinese-clip export is: inputs input_ids, attention_mask,
               pixel_values; outputs logits_per_image, logits_per_text,
               text_embeds, image_embeds. A Constant node and one
               initializer ("scale") are shared by both towers; each tower
               has value_info entries; an unused initializer and an unused
               node hang off the side.
subgraph.onnx  the text tower runs through an If node (a subgraph attribute).
external.onnx  an initializer whose data sits in an external file.

Deterministic (fixed weights); needs Debian's python3-onnx.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, WIDTH, DIM = 50, 6, 4


def weights(seed, *shape):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def fused_graph(text_through_if=False):
    init = [
        numpy_helper.from_array(weights(1, VOCAB, WIDTH), "token_embedding"),
        numpy_helper.from_array(weights(2, WIDTH, DIM), "text_projection"),
        numpy_helper.from_array(weights(3, 3, DIM), "visual_projection"),
        numpy_helper.from_array(np.array(2.0, np.float32), "scale"),
        numpy_helper.from_array(weights(4, 7), "unused_weight"),
    ]
    nodes = [
        helper.make_node("Constant", [], ["half"], value=numpy_helper.from_array(np.array(0.5, np.float32)),
                         name="shared_half"),
        # text: embed, mask, mean over the sequence, project, scale, normalise
        helper.make_node("Gather", ["token_embedding", "input_ids"], ["tok"], name="embed"),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["tok", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "text_projection"], ["text_raw"]),
        helper.make_node("Mul", ["text_raw", "scale"], ["text_scaled"]),
        helper.make_node("Mul", ["text_scaled", "half"], ["text_half"]),
        helper.make_node("LpNormalization", ["text_half"], ["text_embeds"], axis=-1, p=2),
        # vision: mean over pixels, project, scale, normalise
        helper.make_node("ReduceMean", ["pixel_values"], ["pix"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["pix", "visual_projection"], ["image_raw"]),
        helper.make_node("Mul", ["image_raw", "scale"], ["image_scaled"]),
        helper.make_node("Add", ["image_scaled", "half"], ["image_half"]),
        helper.make_node("LpNormalization", ["image_half"], ["image_embeds"], axis=-1, p=2),
        # both: logits
        helper.make_node("Transpose", ["text_embeds"], ["text_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["image_embeds", "text_t"], ["logits_per_image"]),
        helper.make_node("Transpose", ["logits_per_image"], ["logits_per_text"], perm=[1, 0]),
        # a node nothing reads
        helper.make_node("Neg", ["unused_weight"], ["dead_end"], name="dead"),
    ]
    init += [numpy_helper.from_array(np.array([2], np.int64), "axis2"),
             numpy_helper.from_array(np.array([1], np.int64), "axis1")]
    if text_through_if:
        then_graph = helper.make_graph([helper.make_node("Identity", ["text_half"], ["then_out"])], "then", [],
                                       [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, None)])
        else_graph = helper.make_graph([helper.make_node("Neg", ["text_half"], ["else_out"])], "else", [],
                                       [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, None)])
        init.append(numpy_helper.from_array(np.array(True), "always"))
        nodes[9] = helper.make_node("If", ["always"], ["text_if"], then_branch=then_graph, else_branch=else_graph,
                                    name="branch")
        nodes.insert(10, helper.make_node("LpNormalization", ["text_if"], ["text_embeds"], axis=-1, p=2))
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, "height", "width"]),
    ]
    outputs = [
        helper.make_tensor_value_info("logits_per_image", TensorProto.FLOAT, ["batch", "batch"]),
        helper.make_tensor_value_info("logits_per_text", TensorProto.FLOAT, ["batch", "batch"]),
        helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["batch", DIM]),
        helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch", DIM]),
    ]
    value_info = [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", WIDTH]),
                  helper.make_tensor_value_info("pix", TensorProto.FLOAT, ["batch", 3])]
    graph = helper.make_graph(nodes, "fused", inputs, outputs, init, value_info=value_info)
    model = helper.make_model(graph, producer_name="make_prune_fixtures", opset_imports=[helper.make_opsetid("", 13)])
    model.metadata_props.add(key="about", value="a fused CLIP in miniature")
    return model


def main():
    fused = fused_graph()
    onnx.checker.check_model(fused)
    onnx.save(fused, os.path.join(HERE, "fused.onnx"))
    with_if = fused_graph(text_through_if=True)
    onnx.checker.check_model(with_if)
    onnx.save(with_if, os.path.join(HERE, "subgraph.onnx"))
    external = fused_graph()
    for t in external.graph.initializer:
        if t.name == "text_projection":
            t.data_location = TensorProto.EXTERNAL
            t.ClearField("raw_data")
            t.ClearField("float_data")
            entry = t.external_data.add()
            entry.key, entry.value = "location", "weights.bin"
    onnx.save(external, os.path.join(HERE, "external.onnx"))


if __name__ == "__main__":
    main()
