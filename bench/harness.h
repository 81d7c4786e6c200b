// The benchmarks' small timing harness and a flag parser for `--name value`
// pairs. A call is timed by the CPU time of the calling thread, not the wall
// clock: figures are per core, and on a machine shared with other work the
// time spent waiting for a core is not the code's. The median of repeats
// then evens out cache disturbance. Benchmarks report every figure beside a
// baseline timed in the same run; absolute times are context only.
#pragma once
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds the calling thread has run.
inline double thread_cpu_s() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Timing {
  double median_s = 0;       // thread CPU time per call
  double median_wall_s = 0;  // wall time per call, for context
  size_t runs = 0;
};

// Calls f() `repeats` times, or more until `min_total_s` of wall time has
// passed (so fast calls are timed over many runs), at most `max_runs` times.
// f must do its work on the calling thread.
template <class F>
Timing time_median(F&& f, size_t repeats, double min_total_s = 0, size_t max_runs = 100000) {
  std::vector<double> cpu, wall;
  const double start = now_s();
  while (cpu.size() < repeats || (now_s() - start < min_total_s && cpu.size() < max_runs)) {
    const double c0 = thread_cpu_s(), w0 = now_s();
    f();
    cpu.push_back(thread_cpu_s() - c0);
    wall.push_back(now_s() - w0);
  }
  Timing r;
  r.runs = cpu.size();
  r.median_s = median(cpu);
  r.median_wall_s = median(wall);
  return r;
}

// `--name value` flags; every flag a benchmark reads must be declared with a
// default so --help can list them and a typo is an error, not a silent default.
class Flags {
 public:
  Flags(int argc, char** argv, const char* usage) : usage_(usage) {
    for (int i = 1; i < argc; ++i) {
      if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) help_ = true;
      else if (std::strncmp(argv[i], "--", 2) || i + 1 >= argc) bad("expected --name value at \"" + std::string(argv[i]) + "\"");
      else {
        given_.push_back({argv[i] + 2, argv[i + 1]});
        ++i;
      }
    }
  }

  std::string str(const char* name, const std::string& def) {
    declared_.push_back(std::string("  --") + name + " (default " + (def.empty() ? "\"\"" : def) + ")");
    for (auto& g : given_)
      if (g.name == name) {
        g.used = true;
        return g.value;
      }
    return def;
  }
  size_t num(const char* name, size_t def) {
    const std::string v = str(name, std::to_string(def));
    char* end = nullptr;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end) bad("--" + std::string(name) + " wants a whole number, got \"" + v + "\"");
    return size_t(x);
  }
  // Comma-separated whole numbers, e.g. --sizes 100000,1000000.
  std::vector<size_t> nums(const char* name, const std::string& def) {
    std::vector<size_t> out;
    const std::string v = str(name, def);
    for (size_t at = 0; at < v.size();) {
      size_t comma = v.find(',', at);
      if (comma == std::string::npos) comma = v.size();
      char* end = nullptr;
      const std::string item = v.substr(at, comma - at);
      out.push_back(size_t(std::strtoull(item.c_str(), &end, 10)));
      if (item.empty() || *end) bad("--" + std::string(name) + " wants numbers separated by commas, got \"" + v + "\"");
      at = comma + 1;
    }
    return out;
  }

  // Call after reading every flag: exits on --help or an unknown flag.
  void done() {
    for (const auto& g : given_)
      if (!g.used) bad("unknown flag --" + g.name);
    if (help_) {
      std::printf("%s\nflags:\n", usage_);
      for (const auto& d : declared_) std::printf("%s\n", d.c_str());
      std::exit(0);
    }
  }

 private:
  struct Given {
    std::string name, value;
    bool used = false;
  };
  [[noreturn]] void bad(const std::string& why) const {
    std::fprintf(stderr, "%s\n%s\n", why.c_str(), usage_);
    std::exit(2);
  }
  const char* usage_;
  std::vector<Given> given_;
  std::vector<std::string> declared_;
  bool help_ = false;
};

// Writes a whole file, or exits naming it: a benchmark stops at its first problem.
inline void write_file(const std::string& path, const void* data, size_t bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(static_cast<const char*>(data), std::streamsize(bytes));
  if (!f.good()) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace bench
