// The physical ceiling for a scan: one core reading every byte of a buffer
// once, with nothing else to do. A search that reads the same bytes can at
// best match this rate, so benchmarks report their rate as a share of it.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bench {

// Reads [p, p + bytes) with the widest loads the CPU has; returns a sum of
// what it read so the compiler cannot drop the loads.
uint64_t read_all(const uint8_t* p, size_t bytes);

}  // namespace bench
