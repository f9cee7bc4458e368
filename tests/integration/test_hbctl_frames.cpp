// SPDX-License-Identifier: MIT
// The built hbctl: frames encode -> frames decode round trips, the job builder through
// the command line, regs on the simulated board, and exit codes for bad arguments.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>

#include <boost/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/resource.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace hashboard;
namespace json = boost::json;

namespace {

struct Result {
	int status = -1;
	std::string out;
	std::string err;
};

// Runs hbctl with args, stdin_text on its stdin; collects stdout and stderr. A child
// that hangs is killed after a generous limit, so a bug fails the test instead of
// blocking it.
Result hbctl(const std::vector<std::string> &args, const std::string &stdin_text = "")
{
	int in[2], out[2], err[2];
	BOOST_TEST_REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
	BOOST_TEST_REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
	BOOST_TEST_REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
	std::vector<std::string> full{hbtest::hbctl_bin()};
	full.insert(full.end(), args.begin(), args.end());
	std::vector<char *> argv;
	for (auto &a : full)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	pid_t pid = -1;
	const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	::close(in[0]);
	::close(out[1]);
	::close(err[1]);
	BOOST_TEST_REQUIRE(rc == 0, "cannot start " << argv[0]);

	// Inputs here are far below the pipe buffer, so writing first cannot deadlock.
	const ::sighandler_t old = ::signal(SIGPIPE, SIG_IGN);
	std::size_t done = 0;
	while (done < stdin_text.size()) {
		const ssize_t n =
		    ::write(in[1], stdin_text.data() + done, stdin_text.size() - done);
		if (n <= 0)
			break;
		done += std::size_t(n);
	}
	::signal(SIGPIPE, old);
	::close(in[1]);

	Result r;
	std::array<pollfd, 2> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}}};
	int open_fds = 2;
	while (open_fds > 0) {
		const int ready = ::poll(fds.data(), fds.size(), 60000);
		if (ready <= 0) {
			::kill(pid, SIGKILL);
			break;
		}
		for (std::size_t i = 0; i < fds.size(); ++i) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char buf[4096];
			const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
			if (n <= 0) {
				::close(fds[i].fd);
				fds[i].fd = -1;
				--open_fds;
				continue;
			}
			(i == 0 ? r.out : r.err).append(buf, std::size_t(n));
		}
	}
	for (auto &f : fds)
		if (f.fd >= 0)
			::close(f.fd);
	int status = 0;
	::waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	BOOST_TEST_MESSAGE("hbctl " << args.front() << " -> " << r.status << "\n"
	                            << r.out << r.err);
	return r;
}

std::vector<std::string> lines_of(const std::string &text)
{
	std::vector<std::string> lines;
	std::size_t start = 0;
	while (start < text.size()) {
		const auto nl = text.find('\n', start);
		lines.push_back(text.substr(start, nl - start));
		if (nl == std::string::npos)
			break;
		start = nl + 1;
	}
	return lines;
}

std::vector<json::object> json_lines(const std::string &text)
{
	std::vector<json::object> out;
	for (const auto &line : lines_of(text))
		if (!line.empty())
			out.push_back(json::parse(line).as_object());
	return out;
}

std::string str(const json::value &v)
{
	return std::string(v.as_string());
}

struct Vector {
	json::object v = hbtest::load_vector("stratum_example_b.json").as_object();
	std::string notify() const { return json::serialize(v.at("notify")); }
	std::string field(const char *name) const { return str(v.at(name)); }
	std::vector<std::string> job_args(const std::string &family,
	                                  const std::string &job_id) const
	{
		return {"frames",
		        "encode",
		        "job",
		        "-f",
		        family,
		        "--job-id",
		        job_id,
		        "--notify",
		        notify(),
		        "--extranonce1",
		        field("extranonce1"),
		        "--extranonce2",
		        str(v.at("submit").as_array()[2])};
	}
};

