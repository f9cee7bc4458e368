// SPDX-License-Identifier: MIT
#include <hashboard/work.hpp>

#include <algorithm>
#include <cstring>

namespace hashboard {

sha256::Header Work::header(std::uint32_t nonce, std::uint32_t rolled) const
{
	sha256::Header h{};
	store_le32(h.data(), rolled);
	std::copy(prev_hash.begin(), prev_hash.end(), h.begin() + 4);
	std::copy(merkle_root.begin(), merkle_root.end(), h.begin() + 36);
	store_le32(h.data() + 68, ntime);
	store_le32(h.data() + 72, nbits);
	store_le32(h.data() + 76, nonce);
	return h;
}

SyntheticWorkSource::SyntheticWorkSource(std::uint64_t seed) : rng_(seed) {}

Work SyntheticWorkSource::next()
{
	Work w;
	w.id = next_id_++;
	for (auto *field : {&w.prev_hash, &w.merkle_root})
		for (std::size_t i = 0; i < field->size(); i += 8) {
			const std::uint64_t r = rng_();
			std::memcpy(field->data() + i, &r, 8);
		}
	// A previous-block hash looks like one: its top 32 bits (last bytes) are zero.
	std::fill(w.prev_hash.end() - 4, w.prev_hash.end(), 0);
	w.ntime = ntime_++;
	w.nbits = 0x17034219; // a 2024 mainnet difficulty; only its form matters here
	return w;
}

} // namespace hashboard
