// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
namespace sha = hashboard::sha256;
using hashboard::Bytes;
using hashboard::ByteSpan;
using hashboard::from_hex;
using hashboard::Hash256;
using hashboard::to_hex;

namespace {

struct MessageVector {
	std::string label;
	Bytes message;
	std::string sha256_hex;
};

std::vector<MessageVector> message_vectors()
{
	std::vector<MessageVector> out;
	const json::value doc = hbtest::load_vector("sha256_and_blocks.json");
	for (const json::value &v : doc.at("sha256").as_array()) {
		const json::object &o = v.as_object();
		MessageVector m;
		if (const json::value *ascii = o.if_contains("message_ascii")) {
			const json::string &s = ascii->as_string();
			m.message.assign(s.begin(), s.end());
			m.label = "\"" + std::string(s.subview().substr(0, 20)) + "\"";
		} else {
			const json::array &rep = o.at("message_ascii_repeat").as_array();
			const json::string &ch = rep.at(0).as_string();
			BOOST_REQUIRE_EQUAL(ch.size(), 1u);
			const auto count = std::size_t(rep.at(1).to_number<std::int64_t>());
			m.message.assign(count, std::uint8_t(ch[0]));
			m.label = std::to_string(count) + " x '" + std::string(ch.subview()) + "'";
		}
		m.sha256_hex = std::string(o.at("sha256").as_string().subview());
		out.push_back(std::move(m));
	}
	BOOST_REQUIRE_GE(out.size(), 5u);
	return out;
}

struct BlockVector {
	int height;
	sha::Header header;
	std::string hash_display;
	std::string midstate_hex;
	std::string tail12_hex;
};

std::vector<BlockVector> block_vectors()
{
	std::vector<BlockVector> out;
	const json::value doc = hbtest::load_vector("sha256_and_blocks.json");
	for (const json::value &v : doc.at("blocks").as_array()) {
		const json::object &o = v.as_object();
		BlockVector b;
		b.height = int(o.at("height").to_number<std::int64_t>());
		const Bytes header = from_hex(o.at("header").as_string().subview());
		BOOST_REQUIRE_EQUAL(header.size(), b.header.size());
		std::copy(header.begin(), header.end(), b.header.begin());
		b.hash_display = std::string(o.at("hash").as_string().subview());
		b.midstate_hex = std::string(o.at("midstate").as_string().subview());
		b.tail12_hex = std::string(o.at("tail12").as_string().subview());
		out.push_back(b);
	}
	BOOST_REQUIRE_GE(out.size(), 4u);
	return out;
}

std::string reversed_hex(const Hash256 &h)
{
	Hash256 r;
	std::reverse_copy(h.begin(), h.end(), r.begin());
	return to_hex(r);
}

// SHA-256 with padding done here, on top of compress_with(), so that each back-end is
// checked against the vectors on its own.
Hash256 digest_with(sha::Impl impl, ByteSpan message)
{
	Bytes padded(message.begin(), message.end());
	padded.push_back(0x80);
	while (padded.size() % 64 != 56)
		padded.push_back(0);
	const std::uint64_t bits = std::uint64_t(message.size()) * 8;
	for (int i = 7; i >= 0; --i)
		padded.push_back(std::uint8_t(bits >> (8 * i)));
	sha::State s = sha::initial_state();
	sha::compress_with(impl, s, padded.data(), padded.size() / 64);
	return sha::state_bytes(s);
}

const sha::Impl all_impls[] = {sha::Impl::portable, sha::Impl::shani};

// Restores the back-end a test pinned, so test order does not matter.
struct PinnedImpl {
	explicit PinnedImpl(sha::Impl impl) : saved(sha::active_impl()) { sha::use_impl(impl); }
	~PinnedImpl() { sha::use_impl(saved); }
	PinnedImpl(const PinnedImpl &) = delete;
	PinnedImpl &operator=(const PinnedImpl &) = delete;
	sha::Impl saved;
};

bool skip_unsupported(sha::Impl impl)
{
	if (sha::impl_supported(impl))
		return false;
	BOOST_TEST_MESSAGE("skipping " << sha::impl_name(impl) << ": not supported by this CPU");
	return true;
}

} // namespace

BOOST_AUTO_TEST_CASE(reports_back_ends)
{
	BOOST_TEST(sha::impl_supported(sha::Impl::portable));
	BOOST_TEST(sha::impl_supported(sha::active_impl()));
	BOOST_TEST(sha::impl_name(sha::Impl::portable) != sha::impl_name(sha::Impl::shani));
	BOOST_TEST_MESSAGE("active SHA-256 back-end: " << sha::impl_name(sha::active_impl()));
	if (!sha::impl_supported(sha::Impl::shani)) {
		BOOST_CHECK_THROW(sha::use_impl(sha::Impl::shani), std::invalid_argument);
		sha::State s = sha::initial_state();
		const std::array<std::uint8_t, 64> block{};
		BOOST_CHECK_THROW(sha::compress_with(sha::Impl::shani, s, block.data(), 1),
		                  std::invalid_argument);
	}
}

BOOST_AUTO_TEST_CASE(fips_vectors_one_shot)
{
	for (const MessageVector &m : message_vectors()) {
		BOOST_TEST_CONTEXT(m.label)
		BOOST_TEST(to_hex(sha::digest(m.message)) == m.sha256_hex);
	}
}

