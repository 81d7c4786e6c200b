#include "tools/onnx/graph_prune.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "tools/onnx/protobuf_wire.h"

namespace clipsearch::onnx {
namespace {

// Field numbers from onnx.proto.
namespace model_field { constexpr uint32_t graph = 7; }
namespace graph_field {
constexpr uint32_t node = 1, initializer = 5, input = 11, output = 12, value_info = 13, annotation = 14,
                   sparse_initializer = 15;
}
namespace node_field { constexpr uint32_t input = 1, output = 2, name = 3, op_type = 4, attribute = 5; }
namespace attribute_field { constexpr uint32_t name = 1, t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23; }
namespace tensor_field { constexpr uint32_t name = 8, external_data = 13, data_location = 14; }
namespace sparse_field { constexpr uint32_t values = 1, indices = 2; }
// ValueInfoProto.name and TensorAnnotation.tensor_name are both field 1.
constexpr uint32_t kNameOfValueInfo = 1;

struct Node {
  std::vector<std::string_view> inputs, outputs;
  std::string label;  // for errors: "node 12 'Gather_3' (Gather)"
};

// Facts a kept field needs: its name (initializer, input, value_info...).
struct Named {
  const WireField* field;
  std::string_view name;
};

clip::Result<std::vector<WireField>> length_fields(clip::ByteView buf, const WireField& f, const std::string& what) {
  if (f.type != WireType::length) return clip::make_error(what + ": not a message (wire type " + std::to_string(int(f.type)) + ")");
  return read_fields(buf, f.value_begin, f.end, what);
}

// A TensorProto's name; refuses data kept outside the file.
clip::Result<std::string_view> tensor_name(clip::ByteView buf, const WireField& f, const std::string& what) {
  auto fields = length_fields(buf, f, what);
  CLIP_TRY(fields);
  std::string_view name;
  for (const WireField& t : *fields) {
    if (t.number == tensor_field::name && t.type == WireType::length) name = field_text(buf, t);
    const bool external = (t.number == tensor_field::data_location && t.type == WireType::varint && t.varint == 1) ||
                          t.number == tensor_field::external_data;
    if (external)
      return clip::make_error(what + (name.empty() ? "" : " '" + std::string(name) + "'") +
                              " keeps its data in an external file; only single-file ONNX models can be split");
  }
  return name;
}

clip::Result<std::string_view> sparse_tensor_name(clip::ByteView buf, const WireField& f, const std::string& what) {
  auto fields = length_fields(buf, f, what);
  CLIP_TRY(fields);
  std::string_view name;
  for (const WireField& s : *fields) {
    if (s.number != sparse_field::values && s.number != sparse_field::indices) continue;
    auto n = tensor_name(buf, s, what);
    CLIP_TRY(n);
    if (s.number == sparse_field::values) name = *n;
  }
  return name;
}

clip::Status check_attribute(clip::ByteView buf, const WireField& f, const std::string& node) {
  auto fields = length_fields(buf, f, node + " attribute");
  CLIP_TRY(fields);
  std::string_view name;
  for (const WireField& a : *fields)
    if (a.number == attribute_field::name && a.type == WireType::length) name = field_text(buf, a);
  const std::string what = node + " attribute '" + std::string(name) + "'";
  for (const WireField& a : *fields) {
    if (a.number == attribute_field::g || a.number == attribute_field::graphs)
      return clip::make_error(what + " holds a subgraph: graphs with control flow (If, Loop, Scan) cannot be split");
    if (a.number == attribute_field::t || a.number == attribute_field::tensors) CLIP_TRY(tensor_name(buf, a, what));
    if (a.number == attribute_field::sparse_tensor || a.number == attribute_field::sparse_tensors)
      CLIP_TRY(sparse_tensor_name(buf, a, what));
  }
  return clip::ok_status();
}

clip::Result<Node> read_node(clip::ByteView buf, const WireField& f, size_t index) {
  const std::string where = "node " + std::to_string(index);
  auto fields = length_fields(buf, f, where);
  CLIP_TRY(fields);
  Node n;
  std::string_view name, op;
  for (const WireField& g : *fields) {
    if (g.type != WireType::length) continue;
    if (g.number == node_field::input) n.inputs.push_back(field_text(buf, g));
    if (g.number == node_field::output) n.outputs.push_back(field_text(buf, g));
    if (g.number == node_field::name) name = field_text(buf, g);
    if (g.number == node_field::op_type) op = field_text(buf, g);
  }
  n.label = where + (name.empty() ? "" : " '" + std::string(name) + "'") + " (" + std::string(op) + ")";
  for (const WireField& g : *fields)
    if (g.number == node_field::attribute) CLIP_TRY(check_attribute(buf, g, n.label));
  return n;
}

clip::Result<std::string_view> value_name(clip::ByteView buf, const WireField& f, const std::string& what) {
  auto fields = length_fields(buf, f, what);
  CLIP_TRY(fields);
  for (const WireField& v : *fields)
    if (v.number == kNameOfValueInfo && v.type == WireType::length) return field_text(buf, v);
  return std::string_view();
}

std::string join(const std::vector<std::string_view>& names) {
  std::string s;
  for (auto n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

}  // namespace

std::vector<clip::ByteView> PrunedModel::views(clip::ByteView model) const {
  std::vector<clip::ByteView> out;
  for (const Piece& p : pieces)
    out.push_back(p.bytes.empty() ? clip::ByteView(model.data + p.begin, p.end - p.begin) : clip::ByteView(p.bytes));
  return out;
}

std::string PrunedModel::to_string(clip::ByteView model) const {
  std::string s;
  s.reserve(size_t(size));
  for (const clip::ByteView& v : views(model)) s.append(v.as_string());
  return s;
}

clip::Result<PrunedModel> prune_to_outputs(clip::ByteView model, const std::vector<std::string>& outputs,
                                           const std::string& name) {
  auto fail = [&](const std::string& why) { return clip::make_error(name + ": " + why); };
  auto top = read_fields(model, 0, model.size, "model");
  if (!top) return fail(top.message());
  const WireField* graph = nullptr;
  for (const WireField& f : *top) {
    if (f.number != model_field::graph) continue;
    if (graph) return fail("the model holds more than one graph field");
    if (f.type != WireType::length) return fail("the graph field is not a message");
    graph = &f;
  }
  if (!graph) return fail("no graph: not an ONNX model");
  auto gfields = read_fields(model, graph->value_begin, graph->end, "graph");
  if (!gfields) return fail(gfields.message());

  // What the graph holds, by kind.
  std::vector<Node> nodes;
  std::vector<const WireField*> node_fields;
  std::vector<Named> inputs, graph_outputs, initializers, value_infos, annotations;
  for (const WireField& f : *gfields) {
    switch (f.number) {
      case graph_field::node: {
        auto n = read_node(model, f, nodes.size());
        if (!n) return fail(n.message());
        nodes.push_back(std::move(*n));
        node_fields.push_back(&f);
        break;
      }
      case graph_field::initializer:
      case graph_field::sparse_initializer: {
        const std::string what = "initializer " + std::to_string(initializers.size());
        auto n = f.number == graph_field::initializer ? tensor_name(model, f, what) : sparse_tensor_name(model, f, what);
        if (!n) return fail(n.message());
        initializers.push_back({&f, *n});
        break;
      }
      case graph_field::input:
      case graph_field::output:
      case graph_field::value_info:
      case graph_field::annotation: {
        auto n = value_name(model, f, "graph field " + std::to_string(f.number));
        if (!n) return fail(n.message());
        auto& list = f.number == graph_field::input    ? inputs
                     : f.number == graph_field::output ? graph_outputs
                     : f.number == graph_field::value_info ? value_infos
                                                            : annotations;
        list.push_back({&f, *n});
        break;
      }
      default:
        break;
    }
  }

  std::unordered_map<std::string_view, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (std::string_view out : nodes[i].outputs) {
      if (out.empty()) continue;  // an optional output left out
      auto [it, fresh] = producer.emplace(out, i);
      if (!fresh)
        return fail("tensor '" + std::string(out) + "' is made by two nodes (" + nodes[it->second].label + " and " +
                    nodes[i].label + ")");
    }
  std::unordered_set<std::string_view> sources;  // what no node makes: graph inputs and initializers
  for (const auto* list : {&inputs, &initializers})
    for (const Named& n : *list) {
      if (n.name.empty()) continue;
      if (producer.count(n.name))
        return fail("tensor '" + std::string(n.name) + "' is both a graph input or initializer and made by " +
                    nodes[producer.at(n.name)].label);
      sources.insert(n.name);
    }

  std::vector<std::string_view> output_names;
  for (const Named& o : graph_outputs) output_names.push_back(o.name);
  std::unordered_set<std::string_view> wanted;
  for (const std::string& o : outputs) {
    if (std::find(output_names.begin(), output_names.end(), o) == output_names.end())
      return fail("the graph has no output '" + o + "' (it has " + join(output_names) + ")");
    wanted.insert(o);
  }

  // Backwards from the wanted outputs.
  std::vector<bool> keep(nodes.size(), false);
  std::unordered_set<std::string_view> needed(wanted.begin(), wanted.end());
  std::vector<std::string_view> todo(wanted.begin(), wanted.end());
  while (!todo.empty()) {
    const std::string_view t = todo.back();
    todo.pop_back();
    auto it = producer.find(t);
    if (it == producer.end() || keep[it->second]) continue;
    keep[it->second] = true;
    for (std::string_view in : nodes[it->second].inputs)
      if (!in.empty() && needed.insert(in).second) todo.push_back(in);
  }
  for (size_t i = 0; i < nodes.size(); ++i)
    if (keep[i])
      for (std::string_view in : nodes[i].inputs)
        if (!in.empty() && !producer.count(in) && !sources.count(in))
          return fail(nodes[i].label + " reads '" + std::string(in) + "', which no node, input or initializer makes");
  for (std::string_view o : wanted)
    if (!producer.count(o) && !sources.count(o))
      return fail("output '" + std::string(o) + "' is made by no node, input or initializer");

  // Which graph fields stay: kept nodes, and named entries the kept part
  // reads or makes.
  std::unordered_set<const WireField*> kept_fields;
  PrunedModel out;
  out.nodes_total = nodes.size();
  out.initializers_total = initializers.size();
  for (size_t i = 0; i < nodes.size(); ++i)
    if (keep[i]) {
      kept_fields.insert(node_fields[i]);
      ++out.nodes_kept;
    }
  auto made_by_kept = [&](std::string_view t) {
    auto it = producer.find(t);
    return it != producer.end() && keep[it->second];
  };
  for (const Named& n : inputs)
    if (needed.count(n.name)) {
      kept_fields.insert(n.field);
      out.inputs.emplace_back(n.name);
    }
  for (const Named& n : initializers)
    if (needed.count(n.name)) {
      kept_fields.insert(n.field);
      ++out.initializers_kept;
    }
  for (const Named& n : graph_outputs)
    if (wanted.count(n.name)) kept_fields.insert(n.field);
  for (const auto* list : {&value_infos, &annotations})
    for (const Named& n : *list)
      if (needed.count(n.name) || made_by_kept(n.name)) kept_fields.insert(n.field);

  static const std::unordered_set<uint32_t> kFiltered = {
      graph_field::node,   graph_field::initializer, graph_field::input,     graph_field::output,
      graph_field::value_info, graph_field::annotation, graph_field::sparse_initializer};
  std::vector<PrunedModel::Piece> graph_pieces;
  uint64_t graph_size = 0;
  for (const WireField& f : *gfields)
    if (!kFiltered.count(f.number) || kept_fields.count(&f)) {
      // Adjacent kept fields become one span.
      if (!graph_pieces.empty() && graph_pieces.back().end == f.begin)
        graph_pieces.back().end = f.end;
      else
        graph_pieces.push_back({f.begin, f.end, {}});
      graph_size += f.end - f.begin;
    }
  for (const WireField& f : *top) {
    if (&f == graph) {
      PrunedModel::Piece header;
      put_length_header(header.bytes, model_field::graph, graph_size);
      out.size += header.bytes.size() + graph_size;
      out.pieces.push_back(std::move(header));
      for (auto& p : graph_pieces) out.pieces.push_back(std::move(p));
      continue;
    }
    out.pieces.push_back({f.begin, f.end, {}});
    out.size += f.end - f.begin;
  }
  return out;
}

}  // namespace clipsearch::onnx
