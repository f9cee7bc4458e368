// SPDX-License-Identifier: MIT
#include "kdev_records.hpp"

#include <hashboard/error.hpp>

#include <linux/hashboard.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hashboard::transport {

std::size_t kdev_max_record_bytes()
{
	return HASHBOARD_RECORD_SIZE(HASHBOARD_MAX_RECORD);
}

KdevRecordTally decode_kdev_records(ByteSpan in, Bytes &out)
{
	KdevRecordTally tally;
	std::size_t at = 0;
	while (at < in.size()) {
		hashboard_record h{};
		if (in.size() - at < sizeof h)
			throw TransportError(
			    fmt::format("kdev: record header cut at byte {} of {}", at, in.size()),
			    EPROTO);
		std::memcpy(&h, in.data() + at, sizeof h);
		if (h.len == 0 || h.len > HASHBOARD_MAX_RECORD || h.reserved != 0)
			throw TransportError(
			    fmt::format(
			        "kdev: malformed record at byte {}: len {} (1..{}), reserved {:#x}",
			        at, h.len, HASHBOARD_MAX_RECORD, h.reserved),
			    EPROTO);
		const std::size_t size = HASHBOARD_RECORD_SIZE(h.len);
		const std::size_t payload_end = at + sizeof h + h.len;
		if (payload_end > in.size())
			throw TransportError(
			    fmt::format("kdev: record at byte {} says {} bytes, {} are there", at,
			                h.len, in.size() - at - sizeof h),
			    EPROTO);
		out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(at + sizeof h),
		           in.begin() + static_cast<std::ptrdiff_t>(payload_end));
		++tally.records;
		tally.payload_bytes += h.len;
		if (h.flags & HASHBOARD_REC_OVERRUN)
			++tally.overruns;
		// The last record of a read may end without its padding.
		at = std::min(at + size, in.size());
	}
	return tally;
}

Bytes encode_kdev_record(ByteSpan payload, std::uint64_t timestamp_ns, std::uint16_t flags)
{
	if (payload.empty() || payload.size() > HASHBOARD_MAX_RECORD)
		throw std::invalid_argument(fmt::format("kdev record payload of {} bytes (1..{})",
		                                        payload.size(), HASHBOARD_MAX_RECORD));
	hashboard_record h{};
	h.timestamp_ns = timestamp_ns;
	h.len = static_cast<std::uint16_t>(payload.size());
	h.flags = flags;
	Bytes out(HASHBOARD_RECORD_SIZE(payload.size()), 0);
	std::memcpy(out.data(), &h, sizeof h);
	std::memcpy(out.data() + sizeof h, payload.data(), payload.size());
	return out;
}

} // namespace hashboard::transport
