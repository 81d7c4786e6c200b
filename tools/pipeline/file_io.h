// Whole-file reads and crash-safe writes. An atomic write goes to a temporary
// file beside the target, is fsync'ed, renamed over the target and the folder
// is fsync'ed, so a reader (or a crash) sees the old bytes or the new ones.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clipsearch {

// Refuses files larger than `max_bytes` before reading them.
clip::Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes = uint64_t(1) << 32);
clip::Result<std::string> read_text_file(const std::string& path, uint64_t max_bytes = uint64_t(1) << 32);

clip::Status write_file_atomic(const std::string& path, clip::ByteView bytes);
// The parts one after the other, as one file.
clip::Status write_file_atomic(const std::string& path, const std::vector<clip::ByteView>& parts);
inline clip::Status write_file_atomic(const std::string& path, const std::string& text) {
  return write_file_atomic(path, clip::ByteView(text));
}
// Same without the fsyncs: for many small files (thumbnails) made durable
// together by one sync_filesystem() before they are recorded as done.
clip::Status write_file_replace(const std::string& path, clip::ByteView bytes);

clip::Status sync_directory(const std::string& dir);
// Flushes everything written to the file system holding `path` (syncfs).
clip::Status sync_filesystem(const std::string& path);

// A whole file mapped read-only, for files too large to copy into memory
// (an ONNX graph of several hundred MB).
class MappedFile {
 public:
  static clip::Result<std::unique_ptr<MappedFile>> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  clip::ByteView bytes() const { return clip::ByteView(data_, size_); }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Suffix of the temporary files above; leftovers of a killed run end with it.
constexpr const char* kTempSuffix = ".partial";
bool is_temp_file_name(const std::string& name);

// True when `dir` is empty or holds nothing but such temporary files, which
// are then removed: a run killed inside its first write leaves only one, and
// the same command rerun should start afresh rather than refuse the folder.
bool empty_but_for_temp_files(const std::string& dir);

}  // namespace clipsearch
