// Synthetic CLIP-like embeddings for measuring search quality without a
// model: unit vectors from a mixture of a few hundred anisotropic Gaussian
// clusters around a shared mean direction, with a handful of large "outlier"
// dimensions (CLIP embeddings have both). Header-only and deterministic for a
// given seed (own RNG and Gaussian, not <random>'s implementation-defined one),
// so tests and bench/recall.cpp see the same data on every platform.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace clip {
namespace synthetic {

// splitmix64 stream with Box-Muller Gaussians.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double gaussian() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u = 1.0 - uniform(), v = uniform();  // u in (0, 1]
    const double r = std::sqrt(-2.0 * std::log(u)), t = 6.283185307179586 * v;
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return r * std::cos(t);
  }

 private:
  uint64_t s_;
  double spare_ = 0;
  bool has_spare_ = false;
};

struct Params {
  size_t clusters = 300;
  size_t rank = 16;             // within-cluster covariance: low rank + isotropic noise
  // Shares of the expected squared norm before normalisation (they sum to 1).
  double mean_energy = 0.35;    // the common mean direction
  double outlier_energy = 0.10; // ... plus a few large dimensions
  size_t outlier_dims = 3;
  double center_energy = 0.25;  // cluster centre offsets
  double spread_energy = 0.20;  // low-rank within-cluster variation
  double noise_energy = 0.10;   // isotropic noise
  double zipf = 0.7;            // cluster sizes ~ 1 / rank^zipf
};

// A fixed mixture; sample() draws unit vectors from it.
class EmbeddingModel {
 public:
  EmbeddingModel(size_t dim, uint64_t seed, const Params& p = Params()) : dim_(dim), p_(p) {
    Rng rng(seed);
    const double d = double(dim);
    mean_.assign(dim, 0.0f);
    // Common direction, plus a few dimensions with consistently large values.
    for (size_t i = 0; i < dim; ++i) mean_[i] = float(rng.gaussian() * std::sqrt(p.mean_energy / d));
    for (size_t k = 0; k < p.outlier_dims && k < dim; ++k) {
      const size_t i = size_t(rng.next() % dim);
      mean_[i] += float((k % 2 ? -1 : 1) * std::sqrt(p.outlier_energy / double(p.outlier_dims)));
    }
    // Per-dimension gains make the whole distribution anisotropic.
    std::vector<double> gain(dim);
    double gain_energy = 0;
    for (size_t i = 0; i < dim; ++i) {
      gain[i] = std::exp(0.35 * rng.gaussian());
      gain_energy += gain[i] * gain[i] / d;
    }
    for (double& g : gain) g /= std::sqrt(gain_energy);  // keep the energy budget above
    double weights = 0;  // low-rank directions weigh 1/(r+2), normalised to spread_energy
    for (size_t r = 0; r < p.rank; ++r) weights += 1.0 / double(r + 2);
    centers_.resize(p.clusters * dim);
    basis_.resize(p.clusters * p.rank * dim);
    double total = 0;
    for (size_t c = 0; c < p.clusters; ++c) {
      for (size_t i = 0; i < dim; ++i)
        centers_[c * dim + i] = mean_[i] + float(gain[i] * rng.gaussian() * std::sqrt(p.center_energy / d));
      // Random low-rank factor with decaying strength per direction.
      for (size_t r = 0; r < p.rank; ++r) {
        const double strength = std::sqrt(p.spread_energy / d / double(r + 2) / weights);
        for (size_t i = 0; i < dim; ++i)
          basis_[(c * p.rank + r) * dim + i] = float(gain[i] * rng.gaussian() * strength);
      }
      total += 1.0 / std::pow(double(c + 1), p.zipf);
      cumulative_.push_back(total);
    }
    for (double& w : cumulative_) w /= total;
  }

  size_t dim() const { return dim_; }

