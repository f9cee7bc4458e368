// SPDX-License-Identifier: MIT
// Shared by the codec fuzz targets: invariant checks that abort, and a deterministic
// chunking of the input derived from the input itself (so a crash reproduces).
#pragma once

#include <hashboard/bytes.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			std::fprintf(stderr, "invariant violated: %s (%s:%d)\n", #cond, __FILE__,  \
			             __LINE__);                                                    \
			std::abort();                                                              \
		}                                                                                  \
	} while (0)

namespace fuzz {

// Chunk boundaries for data: mostly small pieces, empty ones included, now and then
// a large one, seeded by a hash of the input.
inline std::vector<hashboard::ByteSpan> chunks_of(hashboard::ByteSpan data)
{
	std::uint64_t state = 0xcbf29ce484222325ULL; // FNV-1a, then xorshift
	for (std::uint8_t b : data)
		state = (state ^ b) * 0x100000001b3ULL;
	std::vector<hashboard::ByteSpan> out;
	std::size_t pos = 0;
	while (pos < data.size()) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		std::size_t n = state % 8 == 0 ? state % 300 : state % 24;
		n = std::min(n, data.size() - pos);
		out.push_back(data.subspan(pos, n));
		pos += n;
	}
	return out;
}

} // namespace fuzz
