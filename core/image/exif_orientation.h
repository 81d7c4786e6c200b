// EXIF orientation (tag 0x0112 in IFD0), read from untrusted bytes. Anything
// malformed reads as 1 (upright), like an image without EXIF.
#pragma once
#include "core/image/preprocess.h"

namespace clip {

// `tiff` is the TIFF structure an EXIF block holds ("II*\0" or "MM\0*" ...).
int exif_orientation_from_tiff(ByteView tiff);

// The orientation an encoded JPEG (APP1) or PNG (eXIf chunk) declares.
int exif_orientation(ByteView encoded, ImageFormat format);

}  // namespace clip