std::string midstate_hex(const sha256::State &state)
{
	std::string s;
	for (std::uint32_t w : state) {
		std::uint8_t b[4];
		store_be32(b, w);
		s += to_hex(b);
	}
	return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(commands_encode_to_the_golden_bytes)
{
	BOOST_TEST(lines_of(hbctl({"frames", "encode", "read", "chip_id"}).out).back() ==
	           "55 aa 52 05 00 00 0a");
	BOOST_TEST(lines_of(hbctl({"frames", "encode", "chain-inactive"}).out).back() ==
	           "55 aa 53 05 00 00 03");
	BOOST_TEST(lines_of(hbctl({"frames", "encode", "set-address", "0x08"}).out).back() ==
	           "55 aa 40 05 08 00 07");
	const Result w =
	    hbctl({"frames", "encode", "write", "--chip", "4", "pll0", "0x40a00241", "--json"});
	BOOST_TEST(w.status == 0);
	const auto doc = json::parse(w.out).as_object();
	BOOST_TEST(str(doc.at("frame")) == to_hex(from_hex("55 aa 41 09 04 08 40 a0 02 41 07")));
	BOOST_TEST(str(doc.at("kind")) == "write_register");
	BOOST_TEST(doc.at("fields").at("freq_mhz").as_double() == 200.0);
}

BOOST_AUTO_TEST_CASE(command_encode_decode_round_trip)
{
	const std::vector<std::vector<std::string>> commands{
	    {"write", "ticket_mask", "0x0000f0ff"},
	    {"write", "--chip", "0x80", "0x3c", "0x800082aa"},
	    {"read", "--chip", "12", "version_rolling"},
	    {"set-address", "200"},
	    {"chain-inactive"},
	};
	std::string capture;
	for (const auto &c : commands) {
		std::vector<std::string> args{"frames", "encode"};
		args.insert(args.end(), c.begin(), c.end());
		const Result r = hbctl(args);
		BOOST_TEST_REQUIRE(r.status == 0);
		capture += r.out; // comments and all: decode skips them
	}
	const Result d = hbctl({"frames", "decode"}, capture);
	BOOST_TEST(d.status == 0);
	const auto lines = lines_of(d.out);
	BOOST_TEST_REQUIRE(lines.size() == 6u);
	BOOST_TEST(lines[0] == "@0 tx ok      write_register chip=all reg=ticket_mask(0x14) "
	                       "value=0x0000f0ff difficulty=4096(2^12)");
	BOOST_TEST(lines[1] == "@11 tx ok      write_register chip=0x80 reg=core_control(0x3c) "
	                       "value=0x800082aa");
	BOOST_TEST(lines[2] == "@22 tx ok      read_register chip=0x0c reg=version_rolling(0xa4)");
	BOOST_TEST(lines[3] == "@29 tx ok      set_address addr=0xc8");
	BOOST_TEST(lines[4] == "@36 tx ok      chain_inactive");
	BOOST_TEST(lines[5] == "# hex, bm1366: 5 frames ok, 0 BAD CRC, 0 unknown, 0 junk bytes");
}

BOOST_AUTO_TEST_CASE(header_job_from_notify_round_trips)
{
	const Vector vec;
	const Result enc = hbctl(vec.job_args("bm1366", "8"));
	BOOST_TEST_REQUIRE(enc.status == 0);
	const Result dec = hbctl({"frames", "decode", "--json"}, enc.out);
	BOOST_TEST(dec.status == 0);
	const auto objs = json_lines(dec.out);
	BOOST_TEST_REQUIRE(objs.size() == 2u);
	const auto &f = objs[0];
	BOOST_TEST(str(f.at("kind")) == "header_job");
	BOOST_TEST(f.at("crc_ok").as_bool());
	BOOST_TEST(str(f.at("direction")) == "tx");
	const auto &fields = f.at("fields").as_object();
	BOOST_TEST(fields.at("job_id").to_number<std::uint64_t>() == 8u);
	BOOST_TEST(str(fields.at("merkle_root")) == vec.field("merkle_root_internal"));
	const Bytes header = from_hex(vec.field("header"));
	BOOST_TEST(str(fields.at("prev_hash")) == to_hex(ByteSpan(header).subspan(4, 32)));
	BOOST_TEST(str(fields.at("nbits")) == "0x192495f8");
	BOOST_TEST(str(fields.at("ntime")) == "0x64b3f3ec");
	// Mask bits go out cleared: the chip rolls them.
	BOOST_TEST(str(fields.at("version")) == "0x20000000");
	BOOST_TEST(str(objs[1].at("type")) == "summary");
	BOOST_TEST(objs[1].at("frames").to_number<std::uint64_t>() == 1u);

	// The same job from the share's header, and from the header fields: same bytes.
	const auto frame_line = lines_of(enc.out).back();
	const Result from_header =
	    hbctl({"frames", "encode", "job", "--job-id", "8", "--header", vec.field("header")});
	BOOST_TEST(lines_of(from_header.out).back() == frame_line);
	const Result from_fields = hbctl(
	    {"frames", "encode", "job", "--job-id", "8", "--version", "20000000", "--prev-hash",
	     to_hex(ByteSpan(header).subspan(4, 32)), "--merkle-root",
	     vec.field("merkle_root_internal"), "--ntime", "64b3f3ec", "--nbits", "0x192495f8"});
	BOOST_TEST(lines_of(from_fields.out).back() == frame_line);
}

BOOST_AUTO_TEST_CASE(bm1397_job_carries_the_rolled_midstates)
{
	const Vector vec;
	const Result enc = hbctl(vec.job_args("bm1397", "4"));
	BOOST_TEST_REQUIRE(enc.status == 0);
	const Result dec = hbctl({"frames", "decode", "-f", "bm1397", "--json"}, enc.out);
	const auto objs = json_lines(dec.out);
	BOOST_TEST_REQUIRE(objs.size() == 2u);
	const auto &fields = objs[0].at("fields").as_object();
	BOOST_TEST(str(objs[0].at("kind")) == "midstate_job");
	BOOST_TEST(fields.at("midstates").to_number<std::uint64_t>() == 4u);
	// Midstate 1 rolls the mask's lowest bit: version 0x20002000, the accepted share's.
	sha256::Header header;
	const Bytes hb = from_hex(vec.field("header"));
	std::copy(hb.begin(), hb.end(), header.begin());
	BOOST_TEST(str(fields.at("midstate1")) == midstate_hex(sha256::midstate(header)));
	BOOST_TEST(str(fields.at("merkle_tail")) == "0x5f07f18b");

	const Result j = hbctl([&] {
		auto a = vec.job_args("bm1397", "4");
		a.push_back("--json");
		return a;
	}());
	const auto doc = json::parse(j.out).as_object();
	const auto &versions = doc.at("midstate_versions").as_array();
	BOOST_TEST_REQUIRE(versions.size() == 4u);
	BOOST_TEST(str(versions[1]) == "0x20002000");
	BOOST_TEST(str(doc.at("work").at("merkle_root")) == vec.field("merkle_root_internal"));
	BOOST_TEST(doc.at("length").to_number<std::uint64_t>() == 0x96u + 2);
}

BOOST_AUTO_TEST_CASE(logic2_csv_is_merged_by_time)
{
	const std::string path = std::string(HB_VECTORS_DIR) + "/../data/logic2_async_serial.csv";
	const Result r = hbctl({"frames", "decode", path});
	BOOST_TEST(r.status == 0);
	const auto lines = lines_of(r.out);
	BOOST_TEST_REQUIRE(lines.size() == 11u);
	BOOST_TEST(lines[0].starts_with("0.001200 tx ok      read_register"));
	BOOST_TEST(lines[1].starts_with("0.001908 rx ok      register_reply"));
	BOOST_TEST(lines[3].starts_with("0.004817 tx ok      chain_inactive"));
	BOOST_TEST(lines[7] == "0.008295 -- junk, 1 byte: 00");
	BOOST_TEST(lines[9].starts_with("0.009537 rx BAD CRC nonce"));
	BOOST_TEST(lines[10] ==
	           "# logic2-csv, bm1366: 8 frames ok, 1 BAD CRC, 0 unknown, 1 junk bytes");
	// --strict turns the junk and the bad CRC into a failing exit.
	BOOST_TEST(hbctl({"frames", "decode", "--strict", path}).status == 1);
	BOOST_TEST(hbctl({"frames", "decode", "--strict"}, "55 aa 53 05 00 00 03").status == 0);
}

BOOST_AUTO_TEST_CASE(regs_on_the_simulated_board)
{
	const Result r = hbctl({"regs", "read", "chip_id", "--json"});
	BOOST_TEST(r.status == 0);
	const auto doc = json::parse(r.out).as_object();
	const auto &chips = doc.at("chips").as_array();
	BOOST_TEST_REQUIRE(chips.size() == 4u);
	for (const auto &c : chips)
		BOOST_TEST(str(c.at("fields").at("chip_id")) == "0x1366");

	const Result w =
	    hbctl({"regs", "write", "ticket_mask", "0x000000ff", "--read-back", "--json"});
	BOOST_TEST(w.status == 0);
	const auto wdoc = json::parse(w.out).as_object();
	BOOST_TEST(wdoc.at("ok").as_bool());
	for (const auto &c : wdoc.at("chips").as_array())
		BOOST_TEST(str(c.at("value")) == "0x000000ff");

	const Result one = hbctl({"regs", "read", "0x08", "--chip", "0x40", "-f", "bm1397"});
	BOOST_TEST(one.status == 0);
	// BM1397's reset PLL0 word (skot); the chip divides it further by 0x70's reset
	// PLLDIV0 until a host writes 0x70 (docs/protocol.md), which the decoder cannot know.
	BOOST_TEST(one.out.find("0xc0600161") != std::string::npos);
	// An address no chip has: no reply, exit 1.
	BOOST_TEST(hbctl({"regs", "read", "chip_id", "--chip", "0x41"}).status == 1);
}

BOOST_AUTO_TEST_CASE(bad_arguments_exit_2)
{
	const Vector vec;
	const std::vector<std::vector<std::string>> bad{
	    {"frames"},
	    {"frames", "encode"},
	    {"frames", "encode", "read"},
	    {"frames", "encode", "read", "no_such_register"},
	    {"frames", "encode", "read", "0x100"},
	    {"frames", "encode", "read", "--chip", "1", "--all", "pll0"},
	    {"frames", "encode", "write", "pll0", "0x100000000"},
	    {"frames", "encode", "write", "-f", "bm1397", "version_rolling", "1"},
	    {"frames", "encode", "set-address", "fish"},
	    {"frames", "encode", "job", "--job-id", "1"},
	    {"frames", "encode", "job", "--job-id", "128", "--header", vec.field("header")},
	    {"frames", "encode", "job", "--job-id", "1", "--header", "00"},
	    {"frames", "encode", "job", "--job-id", "1", "--version", "20000000"},
	    {"frames", "encode", "job", "--job-id", "1", "--notify", "[1,2]", "--extranonce1", "00",
	     "--extranonce2", "00"},
	    {"frames", "encode", "job", "--job-id", "1", "--notify", vec.notify()},
	    {"frames", "encode", "job", "--family", "bm9999", "--job-id", "1", "--header",
	     vec.field("header")},
	    {"frames", "decode", "/nonexistent/capture.txt"},
	    {"frames", "decode", "--format", "pcap"},
	    {"frames", "decode", "--direction", "up"},
	    {"regs", "read"},
	    {"regs", "read", "no_such_register"},
	    {"regs", "write", "pll0"},
	};
	for (const auto &args : bad) {
		const Result r = hbctl(args, "55 aa 53 05 00 00 03\n");
		std::string joined;
		for (const auto &a : args)
			joined += a + " ";
		BOOST_TEST(r.status == 2, joined << "exit " << r.status << ": " << r.err);
		BOOST_TEST(!r.err.empty(), joined);
	}
}

BOOST_AUTO_TEST_CASE(notify_errors_name_the_field)
{
	const Vector vec;
	json::array notify = vec.v.at("notify").as_array();
	notify[1] = "171592f2";
	auto args = vec.job_args("bm1366", "8");
	args[8] = json::serialize(notify);
	const Result r = hbctl(args);
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.err.find("prevhash") != std::string::npos, r.err);

	auto wrong_size = vec.job_args("bm1366", "8");
	wrong_size.push_back("--extranonce2-size");
	wrong_size.push_back("8");
	const Result s = hbctl(wrong_size);
	BOOST_TEST(s.status == 2);
	BOOST_TEST(s.err.find("extranonce2") != std::string::npos, s.err);
}

