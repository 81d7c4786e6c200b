// Walks a JPEG's marker segments without decoding: finds the EXIF block, the
// frame size, and whether the stream reaches its end-of-image marker (stb_image silently pads
// a truncated scan with zeros, so it cannot tell us).
#pragma once
#include <cstddef>

#include "core/util/bytes.h"

namespace clip {

struct JpegLayout {
  ByteView exif;          // TIFF block of the first APP1 "Exif\0\0" segment; empty if none
  int width = 0;          // from the first start-of-frame segment; 0 if none
  int height = 0;
  bool complete = false;  // an EOI marker follows the last scan
  size_t end = 0;         // where the walk stopped (just past EOI when complete)
};

JpegLayout scan_jpeg_segments(ByteView jpeg);

}  // namespace clip
