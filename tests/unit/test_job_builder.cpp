// SPDX-License-Identifier: MIT
// The Stratum job builder against a real accepted share (tests/vectors/stratum_example_b.json).
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/job_builder.hpp>
#include <hashboard/target.hpp>

#include <boost/json.hpp>

#include <string>

using namespace hashboard;
namespace json = boost::json;

namespace {

std::string str(const json::value &v)
{
	return std::string(v.as_string());
}

struct Vector {
	json::object v = hbtest::load_vector("stratum_example_b.json").as_object();
	const json::array &notify = v.at("notify").as_array();
	const json::array &submit = v.at("submit").as_array();

	StratumNotify stratum_notify() const
	{
		StratumNotify n;
		n.job_id = str(notify[0]);
		n.prev_hash = str(notify[1]);
		n.coinb1 = str(notify[2]);
		n.coinb2 = str(notify[3]);
		for (const auto &b : notify[4].as_array())
			n.merkle_branch.push_back(str(b));
		n.version = str(notify[5]);
		n.nbits = str(notify[6]);
		n.ntime = str(notify[7]);
		n.clean_jobs = notify[8].as_bool();
		return n;
	}
	std::uint32_t mask() const { return std::stoul(str(v.at("version_mask")), nullptr, 16); }
	std::size_t en2_size() const { return std::size_t(v.at("extranonce2_size").as_int64()); }
	JobBuilder builder() const
	{
		return JobBuilder(stratum_notify(), str(v.at("extranonce1")), en2_size(), mask());
	}
	Bytes en2() const { return from_hex(str(submit[2])); }
	std::uint32_t nonce() const { return std::stoul(str(submit[4]), nullptr, 16); }
	std::uint32_t version_bits() const { return std::stoul(str(submit[5]), nullptr, 16); }
};

// Checks that building with one notify field replaced fails, naming the field.
void expect_bad_field(void (*mutate)(StratumNotify &), const std::string &field)
{
	const Vector vec;
	StratumNotify n = vec.stratum_notify();
	mutate(n);
	BOOST_CHECK_EXCEPTION(
	    JobBuilder(n, str(vec.v.at("extranonce1")), vec.en2_size(), vec.mask()),
	    std::invalid_argument, [&](const std::invalid_argument &e) {
		    BOOST_TEST_MESSAGE(e.what());
		    return std::string(e.what()).find(field) != std::string::npos;
	    });
}

} // namespace

BOOST_AUTO_TEST_CASE(merkle_root_matches_the_vector)
{
	const Vector vec;
	const JobBuilder b = vec.builder();
	BOOST_TEST(to_hex(b.merkle_root(vec.en2())) == str(vec.v.at("merkle_root_internal")));
	BOOST_TEST(b.job_id() == "1");
	BOOST_TEST(!b.clean_jobs());
}

BOOST_AUTO_TEST_CASE(coinbase_is_the_four_parts_in_order)
{
	const Vector vec;
	const Bytes cb = vec.builder().coinbase(vec.en2());
	const std::string expect = str(vec.notify[2]) + str(vec.v.at("extranonce1")) +
	                           str(vec.submit[2]) + str(vec.notify[3]);
	BOOST_TEST(to_hex(cb) == expect);
}

BOOST_AUTO_TEST_CASE(header_and_hash_match_the_accepted_share)
{
	const Vector vec;
	const JobBuilder b = vec.builder();
	const auto header = b.header(vec.en2(), vec.nonce(), vec.version_bits());
	BOOST_TEST(to_hex(header) == str(vec.v.at("header")));

	const Hash256 hash = sha256::sha256d(header);
	BOOST_TEST(hash_display_hex(hash) == str(vec.v.at("hash")));
	const double diff = hash_difficulty(hash);
	BOOST_TEST(diff == vec.v.at("share_difficulty").as_double(),
	           boost::test_tools::tolerance(1e-4));
	BOOST_TEST(diff >= vec.v.at("difficulty").to_number<double>());
	BOOST_TEST(
	    hash_meets(hash, target_from_difficulty(vec.v.at("difficulty").to_number<double>())));
}

