// Checks on an encoded image before stb_image sees it. Is it all there?
// stb_image reads past the end of a JPEG, GIF or BMP as zeros and "succeeds"
// with a partly blank picture; Pillow (the reference) refuses such files, and
// so do we. Is it safe? stb_image 2.27 overruns its Huffman table on a JPEG
// that declares more than 256 codes.
#pragma once
#include "core/image/preprocess.h"

namespace clip {

// OK, or "truncated JPEG: ..." / "malformed JPEG: ..." with the offset.
// PNG needs no check: stb_image fails on a short chunk by itself.
Status check_stream(ByteView encoded, ImageFormat format);

}  // namespace clip
