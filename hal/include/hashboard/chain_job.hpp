// SPDX-License-Identifier: MIT
//
// The job frame a Chain broadcasts for a Work, built in one place so that hbctl frames
// encode prints exactly what Chain::send_work sends.
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/work.hpp>

#include <cstdint>
#include <vector>

namespace hashboard {

struct ChainJob {
	Bytes frame;
	// Midstate jobs: the version each midstate index was computed for (what a reply's
	// index means). Header jobs: empty, the chip rolls the version itself.
	std::vector<std::uint32_t> versions;
};

// BM1397: up to max_midstates midstates, the i-th for the job version with i spread
// over the mask's lowest bits (one midstate when the mask has fewer than two bits).
// BM1366+: a header job whose version has the mask bits cleared.
// Throws std::invalid_argument for a job id above 0x7F.
ChainJob encode_chain_job(const ChipFamily &family, const Work &work, std::uint8_t job_id);

} // namespace hashboard
