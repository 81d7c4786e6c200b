// Walks a JPEG's marker segments without decoding: finds the EXIF block and
// the frame size, and checks what stb_image does not: that the stream reaches
// its end-of-image marker (stb pads a truncated scan with zeros), that no
// Huffman table declares more than 256 codes (stb 2.27 writes past its table)
// and that every scan's Huffman and quantization tables were defined before
// it (stb reads undefined ones from uninitialised memory, and a Huffman
// lookup in one indexes past its arrays).
#pragma once
#include <cstddef>
#include <string>

#include "core/util/bytes.h"

namespace clip {

struct JpegLayout {
  ByteView exif;          // TIFF block of the first APP1 "Exif\0\0" segment; empty if none
  int width = 0;          // from the first start-of-frame segment; 0 if none
  int height = 0;
  bool complete = false;  // an EOI marker follows the last scan
  size_t end = 0;         // where the walk stopped (just past EOI when complete)
  size_t bad_table = 0;   // offset of the first DHT segment with a bad table; 0 if none
  size_t bad_scan = 0;    // offset of the first SOS using a table not defined before it; 0 if none
  std::string missing_table;  // which one: "AC Huffman table 1", "quantization table 2"
};

JpegLayout scan_jpeg_segments(ByteView jpeg);

}  // namespace clip
