// Result<T>: a value or an error message with context. The core never throws
// (Emscripten builds without exceptions); every fallible call returns one.
#pragma once
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace clip {

struct Error {
  std::string message;  // one line: what failed, where (file, offset), what was expected
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  const std::string& message() const { return error().message; }

 private:
  std::variant<T, Error> v_;
};

// For calls that return nothing on success.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace clip

// Returns the error of a failed Status/Result from the enclosing function.
#define CLIP_TRY(expr)                                           \
  do {                                                           \
    auto&& clip_try_result_ = (expr);                            \
    if (!clip_try_result_.ok()) return clip_try_result_.error(); \
  } while (0)
