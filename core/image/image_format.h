// Format sniffing shared by decode and probe: which decoder, or which error.
#pragma once
#include "core/image/preprocess.h"

namespace clip {

// The format of `encoded` if stb_image can read it; otherwise an error that
// says why: empty input, unknown bytes (shown in hex), or a format only a
// browser decodes.
Result<ImageFormat> decodable_format(ByteView encoded);

// The stored (un-oriented) size a header declares, read here so that a huge
// size gets our limit message before stb_image sees it (it refuses some by
// itself, with a bare "too large"). False when the header does not say.
bool declared_size(ByteView encoded, ImageFormat format, int64_t* width, int64_t* height);

}  // namespace clip
