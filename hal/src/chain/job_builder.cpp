// SPDX-License-Identifier: MIT
// Stratum V1 mining.notify -> Work, header and submit fields.
#include <hashboard/job_builder.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hashboard {
namespace {

// Stratum hex is bare digits: no whitespace, no 0x (which from_hex would forgive), so a
// mangled field fails here, with its name, rather than hashing into a rejected share.
Bytes field_bytes(const std::string &field, std::string_view hex)
{
	const auto bad =
	    std::find_if(hex.begin(), hex.end(), [](char c) { return hex_digit_value(c) < 0; });
	if (bad != hex.end())
		throw std::invalid_argument(field + ": not hex (character " +
		                            std::to_string(bad - hex.begin()) + ")");
	if (hex.size() % 2)
		throw std::invalid_argument(field + ": odd number of hex digits (" +
		                            std::to_string(hex.size()) + ")");
	return from_hex(hex);
}

Bytes field_bytes(const std::string &field, std::string_view hex, std::size_t len)
{
	Bytes b = field_bytes(field, hex);
	if (b.size() != len)
		throw std::invalid_argument(field + ": expected " + std::to_string(len * 2) +
		                            " hex digits, got " + std::to_string(hex.size()));
	return b;
}

Hash256 field_hash(const std::string &field, std::string_view hex)
{
	const Bytes b = field_bytes(field, hex, 32);
	Hash256 h;
	std::copy(b.begin(), b.end(), h.begin());
	return h;
}

std::uint32_t field_be32(const std::string &field, std::string_view hex)
{
	return load_be32(field_bytes(field, hex, 4).data());
}

std::string hex32(std::uint32_t v)
{
	return fmt::format("{:08x}", v);
}

Hash256 sha256d_concat(const Hash256 &a, const Hash256 &b)
{
	std::uint8_t both[64];
	std::copy(a.begin(), a.end(), both);
	std::copy(b.begin(), b.end(), both + 32);
	return sha256::sha256d(both);
}

} // namespace

Bytes extranonce2_from_counter(std::uint64_t counter, std::size_t size)
{
	if (size < 8 && (counter >> (8 * size)) != 0)
		throw std::invalid_argument("extranonce2 counter " + std::to_string(counter) +
		                            " does not fit in " + std::to_string(size) + " bytes");
	Bytes out(size, 0);
	for (std::size_t i = 0; i < size && i < 8; ++i)
		out[i] = std::uint8_t(counter >> (8 * i));
	return out;
}

JobBuilder::JobBuilder(const StratumNotify &notify, std::string_view extranonce1_hex,
                       std::size_t extranonce2_size, std::uint32_t version_mask)
    : job_id_(notify.job_id), clean_jobs_(notify.clean_jobs), extranonce2_size_(extranonce2_size),
      version_mask_(version_mask)
{
	if (job_id_.empty())
		throw std::invalid_argument("mining.notify job_id: empty");
	const Hash256 sent = field_hash("mining.notify prevhash", notify.prev_hash);
	for (std::size_t word = 0; word < 32; word += 4)
		std::reverse_copy(sent.begin() + std::ptrdiff_t(word),
		                  sent.begin() + std::ptrdiff_t(word + 4),
		                  prev_hash_.begin() + std::ptrdiff_t(word));
	coinb1_ = field_bytes("mining.notify coinb1", notify.coinb1);
	coinb2_ = field_bytes("mining.notify coinb2", notify.coinb2);
	for (std::size_t i = 0; i < notify.merkle_branch.size(); ++i)
		branches_.push_back(
		    field_hash("mining.notify merkle_branch[" + std::to_string(i) + "]",
		               notify.merkle_branch[i]));
	version_ = field_be32("mining.notify version", notify.version);
	nbits_ = field_be32("mining.notify nbits", notify.nbits);
	ntime_ = field_be32("mining.notify ntime", notify.ntime);
	extranonce1_ = field_bytes("extranonce1", extranonce1_hex);
	// Pools hand out 0..16 bytes; anything larger is a misparsed subscribe result.
	if (extranonce2_size > 32)
		throw std::invalid_argument(
		    "extranonce2_size: " + std::to_string(extranonce2_size) +
		    " bytes is more than any pool uses");
}

void JobBuilder::check_extranonce2(ByteSpan extranonce2) const
{
	if (extranonce2.size() != extranonce2_size_)
		throw std::invalid_argument("extranonce2: expected " +
		                            std::to_string(extranonce2_size_) + " bytes, got " +
		                            std::to_string(extranonce2.size()));
}

Bytes JobBuilder::coinbase(ByteSpan extranonce2) const
{
	check_extranonce2(extranonce2);
	Bytes cb;
	cb.reserve(coinb1_.size() + extranonce1_.size() + extranonce2.size() + coinb2_.size());
	cb.insert(cb.end(), coinb1_.begin(), coinb1_.end());
	cb.insert(cb.end(), extranonce1_.begin(), extranonce1_.end());
	cb.insert(cb.end(), extranonce2.begin(), extranonce2.end());
	cb.insert(cb.end(), coinb2_.begin(), coinb2_.end());
	return cb;
}

Hash256 JobBuilder::merkle_root(ByteSpan extranonce2) const
{
	Hash256 root = sha256::sha256d(coinbase(extranonce2));
	for (const auto &branch : branches_)
		root = sha256d_concat(root, branch);
	return root;
}

Work JobBuilder::work(ByteSpan extranonce2, std::uint64_t work_id) const
{
	Work w;
	w.id = work_id;
	w.version = version_;
	w.version_mask = version_mask_;
	w.prev_hash = prev_hash_;
	w.merkle_root = merkle_root(extranonce2);
	w.ntime = ntime_;
	w.nbits = nbits_;
	return w;
}

sha256::Header JobBuilder::header(ByteSpan extranonce2, std::uint32_t nonce,
                                  std::uint32_t version_bits) const
{
	return work(extranonce2)
	    .header(nonce, version_with_bits(version_, version_mask_, version_bits));
}

SubmitFields JobBuilder::submit(ByteSpan extranonce2, std::uint32_t nonce,
                                std::uint32_t rolled_version) const
{
	check_extranonce2(extranonce2);
	if ((rolled_version & ~version_mask_) != (version_ & ~version_mask_))
		throw std::invalid_argument("submit: version " + hex32(rolled_version) +
		                            " differs from the job's " + hex32(version_) +
		                            " outside the mask " + hex32(version_mask_));
	SubmitFields s;
	s.job_id = job_id_;
	s.extranonce2 = to_hex(extranonce2);
	s.ntime = hex32(ntime_);
	s.nonce = hex32(nonce);
	if (version_mask_)
		s.version_bits = hex32(submit_version_bits(rolled_version, version_mask_));
	return s;
}

} // namespace hashboard