BOOST_AUTO_TEST_CASE(work_fields_and_prevhash_word_order)
{
	const Vector vec;
	const JobBuilder b = vec.builder();
	const Work w = b.work(vec.en2(), 42);
	BOOST_TEST(w.id == 42u);
	BOOST_TEST(w.version == 0x20000000u);
	BOOST_TEST(w.version_mask == 0x1fffe000u);
	BOOST_TEST(w.nbits == 0x192495f8u);
	BOOST_TEST(w.ntime == 0x64b3f3ecu);
	const Bytes header = from_hex(str(vec.v.at("header")));
	// prevhash as sent: 171592f2 23740e92 ...; header: f2921517 920e7423 ...
	BOOST_TEST(to_hex(w.prev_hash) == to_hex(ByteSpan(header).subspan(4, 32)));
	BOOST_TEST(to_hex(w.prev_hash).substr(0, 16) == "f2921517920e7423");
	BOOST_TEST(to_hex(w.header(vec.nonce(), 0x20002000)) == str(vec.v.at("header")));
}

BOOST_AUTO_TEST_CASE(version_mask_and_version_bits_relate_as_bip310_says)
{
	const Vector vec;
	const JobBuilder b = vec.builder();
	// The share's header carries version 0x20002000: the job's 0x20000000 with bit 13
	// (the mask's lowest bit) rolled. The pool got version_bits 00002000, which is that
	// version AND the mask, and rebuilds the version as (job & ~mask) | (bits & mask).
	const Bytes header = from_hex(str(vec.v.at("header")));
	const std::uint32_t header_version = load_le32(header.data());
	BOOST_TEST(header_version == 0x20002000u);
	BOOST_TEST(vec.version_bits() == 0x00002000u);
	BOOST_TEST(submit_version_bits(header_version, vec.mask()) == vec.version_bits());
	BOOST_TEST(version_with_bits(b.version(), vec.mask(), vec.version_bits()) ==
	           header_version);
	// A BM1366 reports the rolled bits as a 16-bit field at bit 13: 0x0001 here.
	BOOST_TEST(rolled_version(b.version(), vec.mask(), 0x0001) == header_version);

	// A job version with a bit inside the mask tells "rolled & mask" from "rolled ^ job":
	// only the first lets the pool rebuild what was hashed.
	const std::uint32_t job = 0x20400000, mask = 0x1fffe000;
	for (std::uint32_t rolled : {0x20400000u, 0x20402000u, 0x20002000u, 0x3fffe000u}) {
		const std::uint32_t bits = submit_version_bits(rolled, mask);
		BOOST_TEST(version_with_bits(job, mask, bits) == rolled);
	}
	BOOST_TEST(version_with_bits(job, mask, 0x20402000u ^ job) != 0x20402000u);
}

