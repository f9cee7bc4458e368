// SPDX-License-Identifier: MIT
//
// The records hashboard.ko's read() returns (kmod/include/uapi/linux/hashboard.h): a
// 16-byte header (timestamp, length, flags) and the payload, each record starting at
// an 8-byte boundary. Apart from the transport so the tests can feed it any bytes.
#pragma once

#include <hashboard/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace hashboard::transport {

// The room one record can take: header + the largest payload, aligned.
std::size_t kdev_max_record_bytes();

struct KdevRecordTally {
	std::size_t records = 0;
	std::size_t payload_bytes = 0;
	std::size_t overruns = 0; // records that said the kernel dropped some before them
};

// Appends every record's payload in `in` to `out`. A read returns whole records only,
// so anything that does not parse (a length past the end or above the maximum, a
// nonzero reserved word) is a kernel/ABI mismatch: TransportError (EPROTO) saying where,
// so a board trips on it as on any failed link.
KdevRecordTally decode_kdev_records(ByteSpan in, Bytes &out);

// One record as the kernel lays it out, for tests and replay tools.
Bytes encode_kdev_record(ByteSpan payload, std::uint64_t timestamp_ns, std::uint16_t flags);

} // namespace hashboard::transport
