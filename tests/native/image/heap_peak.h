// Peak heap use of a block of code, for tests that bound memory. Counts what
// goes through operator new (all of the core's buffers), not malloc.
#pragma once
#include <cstddef>

namespace clip::test {

void heap_peak_reset();       // the current level becomes the baseline
size_t heap_peak_since_reset();  // highest level above that baseline since

}  // namespace clip::test