BOOST_AUTO_TEST_CASE(submit_fields_match_the_vector)
{
	const Vector vec;
	const JobBuilder b = vec.builder();
	const SubmitFields s = b.submit(vec.en2(), vec.nonce(), 0x20002000);
	BOOST_TEST(s.job_id == str(vec.submit[1]));
	BOOST_TEST(s.extranonce2 == str(vec.submit[2]));
	BOOST_TEST(s.ntime == str(vec.submit[3]));
	BOOST_TEST(s.nonce == str(vec.submit[4]));
	BOOST_TEST_REQUIRE(s.version_bits.has_value());
	BOOST_TEST(*s.version_bits == str(vec.submit[5]));

	// A version that differs outside the mask was never this job's.
	BOOST_CHECK_THROW(b.submit(vec.en2(), vec.nonce(), 0x40002000), std::invalid_argument);
	// No version rolling: no version_bits field.
	const JobBuilder plain(vec.stratum_notify(), str(vec.v.at("extranonce1")), 4, 0);
	BOOST_TEST(!plain.submit(vec.en2(), vec.nonce(), 0x20000000).version_bits.has_value());
	BOOST_CHECK_THROW(plain.submit(vec.en2(), vec.nonce(), 0x20002000), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(extranonce2_counter_is_little_endian)
{
	BOOST_TEST(to_hex(extranonce2_from_counter(0x08c7, 4)) == "c7080000");
	BOOST_TEST(to_hex(extranonce2_from_counter(1, 8)) == "0100000000000000");
	BOOST_TEST(extranonce2_from_counter(0, 0).empty());
	BOOST_TEST(to_hex(extranonce2_from_counter(0xff, 1)) == "ff");
	BOOST_CHECK_THROW(extranonce2_from_counter(0x100, 1), std::invalid_argument);
	BOOST_CHECK_THROW(extranonce2_from_counter(1, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(no_branches_means_the_coinbase_hash_is_the_root)
{
	const Vector vec;
	StratumNotify n = vec.stratum_notify();
	n.merkle_branch.clear();
	const JobBuilder b(n, str(vec.v.at("extranonce1")), 4, vec.mask());
	BOOST_TEST(b.merkle_root(vec.en2()) == sha256::sha256d(b.coinbase(vec.en2())));
	// And a different extranonce2 changes the root.
	BOOST_TEST(b.merkle_root(extranonce2_from_counter(1, 4)) != b.merkle_root(vec.en2()));
}

BOOST_AUTO_TEST_CASE(malformed_notify_fields_are_named)
{
	expect_bad_field([](StratumNotify &n) { n.prev_hash.pop_back(); }, "prevhash");
	expect_bad_field([](StratumNotify &n) { n.prev_hash[5] = 'g'; }, "prevhash");
	expect_bad_field([](StratumNotify &n) { n.prev_hash += "00"; }, "prevhash");
	expect_bad_field([](StratumNotify &n) { n.coinb1.pop_back(); }, "coinb1");
	expect_bad_field([](StratumNotify &n) { n.coinb2[0] = ' '; }, "coinb2");
	expect_bad_field([](StratumNotify &n) { n.merkle_branch[1].resize(62); },
	                 "merkle_branch[1]");
	expect_bad_field([](StratumNotify &n) { n.merkle_branch[2][0] = 'x'; }, "merkle_branch[2]");
	expect_bad_field([](StratumNotify &n) { n.version = "2000000"; }, "version");
	expect_bad_field([](StratumNotify &n) { n.nbits = "0x192495f8"; }, "nbits");
	expect_bad_field([](StratumNotify &n) { n.ntime = "64b3f3ec00"; }, "ntime");
	expect_bad_field([](StratumNotify &n) { n.ntime = ""; }, "ntime");
	expect_bad_field([](StratumNotify &n) { n.job_id.clear(); }, "job_id");
}

BOOST_AUTO_TEST_CASE(malformed_extranonces_are_named)
{
	const Vector vec;
	auto names = [](const std::string &field) {
		return [field](const std::invalid_argument &e) {
			return std::string(e.what()).find(field) != std::string::npos;
		};
	};
	BOOST_CHECK_EXCEPTION(JobBuilder(vec.stratum_notify(), "57a6f09", 4, vec.mask()),
	                      std::invalid_argument, names("extranonce1"));
	BOOST_CHECK_EXCEPTION(JobBuilder(vec.stratum_notify(), "57a6f0zz", 4, vec.mask()),
	                      std::invalid_argument, names("extranonce1"));
	BOOST_CHECK_EXCEPTION(JobBuilder(vec.stratum_notify(), "57a6f098", 1000, vec.mask()),
	                      std::invalid_argument, names("extranonce2_size"));
	const JobBuilder b = vec.builder();
	const Bytes short_en2 = from_hex("c70800");
	BOOST_CHECK_EXCEPTION(b.coinbase(short_en2), std::invalid_argument, names("extranonce2"));
	BOOST_CHECK_EXCEPTION(b.work(short_en2), std::invalid_argument, names("extranonce2"));
	BOOST_CHECK_EXCEPTION(b.header(short_en2, 0, 0), std::invalid_argument,
	                      names("extranonce2"));
	BOOST_CHECK_EXCEPTION(b.submit(short_en2, 0, 0x20000000), std::invalid_argument,
	                      names("extranonce2"));
}
