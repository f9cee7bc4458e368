// SPDX-License-Identifier: MIT
//
// TEMPORARY (replay branch): decode_nonce_reply / encode_reply_job_byte with the values of
// main's new family table (ReplyJobByte, NonceLayout), keyed by family name because the
// table here does not have those columns yet. Delete when main's chip_family lands.
#include <hashboard/chip_family.hpp>

#include <stdexcept>

namespace hashboard {
namespace {

struct ReplyRules {
	std::uint8_t job_mask;
	unsigned job_shift;
	std::uint8_t sub_mask;
	unsigned core_shift, core_bits;
	unsigned small_core_shift, small_core_bits;
	ChipAttribution attribution;
	unsigned addr_shift, addr_bits, addr_drop;
	unsigned range_shift, range_bits;
};

const ReplyRules &rules(const ChipFamily &family)
{
	static constexpr ReplyRules bm1397{0xFC, 0, 0x03, 24, 8, 22, 2,
	                                   ChipAttribution::address_field, 14, 8, 0, 0, 0};
	static constexpr ReplyRules bm1366{0xF8, 0, 0x07, 25, 7, 0, 0,
	                                   ChipAttribution::address_field, 18, 7, 1, 0, 0};
	static constexpr ReplyRules bm1370{0xF0, 1, 0x0F, 25, 7, 0, 0,
	                                   ChipAttribution::offset_range, 0, 0, 0, 9, 16};
	if (family.name == "bm1397")
		return bm1397;
	if (family.name == "bm1366")
		return bm1366;
	if (family.name == "bm1368" || family.name == "bm1370")
		return bm1370;
	throw std::invalid_argument("no nonce reply rules for " + std::string(family.name));
}

std::uint32_t field_mask(unsigned bits)
{
	return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

} // namespace

ChipAttribution chip_attribution(const ChipFamily &family)
{
	return rules(family).attribution;
}

ReplyFields decode_nonce_reply(const ChipFamily &family, const bm13xx::NonceReply &reply)
{
	const ReplyRules &r = rules(family);
	const std::uint32_t be = __builtin_bswap32(reply.nonce);
	ReplyFields f{};
	f.job_id = std::uint8_t((reply.job_byte & r.job_mask) >> r.job_shift);
	f.sub_id = reply.job_byte & r.sub_mask;
	f.core = (be >> r.core_shift) & field_mask(r.core_bits);
	f.small_core = r.small_core_bits
	                   ? (be >> r.small_core_shift) & field_mask(r.small_core_bits)
	                   : f.sub_id;
	if (r.attribution == ChipAttribution::address_field)
		f.address = std::uint8_t(((be >> r.addr_shift) & field_mask(r.addr_bits))
		                         << r.addr_drop);
	else
		f.range_value = (be >> r.range_shift) & field_mask(r.range_bits);
	return f;
}

std::uint8_t encode_reply_job_byte(const ChipFamily &family, std::uint8_t job_id, unsigned sub_id)
{
	const ReplyRules &r = rules(family);
	return std::uint8_t(((job_id << r.job_shift) & r.job_mask) | (sub_id & r.sub_mask));
}

} // namespace hashboard