BOOST_AUTO_TEST_CASE(fips_vectors_incremental_odd_chunks)
{
	const std::size_t chunk_sizes[] = {1, 3, 7, 63, 64, 65, 127, 1000, 4099};
	for (const MessageVector &m : message_vectors()) {
		for (std::size_t chunk : chunk_sizes) {
			// One byte at a time through a million bytes is slow under ASan and adds
			// nothing.
			if (chunk < 7 && m.message.size() > 100000)
				continue;
			sha::Hasher h;
			for (std::size_t off = 0; off < m.message.size(); off += chunk) {
				const std::size_t n = std::min(chunk, m.message.size() - off);
				h.update(ByteSpan(m.message.data() + off, n));
			}
			BOOST_TEST_CONTEXT(m.label << " in chunks of " << chunk)
			BOOST_TEST(to_hex(h.finish()) == m.sha256_hex);
		}
	}
}

BOOST_AUTO_TEST_CASE(hasher_starts_over_after_finish)
{
	sha::Hasher h;
	const std::string abc = "abc";
	h.update(ByteSpan(reinterpret_cast<const std::uint8_t *>(abc.data()), abc.size()));
	const Hash256 first = h.finish();
	h.update(ByteSpan(reinterpret_cast<const std::uint8_t *>(abc.data()), abc.size()));
	BOOST_TEST(to_hex(h.finish()) == to_hex(first));
	BOOST_TEST(to_hex(h.finish()) == to_hex(sha::digest({})));
}

BOOST_AUTO_TEST_CASE(fips_vectors_each_back_end)
{
	const auto vectors = message_vectors();
	for (sha::Impl impl : all_impls) {
		if (skip_unsupported(impl))
			continue;
		for (const MessageVector &m : vectors) {
			BOOST_TEST_CONTEXT(sha::impl_name(impl) << ": " << m.label)
			BOOST_TEST(to_hex(digest_with(impl, m.message)) == m.sha256_hex);
		}
	}
}

BOOST_AUTO_TEST_CASE(sha256d_is_sha256_twice)
{
	const Bytes msg = from_hex("0123456789abcdef");
	BOOST_TEST(to_hex(sha::sha256d(msg)) == to_hex(sha::digest(sha::digest(msg))));
}

BOOST_AUTO_TEST_CASE(block_headers)
{
	for (const BlockVector &b : block_vectors()) {
		BOOST_TEST_CONTEXT("block " << b.height)
		{
			BOOST_TEST(reversed_hex(sha::sha256d_header(b.header)) == b.hash_display);
			BOOST_TEST(reversed_hex(sha::sha256d(b.header)) == b.hash_display);
			const sha::State mid = sha::midstate(b.header);
			BOOST_TEST(to_hex(sha::state_bytes(mid)) == b.midstate_hex);
			BOOST_TEST(to_hex(ByteSpan(b.header.data() + 64, 12)) == b.tail12_hex);
			BOOST_TEST(reversed_hex(sha::sha256d_from_midstate(
			               mid, b.header.data() + 64)) == b.hash_display);
		}
	}
}

// sha256d_from_midstate has its own fixed-padding path in each back-end.
BOOST_AUTO_TEST_CASE(block_headers_each_back_end)
{
	const auto blocks = block_vectors();
	for (sha::Impl impl : all_impls) {
		if (skip_unsupported(impl))
			continue;
		PinnedImpl pin(impl);
		for (const BlockVector &b : blocks) {
			BOOST_TEST_CONTEXT(sha::impl_name(impl) << ": block " << b.height)
			{
				const sha::State mid = sha::midstate(b.header);
				BOOST_TEST(to_hex(sha::state_bytes(mid)) == b.midstate_hex);
				BOOST_TEST(reversed_hex(sha::sha256d_from_midstate(
				               mid, b.header.data() + 64)) == b.hash_display);
				BOOST_TEST(reversed_hex(sha::sha256d_header(b.header)) ==
				           b.hash_display);
			}
		}
	}
}

BOOST_AUTO_TEST_CASE(back_ends_agree_on_random_blocks)
{
	if (skip_unsupported(sha::Impl::shani))
		return;
	std::mt19937 rng(20240531);
	std::vector<std::uint8_t> blocks(64 * 4);
	int mismatches = 0;
	for (int round = 0; round < 3000; ++round) {
		for (auto &byte : blocks)
			byte = std::uint8_t(rng());
		const std::size_t n = 1 + round % 4;
		sha::State start;
		for (auto &word : start)
			word = std::uint32_t(rng());
		sha::State a = start, b = start;
		sha::compress_with(sha::Impl::portable, a, blocks.data(), n);
		sha::compress_with(sha::Impl::shani, b, blocks.data(), n);
		if (a != b)
			++mismatches;
	}
	BOOST_TEST(mismatches == 0);
}

BOOST_AUTO_TEST_CASE(back_ends_agree_on_random_headers)
{
	if (skip_unsupported(sha::Impl::shani))
		return;
	std::mt19937 rng(7);
	sha::Header header;
	int mismatches = 0;
	for (int round = 0; round < 2000; ++round) {
		for (auto &byte : header)
			byte = std::uint8_t(rng());
		const Hash256 reference = sha::sha256d(header); // generic padding path
		const sha::State mid = sha::midstate(header);
		Hash256 portable, shani;
		{
			PinnedImpl pin(sha::Impl::portable);
			portable = sha::sha256d_from_midstate(mid, header.data() + 64);
		}
		{
			PinnedImpl pin(sha::Impl::shani);
			shani = sha::sha256d_from_midstate(mid, header.data() + 64);
		}
		if (portable != reference || shani != reference)
			++mismatches;
	}
	BOOST_TEST(mismatches == 0);
}
