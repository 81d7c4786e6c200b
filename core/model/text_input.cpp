// ModelSpec::text_batches: token id rows -> the exact tensors a text graph
// gets, by the tower's input contract (model.json text.input).
#include <algorithm>
#include <map>

#include "core/model/model_spec.h"

namespace clip {
namespace {

const GraphPort* find_port(const std::vector<GraphPort>& ports, const std::string& name) {
  for (const GraphPort& p : ports)
    if (p.name == name) return &p;
  return nullptr;
}

int64_t static_dim(const GraphPort* port, size_t axis) {
  return port && port->shape.size() > axis && port->shape[axis] > 0 ? port->shape[axis] : -1;
}

TextBatch fill(const std::vector<std::vector<int32_t>>& rows, const std::vector<size_t>& members, int64_t batch,
               int64_t sequence, int32_t pad_id) {
  TextBatch b;
  b.rows = members;
  b.batch = batch;
  b.sequence = sequence;
  b.ids.assign(size_t(batch * sequence), pad_id);
  b.mask.assign(size_t(batch * sequence), 0);
  for (size_t r = 0; r < members.size(); ++r) {
    const auto& row = rows[members[r]];
    for (size_t j = 0; j < row.size(); ++j) {
      b.ids[r * size_t(sequence) + j] = row[j];
      b.mask[r * size_t(sequence) + j] = 1;
    }
  }
  return b;
}

}  // namespace

Result<std::vector<TextBatch>> ModelSpec::text_batches(const TextTower& tower,
                                                        const std::vector<std::vector<int32_t>>& rows,
                                                        const GraphSignature& graph, size_t max_rows) const {
  const size_t context = tower.tokenizer.context_length;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].empty() || rows[i].size() > context)
      return make_error("text " + std::to_string(i) + ": " + std::to_string(rows[i].size()) +
                        " token ids, expected 1 to " + std::to_string(context) + " (the " + tower.language +
                        " tower's context length)");
  const GraphPort* ids = tower.encoder.input_names.empty() ? nullptr : find_port(graph.inputs, tower.encoder.input_names[0]);
  const int64_t graph_batch = static_dim(ids, 0);
  size_t chunk = max_rows;
  if (graph_batch > 0 && (chunk == 0 || size_t(graph_batch) < chunk)) chunk = size_t(graph_batch);

  // Rows that may share a run: all of them (fixed length), or those of one
  // length (variable length, so nothing is padded), in the caller's order.
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < rows.size(); ++i)
    groups[tower.input.length == TextLength::fixed ? 0 : rows[i].size()].push_back(i);

  std::vector<TextBatch> out;
  for (const auto& [length, members] : groups) {
    const int64_t sequence = int64_t(tower.input.length == TextLength::fixed ? context : length);
    const size_t step = chunk == 0 ? members.size() : chunk;
    for (size_t first = 0; first < members.size(); first += step) {
      std::vector<size_t> part(members.begin() + first, members.begin() + std::min(members.size(), first + step));
      const int64_t batch = graph_batch > 0 ? graph_batch : int64_t(part.size());
      out.push_back(fill(rows, part, batch, sequence, tower.input.pad_id));
    }
  }
  return out;
}

}  // namespace clip
