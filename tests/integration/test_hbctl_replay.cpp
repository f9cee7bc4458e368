// SPDX-License-Identifier: MIT
// The built hbctl's frames replay on captures made from published vectors: job frames
// from the JSON or encoded with the codec, replies encoded with the codec and the family's
// byte-5 packing.
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "hbtest.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>
#include <hashboard/chip_family.hpp>

#include <boost/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace hashboard;
namespace bm = hashboard::bm13xx;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// A capture file that the test owns and removes.
class TempCapture {
public:
	explicit TempCapture(const std::string &contents)
	{
		char name[] = "/tmp/hb-replay-XXXXXX";
		const int fd = ::mkstemp(name);
		BOOST_TEST_REQUIRE(fd >= 0);
		::close(fd);
		path_ = name;
		std::ofstream(path_, std::ios::binary) << contents;
	}
	~TempCapture() { ::unlink(path_.c_str()); }
	TempCapture(const TempCapture &) = delete;
	TempCapture &operator=(const TempCapture &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

struct Run {
	int status;
	std::string out;
};

Run hbctl(std::vector<std::string> args)
{
	args.insert(args.begin(), hbtest::hbctl_bin());
	hbtest::Child child(args);
	Run r;
	r.out = child.read_all(60s);
	r.status = child.wait(10s);
	BOOST_TEST_MESSAGE("hbctl -> " << r.status << "\n" << r.out);
	return r;
}

std::vector<json::object> json_lines(const std::string &text)
{
	std::vector<json::object> out;
	std::size_t start = 0;
	while (start < text.size()) {
		const auto nl = text.find('\n', start);
		const std::string line = text.substr(start, nl - start);
		if (!line.empty())
			out.push_back(json::parse(line).as_object());
		if (nl == std::string::npos)
			break;
		start = nl + 1;
	}
	return out;
}

std::vector<json::object> of_type(const std::vector<json::object> &objs, const char *type)
{
	std::vector<json::object> out;
	for (const auto &o : objs)
		if (o.at("type").as_string() == type)
			out.push_back(o);
	return out;
}

std::string str(const json::value &v)
{
	return std::string(v.as_string());
}

double round2(double d)
{
	return std::round(d * 100) / 100;
}

const json::object &job_frame(const std::string &id)
{
	static const json::value v = hbtest::load_vector("bm13xx_captures.json");
	for (const auto &e : v.at("job_frames").as_array())
		if (e.at("id").as_string() == id)
			return e.as_object();
	BOOST_FAIL("no job frame " << id);
	throw std::logic_error("unreachable");
}

std::string hex_line(const Bytes &b)
{
	return to_hex(b) + "\n";
}

Bytes nonce_reply(const ChipFamily &f, std::uint32_t nonce, std::uint8_t job_id, unsigned sub,
                  std::uint8_t excess, std::optional<std::uint16_t> version_bits)
{
	bm::NonceReply r;
	r.nonce = nonce;
	r.excess_difficulty = excess;
	r.job_byte = encode_reply_job_byte(f, job_id, sub);
	r.version_bits = version_bits;
	return bm::encode_reply(r, version_bits ? 11 : 9);
}

// The ESP-Miner BM1397 verifier job and a nonce for its midstate 0. The frame and the
// header it was made from are published; the nonce is not: 0x55626BF8 was found for this
// test by searching the job's nonce space (sha256d of the published header with it hashes
// to 000000000253e49d..., difficulty 109.98).
constexpr std::uint32_t kVerifierNonce = 0x55626BF8;

// stratum_example_b.json's accepted share: job version 0x20000000, rolled bit 13 (the
// submit's version bits 0x00002000), nonce 0xed460d91, difficulty 669.87.
struct StratumShare {
	json::object v = hbtest::load_vector("stratum_example_b.json").as_object();
	Bytes header = from_hex(str(v.at("header")));
	bm::HeaderJob job(std::uint8_t id) const
	{
		bm::HeaderJob j;
		j.job_id = id;
		j.version = load_le32(header.data()) & ~0x1fffe000u;
		std::copy_n(header.begin() + 4, 32, j.prev_hash.begin());
		std::copy_n(header.begin() + 36, 32, j.merkle_root.begin());
		j.ntime = load_le32(header.data() + 68);
		j.nbits = load_le32(header.data() + 72);
		return j;
	}
	std::uint32_t nonce() const { return load_le32(header.data() + 76); }
	std::uint16_t version_bits() const
	{
		return std::uint16_t((load_le32(header.data()) & 0x1fffe000u) >> 13);
	}
};

const ChipFamily &bm1397 = family_by_name("bm1397");
const ChipFamily &bm1370 = family_by_name("bm1370");

} // namespace

BOOST_AUTO_TEST_CASE(bm1397_verifier_job_credits_its_nonce_with_the_real_difficulty)
{
	const std::string frame = str(job_frame("esp_miner_bm1397_verifier").at("frame"));
	const TempCapture cap(frame + "\n" +
	                      hex_line(nonce_reply(bm1397, kVerifierNonce, 0x04, 0, 0, {})));
	const Run r = hbctl({"frames", "replay", cap.path(), "-f", "bm1397", "--json"});
	BOOST_TEST(r.status == 0);
	const auto objs = json_lines(r.out);
	const auto nonces = of_type(objs, "nonce");
	BOOST_TEST_REQUIRE(nonces.size() == 1u);
	const auto &n = nonces[0];
	BOOST_TEST(str(n.at("verdict")) == "valid");
	BOOST_TEST(n.at("job_id").to_number<unsigned>() == 4u);
	BOOST_TEST(n.at("sub_id").to_number<unsigned>() == 0u);
	BOOST_TEST(round2(n.at("difficulty").to_number<double>()) == 109.98);
	BOOST_TEST(str(n.at("hash")) ==
	           "000000000253e49d16b7d642bba5d3f6fa1fdeec3cda62635695cc65b57ba33a");
	// The check ran from the midstate: h0..h7 as published (52EADF91 ... 4D3185F2).
	BOOST_TEST(str(n.at("midstate")).starts_with("52eadf9168739f8a"));
	BOOST_TEST(!n.contains("header"));
	const auto summary = of_type(objs, "summary");
	BOOST_TEST_REQUIRE(summary.size() == 1u);
	BOOST_TEST(summary[0].at("verdicts").at("valid").to_number<unsigned>() == 1u);

	// Text: the nonce line says valid and the difficulty.
	const Run text = hbctl({"frames", "replay", cap.path(), "-f", "bm1397"});
	BOOST_TEST(text.out.find("nonce=0x55626bf8 job=0x04 sub=0") != std::string::npos);
	BOOST_TEST(text.out.find("difficulty=109.98") != std::string::npos);
	BOOST_TEST(text.out.find("1 valid") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(esp_miner_hardware_test_reply_is_credited_to_midstate_2)
{
	// The frame (CRC16 derived) and the reply ESP-Miner's test expects: nonce 0x0A4C049B
	// from midstate 2 of job 0x18. Midstate 0 is zeros: the same nonce there is no share.
	const auto &e = job_frame("esp_miner_bm1397_hw_test_commented");
	const TempCapture cap(str(e.at("frame_with_derived_crc16")) + "\n" +
	                      hex_line(nonce_reply(bm1397, 0x0A4C049B, 0x18, 2, 0, {})) +
	                      hex_line(nonce_reply(bm1397, 0x0A4C049B, 0x18, 0, 0, {})));
	const Run r = hbctl({"frames", "replay", cap.path(), "-f", "bm1397", "--json"});
	BOOST_TEST(r.status == 0);
	const auto nonces = of_type(json_lines(r.out), "nonce");
	BOOST_TEST_REQUIRE(nonces.size() == 2u);
	BOOST_TEST(str(nonces[0].at("verdict")) == "valid");
	BOOST_TEST(round2(nonces[0].at("difficulty").to_number<double>()) == 23198.52);
	BOOST_TEST(str(nonces[1].at("verdict")) == "below_ticket");
}

BOOST_AUTO_TEST_CASE(bm1370_header_job_with_rolled_version_is_credited)
{
	const StratumShare share;
	const std::uint8_t id = 0x18;
	// Bring-up as hosts send it: a 9-byte chip-id reply before 0xA4, then rolling on
	// (11-byte replies), ticket 2^9, chain addressed, the job, then replies.
	bm::RegisterReply chip_id{0x13700000, 0, 0};
	std::string cap =
	    hex_line(bm::encode_read_register(true, 0, 0)) +
	    hex_line(bm::encode_reply(chip_id, 9)) +
	    hex_line(bm::encode_write_register(true, 0, 0xA4, 0x9000FFFF)) +
	    hex_line(
	        bm::encode_write_register(true, 0, 0x14, bm::ticket_mask_for_difficulty_log2(9))) +
	    hex_line(bm::encode_chain_inactive()) + hex_line(bm::encode_set_address(0)) +
	    hex_line(bm::encode_job(share.job(id)));
	// 669.87 is 2^9.39: 0 whole bits over a 2^9 ticket.
	cap += hex_line(nonce_reply(bm1370, share.nonce(), id, 2, 0x00, share.version_bits()));
	// The same nonce again; one for a job id never sent; a corrupted nonce.
	cap += hex_line(nonce_reply(bm1370, share.nonce(), id, 2, 0x00, share.version_bits()));
	cap += hex_line(nonce_reply(bm1370, share.nonce(), 0x30, 2, 0x00, share.version_bits()));
	cap += hex_line(
	    nonce_reply(bm1370, share.nonce() ^ 0x00010000, id, 2, 0x00, share.version_bits()));
	const TempCapture file(cap);
	const Run r = hbctl({"frames", "replay", file.path(), "-f", "bm1370", "--json"});
	BOOST_TEST(r.status == 0);
	const auto objs = json_lines(r.out);
	const auto nonces = of_type(objs, "nonce");
	BOOST_TEST_REQUIRE(nonces.size() == 4u);
	const auto &n = nonces[0];
	BOOST_TEST(str(n.at("verdict")) == "valid");
	BOOST_TEST(n.at("job_id").to_number<unsigned>() == id);
	BOOST_TEST(str(n.at("version")) == "0x20002000");
	BOOST_TEST(str(n.at("header")) == str(share.v.at("header")));
	BOOST_TEST(str(n.at("hash")) == str(share.v.at("hash")));
	BOOST_TEST(round2(n.at("difficulty").to_number<double>()) == 669.87);
	BOOST_TEST(n.at("excess_agrees").as_bool());
	BOOST_TEST(n.at("chip").to_number<unsigned>() == 0u);
	BOOST_TEST(n.at("ticket_log2").to_number<unsigned>() == 9u);
	BOOST_TEST(str(nonces[1].at("verdict")) == "duplicate");
	BOOST_TEST(str(nonces[2].at("verdict")) == "unknown_job");
	BOOST_TEST(str(nonces[3].at("verdict")) == "below_ticket");

	const auto summary = of_type(objs, "summary").at(0);
	BOOST_TEST(summary.at("register_replies").to_number<unsigned>() == 1u);
	BOOST_TEST(summary.at("crc_errors").to_number<unsigned>() == 0u);
	BOOST_TEST(summary.at("junk_bytes").to_number<unsigned>() == 0u);
	const auto &v = summary.at("verdicts").as_object();
	BOOST_TEST(v.at("valid").to_number<unsigned>() == 1u);
	BOOST_TEST(v.at("duplicate").to_number<unsigned>() == 1u);
	BOOST_TEST(v.at("unknown_job").to_number<unsigned>() == 1u);
	BOOST_TEST(v.at("below_ticket").to_number<unsigned>() == 1u);
	BOOST_TEST(summary.at("chips").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_retired_job_is_stale)
{
	const StratumShare share;
	std::string cap =
	    hex_line(bm::encode_job(share.job(0x18))) + hex_line(bm::encode_job(share.job(0x30)));
	cap += hex_line(nonce_reply(bm1370, share.nonce(), 0x18, 0, 0, share.version_bits()));
	const TempCapture file(cap);
	const Run r =
	    hbctl({"frames", "replay", file.path(), "-f", "bm1370", "--live-jobs", "1", "--json"});
	BOOST_TEST(r.status == 0);
	const auto nonces = of_type(json_lines(r.out), "nonce");
	BOOST_TEST_REQUIRE(nonces.size() == 1u);
	BOOST_TEST(str(nonces[0].at("verdict")) == "stale");
}

BOOST_AUTO_TEST_CASE(esp_miner_capture_job_decodes_as_a_header_job_without_replies)
{
	// No inputs and no reply were published for this captured frame: the replay can only
	// show that it is a header job and that nothing answered it.
	const TempCapture file(str(job_frame("esp_miner_capture_job18").at("frame")) + "\n");
	const Run r = hbctl({"frames", "replay", file.path(), "-f", "bm1370", "--json"});
	BOOST_TEST(r.status == 0);
	const auto objs = json_lines(r.out);
	const auto jobs = of_type(objs, "job");
	BOOST_TEST_REQUIRE(jobs.size() == 1u);
	BOOST_TEST(str(jobs[0].at("kind")) == "header_job");
	BOOST_TEST(jobs[0].at("job_id").to_number<unsigned>() == 0x18u);
	BOOST_TEST(str(jobs[0].at("version")) == "0x20000000");
	BOOST_TEST(str(jobs[0].at("nbits")) == "0x1701fa38");
	BOOST_TEST(str(jobs[0].at("ntime")) == "0x68d617dc");
	BOOST_TEST(of_type(objs, "nonce").empty());
	const auto summary = of_type(objs, "summary").at(0);
	BOOST_TEST(summary.at("nonces").to_number<unsigned>() == 0u);
	BOOST_TEST(str(summary.at("note")) == "no nonce replies in the capture");
}

BOOST_AUTO_TEST_CASE(bad_input_is_an_error_or_counted)
{
	// Missing file and missing family: exit 2.
	BOOST_TEST(hbctl({"frames", "replay", "/nonexistent/capture", "-f", "bm1370"}).status == 2);
	BOOST_TEST(hbctl({"frames", "replay", "/tmp"}).status == 2);
	BOOST_TEST(hbctl({"frames", "replay", "/tmp", "-f", "bm1370"}).status == 2);
	// Binary garbage: nothing decodes, exit 1.
	std::string garbage;
	for (int i = 0; i < 5000; ++i)
		garbage.push_back(char((i * 7919 + 13) & 0xFF));
	const TempCapture junk(garbage);
	BOOST_TEST(hbctl({"frames", "replay", junk.path(), "-f", "bm1366"}).status == 1);
	// A job frame cut short after a good one: the good one is replayed, the tail counted.
	const std::string frame = str(job_frame("esp_miner_bm1397_verifier").at("frame"));
	const TempCapture cut(frame + " " + frame.substr(0, 100) + "\n");
	const Run r = hbctl({"frames", "replay", cut.path(), "-f", "bm1397", "--json"});
	BOOST_TEST(r.status == 0);
	const auto summary = of_type(json_lines(r.out), "summary").at(0);
	BOOST_TEST(summary.at("jobs").to_number<unsigned>() == 1u);
	BOOST_TEST(summary.at("truncated").to_number<unsigned>() == 1u);
}