BOOST_AUTO_TEST_CASE(decode_reads_stdin_binary)
{
	const Bytes raw = from_hex("55 aa 53 05 00 00 03 aa 55 13 97 18 00 00 00 06");
	const Result r = hbctl({"frames", "decode", "-f", "bm1397", "--format", "binary", "-"},
	                       std::string(raw.begin(), raw.end()));
	BOOST_TEST(r.status == 0);
	const auto lines = lines_of(r.out);
	BOOST_TEST_REQUIRE(lines.size() == 3u);
	BOOST_TEST(lines[0] == "@0 tx ok      chain_inactive");
	BOOST_TEST(lines[1].starts_with("@7 rx ok      register_reply chip=0x00 reg=chip_id(0x00) "
	                                "value=0x13971800 chip_id=0x1397"));
}

// ---- frames decode streams its input ---------------------------------------------------

namespace {

// hbctl with its stdin a pipe the test writes while it runs, so a test can see what comes
// out before the input ends. stderr goes with stdout. The child is killed on every path.
class Streaming {
public:
	explicit Streaming(const std::vector<std::string> &args,
	                   const std::vector<std::string> &env_extra = {})
	{
		int in[2], out[2];
		BOOST_TEST_REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
		BOOST_TEST_REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
		posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
		std::vector<std::string> full{hbtest::hbctl_bin()};
		full.insert(full.end(), args.begin(), args.end());
		std::vector<char *> argv;
		for (auto &a : full)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		std::vector<std::string> env_text = env_extra;
		for (char **e = environ; *e; ++e)
			env_text.emplace_back(*e);
		std::vector<char *> envp;
		for (auto &e : env_text)
			envp.push_back(e.data());
		envp.push_back(nullptr);
		const int rc =
		    ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
		posix_spawn_file_actions_destroy(&actions);
		::close(in[0]);
		::close(out[1]);
		in_ = in[1];
		out_ = out[0];
		BOOST_TEST_REQUIRE(rc == 0, "cannot start " << argv[0]);
		::fcntl(in_, F_SETFL, O_NONBLOCK);
		::fcntl(out_, F_SETFL, O_NONBLOCK);
	}
	~Streaming()
	{
		close_input();
		if (pid_ > 0) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
		}
		::close(out_);
	}