  // n unit vectors, row-major, into out (n * dim floats). Different seeds give
  // independent draws from the same mixture (e.g. base set vs queries).
  void sample(size_t n, uint64_t seed, float* out) const {
    Rng rng(seed);
    std::vector<double> x(dim_), z(p_.rank);
    const double noise = std::sqrt(p_.noise_energy / double(dim_));
    for (size_t v = 0; v < n; ++v) {
      const size_t c = pick_cluster(rng.uniform());
      for (size_t i = 0; i < dim_; ++i) x[i] = centers_[c * dim_ + i] + noise * rng.gaussian();
      for (size_t r = 0; r < p_.rank; ++r) {
        const double zr = rng.gaussian();
        const float* b = &basis_[(c * p_.rank + r) * dim_];
        for (size_t i = 0; i < dim_; ++i) x[i] += zr * b[i];
      }
      double norm = 0;
      for (double xi : x) norm += xi * xi;
      norm = std::sqrt(norm);
      for (size_t i = 0; i < dim_; ++i) out[v * dim_ + i] = float(x[i] / norm);
    }
  }

  std::vector<float> sample(size_t n, uint64_t seed) const {
    std::vector<float> out(n * dim_);
    sample(n, seed, out.data());
    return out;
  }

 private:
  size_t pick_cluster(double u) const {
    size_t lo = 0, hi = cumulative_.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cumulative_[mid] > u) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  size_t dim_;
  Params p_;
  std::vector<float> mean_, centers_, basis_;
  std::vector<double> cumulative_;
};

// Exact float cosine top-k of each query over a base set of unit vectors,
// best first (ties by lower index): the ground truth recall is measured
// against. Queries are processed in groups so each base vector is read once
// per group and the inner loop vectorises without reassociating sums.
inline std::vector<std::vector<uint32_t>> exact_top_k(const std::vector<float>& base, const std::vector<float>& queries,
                                                      size_t dim, size_t k) {
  const size_t n = base.size() / dim, nq = queries.size() / dim;
  constexpr size_t G = 16;
  std::vector<std::vector<uint32_t>> result(nq);
  std::vector<float> qt(dim * G), scores(n * G);
  for (size_t q0 = 0; q0 < nq; q0 += G) {
    const size_t g = nq - q0 < G ? nq - q0 : G;
    for (size_t i = 0; i < dim; ++i)
      for (size_t j = 0; j < G; ++j) qt[i * G + j] = j < g ? queries[(q0 + j) * dim + i] : 0.0f;
    for (size_t b = 0; b < n; ++b) {
      float acc[G] = {};
      const float* v = &base[b * dim];
      for (size_t i = 0; i < dim; ++i)
        for (size_t j = 0; j < G; ++j) acc[j] += qt[i * G + j] * v[i];
      for (size_t j = 0; j < G; ++j) scores[j * n + b] = acc[j];
    }
    for (size_t j = 0; j < g; ++j) {
      std::vector<uint32_t> best;  // insertion into a sorted list of k: k is small
      const float* s = &scores[j * n];
      for (uint32_t b = 0; b < n; ++b) {
        if (best.size() == k && s[b] <= s[best.back()]) continue;
        size_t pos = best.size();
        while (pos > 0 && s[best[pos - 1]] < s[b]) --pos;
        best.insert(best.begin() + long(pos), b);
        if (best.size() > k) best.pop_back();
      }
      result[q0 + j] = std::move(best);
    }
  }
  return result;
}

// |found ∩ truth| / |truth|, averaged over queries.
inline double recall_at_k(const std::vector<std::vector<uint32_t>>& truth,
                          const std::vector<std::vector<uint32_t>>& found) {
  double sum = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    size_t hit = 0;
    for (uint32_t t : truth[q])
      for (uint32_t f : found[q]) hit += (t == f);
    sum += truth[q].empty() ? 1.0 : double(hit) / double(truth[q].size());
  }
  return truth.empty() ? 0 : sum / double(truth.size());
}

}  // namespace synthetic
}  // namespace clip
