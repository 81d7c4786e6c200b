// Is an encoded image all there? stb_image reads past the end of a JPEG,
// GIF or BMP as zeros and "succeeds" with a partly blank picture; Pillow
// (the reference) refuses such files, and so do we.
#pragma once
#include "core/image/preprocess.h"

namespace clip {

// OK, or "truncated JPEG: ..." with the offset where the data ran out.
// PNG needs no check: stb_image fails on a short chunk by itself.
Status check_stream_complete(ByteView encoded, ImageFormat format);

}  // namespace clip