	// Writes all of text, reading the child's output meanwhile so neither side blocks.
	void write(std::string_view text)
	{
		while (!text.empty()) {
			pollfd p[2]{{in_, POLLOUT, 0}, {out_, POLLIN, 0}};
			BOOST_TEST_REQUIRE(::poll(p, 2, 30000) > 0, "hbctl stopped reading");
			if (p[1].revents)
				drain();
			if (p[0].revents & (POLLERR | POLLHUP))
				return;
			if (!(p[0].revents & POLLOUT))
				continue;
			const ssize_t n = ::write(in_, text.data(), text.size());
			if (n > 0)
				text.remove_prefix(std::size_t(n));
		}
	}
	void close_input()
	{
		if (in_ >= 0)
			::close(in_);
		in_ = -1;
	}
	// The next line of output, if one comes within the timeout.
	std::optional<std::string> read_line(int timeout_ms)
	{
		for (;;) {
			if (const auto nl = out_text_.find('\n'); nl != std::string::npos) {
				std::string line = out_text_.substr(0, nl);
				out_text_.erase(0, nl + 1);
				return line;
			}
			pollfd p{out_, POLLIN, 0};
			if (::poll(&p, 1, timeout_ms) <= 0 || !drain())
				return std::nullopt;
		}
	}
	// Closes stdin, reads to the end and reaps: the exit status and the largest resident
	// set the child had (getrusage's ru_maxrss, in KiB).
	int finish(std::string &rest, long &max_rss_kib)
	{
		close_input();
		for (;;) {
			pollfd p{out_, POLLIN, 0};
			if (::poll(&p, 1, 60000) <= 0 || !drain())
				break;
		}
		rest = std::exchange(out_text_, {});
		int status = 0;
		rusage usage{};
		BOOST_TEST_REQUIRE(::wait4(pid_, &status, 0, &usage) == pid_);
		pid_ = -1;
		max_rss_kib = usage.ru_maxrss;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	std::size_t output_bytes() const { return output_bytes_; }

private:
	// False at end of output. Only the last of a long output is kept (the big inputs
	// print a lot of junk lines); its size is counted.
	bool drain()
	{
		char buf[65536];
		const ssize_t n = ::read(out_, buf, sizeof buf);
		if (n <= 0)
			return n < 0 && errno == EAGAIN;
		output_bytes_ += std::size_t(n);
		out_text_.append(buf, std::size_t(n));
		if (out_text_.size() > (1u << 20))
			out_text_.erase(0, out_text_.size() - (64u << 10));
		return true;
	}

	pid_t pid_ = -1;
	int in_ = -1, out_ = -1;
	std::string out_text_;
	std::size_t output_bytes_ = 0;
};

std::string spaced(const Bytes &b)
{
	std::string s;
	for (std::size_t i = 0; i < b.size(); ++i)
		s += (i ? " " : "") + to_hex(ByteSpan(&b[i], 1));
	return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(decode_prints_frames_as_they_arrive_from_a_pipe)
{
	for (const bool binary : {false, true}) {
		Streaming decode({"frames", "decode", "-"});
		const Bytes first = from_hex("55 aa 52 05 00 00 0a");
		if (binary)
			decode.write(std::string(first.begin(), first.end()));
		else
			decode.write("55 aa 52 05 00 00 0a\n");
		// The pipe is still open: the frame shows now, not at the end of the input.
		const auto line = decode.read_line(10000);
		BOOST_TEST_REQUIRE(line.has_value(), "nothing before the input ended");
		BOOST_TEST(*line == "@0 tx ok      read_register chip=all reg=chip_id(0x00)");
		decode.write(binary ? std::string("\x55\xaa\x53\x05\x00\x00\x03", 7)
		                    : std::string("55 aa 53 05 00 00 03\n"));
		const auto second = decode.read_line(10000);
		BOOST_TEST_REQUIRE(second.has_value());
		BOOST_TEST(*second == "@7 tx ok      chain_inactive");
		std::string rest;
		long rss = 0;
		BOOST_TEST(decode.finish(rest, rss) == 0);
		BOOST_TEST(rest ==
		           std::string("# ") + (binary ? "binary" : "hex") +
		               ", bm1366: 2 frames ok, 0 BAD CRC, 0 unknown, 0 junk bytes\n");
	}
}

BOOST_AUTO_TEST_CASE(decode_memory_is_bounded_whatever_the_input_size)
{
	// About 50 MB of hex text, made as it is written: a frame, then a few kilobytes of
	// noise, over and over. Read whole, it would take gigabytes of items.
	std::vector<std::string> env;
#if defined(__SANITIZE_ADDRESS__)
	// ASan keeps freed memory in quarantine (256 MB by default): it would measure that.
	const char *asan = std::getenv("ASAN_OPTIONS");
	env.push_back(std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") +
	              "quarantine_size_mb=8");
#endif
	Streaming decode({"frames", "decode", "-"}, env);
	std::string block = "55 aa 52 05 00 00 0a\n";
	for (int i = 0; i < 1400; ++i)
		block += "00 ";
	block +=
	    "\n" + spaced(bm13xx::encode_reply(bm13xx::RegisterReply{0x13660000, 0, 0}, 11)) + "\n";
	std::size_t written = 0;
	while (written < 50'000'000) {
		decode.write(block);
		written += block.size();
	}
	std::string rest;
	long rss_kib = 0;
	BOOST_TEST(decode.finish(rest, rss_kib) == 0);
	const std::size_t blocks = (written + block.size() - 1) / block.size();
	BOOST_TEST(rest.find("# hex, bm1366: " + std::to_string(2 * blocks) + " frames ok") !=
	               std::string::npos,
	           rest.substr(rest.size() > 300 ? rest.size() - 300 : 0));
	BOOST_TEST_MESSAGE("frames decode of " << written << " bytes of hex: VmHWM " << rss_kib
	                                       << " KiB, " << decode.output_bytes()
	                                       << " bytes out");
#if defined(__SANITIZE_ADDRESS__)
	BOOST_TEST(rss_kib < 200 * 1024, "resident " << rss_kib << " KiB");
#else
	BOOST_TEST(rss_kib < 32 * 1024, "resident " << rss_kib << " KiB");
#endif
}

BOOST_AUTO_TEST_CASE(decode_refuses_a_directory_on_stdin)
{
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/", O_RDONLY, 0);
	int err[2];
	BOOST_TEST_REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
	std::string bin = hbtest::hbctl_bin(), frames = "frames", decode = "decode", dash = "-";
	char *argv[] = {bin.data(), frames.data(), decode.data(), dash.data(), nullptr};
	pid_t pid = -1;
	BOOST_TEST_REQUIRE(::posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ) == 0);
	posix_spawn_file_actions_destroy(&actions);
	::close(err[1]);
	std::string text;
	char buf[512];
	for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) > 0;)
		text.append(buf, std::size_t(n));
	::close(err[0]);
	int status = 0;
	::waitpid(pid, &status, 0);
	BOOST_TEST(WEXITSTATUS(status) == 2);
	BOOST_TEST(text.find("capture 'stdin' is a directory") != std::string::npos, text);
}
