// One query vector from several term embeddings: the weighted sum of the
// normalised embeddings, normalised again.
//
// How negative terms behave: "a red circle - red + blue" adds -1 x red, so
// the result points away from what "red" shares with the rest and towards
// "blue"; cosine scores of red images drop by about the red component. A
// term's pull is its weight relative to the others: "2:beach + sunset" leans
// twice as far towards beach. Only negative terms ("- red") give the
// direction least like red, which ranks images by how little they resemble
// it, not by any content. Terms that cancel out exactly ("red - red") have no
// direction and are an error.
#pragma once
#include <cstddef>
#include <vector>

#include "core/util/result.h"

namespace clip {

// `embeddings`: weights.size() rows of `dim` floats, each normalised here
// (they need not be). Fails on a row of zeros or non-finite values, a count
// mismatch, or a sum whose length is below 1e-6 of the total weight.
Result<std::vector<float>> combine_term_embeddings(const std::vector<float>& embeddings,
                                                   const std::vector<float>& weights, size_t dim);

}  // namespace clip
