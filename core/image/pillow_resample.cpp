#include "core/image/pillow_resample.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/image/preprocess.h"
#include "core/image/resample_kernels.h"

namespace clip {

namespace pillow {

namespace {

// Pillow's filters, written term for term so the doubles round the same way.
// bicubic_filter: Keys' kernel with a = -0.5.
double bicubic(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// bilinear_filter: the triangle.
double bilinear(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

// Pillow's struct filter: the kernel and its support (radius at scale 1).
struct Filter {
  double (*weight)(double);
  double support;
};

Filter filter_for(ResampleFilter f) {
  return f == ResampleFilter::bilinear ? Filter{bilinear, 1.0} : Filter{bicubic, 2.0};
}

constexpr int32_t kHalf = 1 << (kPrecisionBits - 1);

inline uint8_t clip8(int32_t v) {
  v >>= kPrecisionBits;  // arithmetic: negative sums stay negative
  return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

}  // namespace

AxisTaps filter_taps(ResampleFilter filter, int in_size, int out_size, int out_first, int out_count) {
  const Filter f = filter_for(filter);
  AxisTaps t;
  const double scale = double(in_size) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;  // antialias when shrinking
  const double support = f.support * filterscale;
  const double ss = 1.0 / filterscale;
  t.ksize = int(std::ceil(support)) * 2 + 1;
  t.first.resize(size_t(out_count));
  t.count.resize(size_t(out_count));
  t.weights.assign(size_t(out_count) * size_t(t.ksize), 0);
  std::vector<double> k(size_t(t.ksize));
  for (int i = 0; i < out_count; ++i) {
    const int xx = out_first + i;
    const double center = (xx + 0.5) * scale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax = std::min(xmax - xmin, t.ksize);
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = f.weight((x + xmin - center + 0.5) * ss);
      k[size_t(x)] = w;
      ww += w;
    }
    int32_t* q = &t.weights[size_t(i) * size_t(t.ksize)];
    for (int x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[size_t(x)] / ww : k[size_t(x)];
      q[x] = w < 0 ? int32_t(-0.5 + w * (1 << kPrecisionBits))
                   : int32_t(0.5 + w * (1 << kPrecisionBits));
    }
    t.first[size_t(i)] = xmin;
    t.count[size_t(i)] = xmax;
  }
  return t;
}

namespace {

// Planar uint8 rows between the passes: plane c, row r at data[(c*rows + r)*width].
struct Planes {
  int width = 0, rows = 0;
  std::vector<uint8_t> data;
  uint8_t* row(int c, int r) { return &data[(size_t(c) * size_t(rows) + size_t(r)) * size_t(width)]; }
};

// Hot loops are compiled twice on x86-64 Linux (baseline and AVX2) and
// picked at load time. The arithmetic is integer, so both give the same bits.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__EMSCRIPTEN__)
#define CLIP_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define CLIP_MULTIVERSION
#endif

// Horizontal taps in the form the inner loop wants: each Q22 weight split as
// hi * 2^11 + lo, so every product is int16 x int16 (which compilers map to
// pmaddwd / i32x4.dot_i16x8_s), and every output padded with zero weights to
// one length, so the loop has no ragged tail. Exact: the sum is rebuilt as
// hi_sum * 2^11 + lo_sum.
struct SplitTaps {
  int kpad = 0;
  std::vector<int> offset;       // first source sample, from the span start
  std::vector<int16_t> hi, lo;   // size * kpad
};

SplitTaps split_taps(const AxisTaps& t) {
  SplitTaps s;
  const int n = t.size();
  const int widest = *std::max_element(t.count.begin(), t.count.end());
  s.kpad = (widest + 7) / 8 * 8;
  s.offset.resize(size_t(n));
  s.hi.assign(size_t(n) * size_t(s.kpad), 0);
  s.lo.assign(size_t(n) * size_t(s.kpad), 0);
  for (int i = 0; i < n; ++i) {
    s.offset[size_t(i)] = t.first[size_t(i)] - t.source_begin();
    for (int k = 0; k < t.count[size_t(i)]; ++k) {
      const int32_t w = t.weights[size_t(i) * size_t(t.ksize) + size_t(k)];
      const int32_t hi = w >> 11;  // floor, so lo is in [0, 2048)
      s.hi[size_t(i) * size_t(s.kpad) + size_t(k)] = int16_t(hi);
      s.lo[size_t(i) * size_t(s.kpad) + size_t(k)] = int16_t(w - hi * 2048);
    }
  }
  return s;
}

// Horizontal pass over `out.rows` source rows starting at `src` (each `span`
// pixels wide, `stride` bytes apart): each row is split into int16 planes,
// then every output pixel is three contiguous dot products sharing weights.
CLIP_MULTIVERSION
void horizontal_rows(const uint8_t* src, size_t stride, int span, const SplitTaps& t, Planes& out) {
  const size_t plane_len = size_t(span) + size_t(t.kpad);  // zero tail for the padded taps
  std::vector<int16_t> planes(plane_len * 3, 0);
  int16_t* p0 = planes.data();
  for (int r = 0; r < out.rows; ++r, src += stride) {
    split_channels(src, span, p0, p0 + plane_len, p0 + 2 * plane_len);
    uint8_t* d0 = out.row(0, r);
    uint8_t* d1 = out.row(1, r);
    uint8_t* d2 = out.row(2, r);
    for (int i = 0; i < out.width; ++i) {
      const size_t taps = size_t(i) * size_t(t.kpad);
      int32_t sums[3];
      dot3_split(p0 + t.offset[size_t(i)], plane_len, &t.hi[taps], &t.lo[taps], t.kpad, sums);
      d0[i] = clip8(kHalf + sums[0]);
      d1[i] = clip8(kHalf + sums[1]);
      d2[i] = clip8(kHalf + sums[2]);
    }
  }
}

// No horizontal resampling (same width): copy the window's columns.
void copy_columns(const RgbImage& src, int row0, int col0, Planes& out) {
  for (int r = 0; r < out.rows; ++r) {
    const uint8_t* s = &src.pixels[(size_t(row0 + r) * size_t(src.width) + size_t(col0)) * 3];
    for (int c = 0; c < 3; ++c) {
      uint8_t* d = out.row(c, r);
      for (int x = 0; x < out.width; ++x) d[x] = s[3 * x + c];
    }
  }
}

// Vertical pass for output rows [i0, i1): row i sums rows [first, first+count)
// of `in` (indexed from row0), vectorised across the row.
CLIP_MULTIVERSION
void vertical_pass(Planes& in, int row0, const AxisTaps& ty, int i0, int i1, RgbImage& out) {
  const int w = in.width;
  std::vector<int32_t> acc(static_cast<size_t>(w));
  for (int i = i0; i < i1; ++i) {
    const int32_t* k = &ty.weights[size_t(i) * size_t(ty.ksize)];
    const int base = ty.first[size_t(i)] - row0, n = ty.count[size_t(i)];
    uint8_t* d = &out.pixels[size_t(i) * size_t(w) * 3];
    for (int c = 0; c < 3; ++c) {
      std::fill(acc.begin(), acc.end(), kHalf);
      for (int t = 0; t < n; ++t) {
        const uint8_t* s = in.row(c, base + t);
        const int32_t kt = k[t];
        for (int x = 0; x < w; ++x) acc[size_t(x)] += s[x] * kt;
      }
      for (int x = 0; x < w; ++x) d[3 * x + c] = clip8(acc[size_t(x)]);
    }
  }
}

void interleave(Planes& in, RgbImage& out) {
  for (int r = 0; r < in.rows; ++r) {
    uint8_t* d = &out.pixels[size_t(r) * size_t(in.width) * 3];
    for (int c = 0; c < 3; ++c) {
      const uint8_t* s = in.row(c, r);
      for (int x = 0; x < in.width; ++x) d[3 * x + c] = s[x];
    }
  }
}

}  // namespace

}  // namespace pillow

Result<RgbImage> resize_window(const RgbImage& src, int out_width, int out_height, int x0, int y0,
                               int win_w, int win_h, ResampleFilter filter) {
  using namespace pillow;
  if (src.width <= 0 || src.height <= 0 ||
      src.pixels.size() != size_t(src.width) * size_t(src.height) * 3)
    return make_error("resize: source image is empty or its pixel buffer has the wrong size");
  if (out_width <= 0 || out_height <= 0 || win_w <= 0 || win_h <= 0 || x0 < 0 || y0 < 0 ||
      x0 > out_width - win_w || y0 > out_height - win_h)
    return make_error("resize: window " + std::to_string(win_w) + "x" + std::to_string(win_h) +
                      "+" + std::to_string(x0) + "+" + std::to_string(y0) + " is not inside " +
                      std::to_string(out_width) + "x" + std::to_string(out_height));

  // Pillow skips a pass whose size does not change (and copies when neither does).
  const bool need_h = out_width != src.width, need_v = out_height != src.height;
  const size_t stride = size_t(src.width) * 3;
  AxisTaps tx;
  SplitTaps split;
  if (need_h) {
    tx = filter_taps(filter, src.width, out_width, x0, win_w);
    split = split_taps(tx);
    std::vector<int32_t>().swap(tx.weights);  // only the split form is read from here on
  }
  // Source rows [row0, row0 + rows) of the window, horizontally resampled.
  auto horizontal = [&](int row0, Planes& mid) {
    if (need_h)
      horizontal_rows(&src.pixels[size_t(row0) * stride + size_t(tx.source_begin()) * 3], stride,
                      tx.source_end() - tx.source_begin(), split, mid);
    else
      copy_columns(src, row0, x0, mid);
  };

  RgbImage out;
  out.width = win_w;
  out.height = win_h;
  out.pixels.resize(size_t(win_w) * size_t(win_h) * 3);
  Planes mid;
  mid.width = win_w;
  if (!need_v) {
    mid.rows = win_h;
    mid.data.resize(size_t(win_w) * size_t(win_h) * 3);
    horizontal(y0, mid);
    interleave(mid, out);
    return out;
  }
  const AxisTaps ty = filter_taps(filter, src.height, out_height, y0, win_h);
  // Output rows go in bands whose source rows fit about 4 MB: one band for
  // any ordinary picture, while a very tall source shrunk to a few rows (the
  // "exact" rule) never holds all of its rows at once. A band spans at least
  // two output rows' windows, so the rows neighbouring bands share (windows
  // overlap) are not resampled many times over.
  const int widest = *std::max_element(ty.count.begin(), ty.count.end());
  const int band_limit = std::max(2 * widest, int((size_t(4) << 20) / (size_t(win_w) * 3)));
  mid.data.reserve(size_t(win_w) * 3 * size_t(std::min(band_limit, ty.source_end() - ty.source_begin())));
  for (int i0 = 0; i0 < win_h;) {
    const int r0 = ty.first[size_t(i0)];
    int i1 = i0 + 1;
    while (i1 < win_h && ty.first[size_t(i1)] + ty.count[size_t(i1)] - r0 <= band_limit) ++i1;
    mid.rows = ty.first[size_t(i1 - 1)] + ty.count[size_t(i1 - 1)] - r0;
    mid.data.resize(size_t(win_w) * size_t(mid.rows) * 3);
    horizontal(r0, mid);
    vertical_pass(mid, r0, ty, i0, i1, out);
    i0 = i1;
  }
  return out;
}

}  // namespace clip
