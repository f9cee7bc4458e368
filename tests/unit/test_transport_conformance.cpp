// SPDX-License-Identifier: MIT
// One set of checks that every transport passes, run against each one that can be opened
// here: sim: in virtual time, tty: on a pty whose far end echoes, unix: against a socket
// the test listens on and echoes from, and ftdi:/spidev:/kdev: when such a device is
// present (kdev: in the QEMU guest of tests/kmod/run, raw mode, an echo behind the line).
// Each scheme is a test suite with one case a check; a new transport is one more entry
// in fixtures().
//
// Hardware: checks that send bytes run on ftdi:/spidev: only with a loopback jumper,
// declared by HB_TEST_FTDI_LOOPBACK=1 (TX to RX) or HB_TEST_SPIDEV_LOOPBACK=1 (MOSI to
// MISO) or HB_TEST_KDEV_LOOPBACK=1 (the chain device's line echoes): without it the test does not
// know what is wired to the device and sends nothing but the SPI filler. Without a device their
// suites are reported skipped (their own ctest entries, test_transport_conformance.ftdi, .spidev
// and .kdev).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "hardware_cases.hpp"
#include "transport_peers.hpp"

#include "transport/ftdi_transport.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <sys/ioctl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace bdata = boost::unit_test::data;
namespace bm = hashboard::bm13xx;

namespace {

// What a far end answers to a request: itself for an echo, replies for a chip chain.
struct Exchange {
	Bytes request;
	Bytes reply;
};

// A transport opened for one check, with its far end.
class Rig {
public:
	virtual ~Rig() = default;
	virtual Transport &transport() = 0;
	virtual Clock &clock() = 0;
	// Nothing when the test cannot know what the far end answers.
	virtual std::optional<Exchange> exchange() = 0;
	// True when the far end sends back any bytes it is sent.
	virtual bool echoes() const = 0;
	virtual bool expects_reset() const = 0;
	// Returns once `n` bytes the far end sent are in the transport's receive queue.
	virtual void await_received(std::size_t n) = 0;
	// Makes the far end go away; false when this rig cannot.
	virtual bool vanish() = 0;
};

struct Fixture {
	std::string name; // the scheme
	// Opens a rig; null when a device that was there cannot be used after all.
	std::function<std::unique_ptr<Rig>()> open;
	// URIs of this scheme with bad options: std::invalid_argument, no device needed.
	std::vector<std::string> bad_uris;
	// A URI that must be refused on a virtual clock (real-time schemes).
	std::string real_time_uri;
	// Schemes on hardware: why there is no usable device here, or nothing when there is.
	// Their checks are a ctest entry of their own, skipped without the device.
	std::function<std::optional<std::string>()> missing{};
};

std::ostream &operator<<(std::ostream &os, const Fixture &f)
{
	return os << f.name << ':';
}

bool env_flag(const char *name)
{
	const char *v = std::getenv(name);
	return v && std::string(v) == "1";
}

// Every byte value, then the ones a cooked line or a framing bug would mangle.
Bytes arbitrary_bytes()
{
	Bytes b;
	for (int i = 0; i < 256; ++i)
		b.push_back(std::uint8_t(i));
	for (std::uint8_t x : {0x00, 0xFF, 0x55, 0xAA, 0xAA, 0x55, 0x00, 0x00, 0xFF, 0x0D, 0x0A})
		b.push_back(x);
	return b;
}

const Bytes kEchoRequest{0x55, 0xAA, 0x00, 0xFF, 0x13, 0x11, 0x0D, 0x0A, 0x7F, 0x00};

// Reads until n bytes came or a read times out, chunk bytes at a time at most.
Bytes read_up_to(Transport &t, std::size_t n, std::size_t chunk, Duration timeout = 1s)
{
	Bytes out;
	Bytes buf(chunk);
	while (out.size() < n) {
		const std::size_t want = std::min(chunk, n - out.size());
		const std::size_t got = t.read(std::span(buf.data(), want), timeout);
		if (got == 0)
			break;
		out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(got));
	}
	return out;
}

// ---- sim: -------------------------------------------------------------------------

constexpr const char *kSimUri = "sim:bm1366?chips=4";

Bytes chip_id_request()
{
	const auto &family = family_by_name("bm1366");
	return bm::encode_read_register(true, 0, family.regs.chip_id);
}

class SimRig final : public Rig {
public:
	SimRig() : transport_(open_transport(kSimUri, clock_)) {}
	Transport &transport() override { return *transport_; }
	Clock &clock() override { return clock_; }
	std::optional<Exchange> exchange() override
	{
		// The replies come from a twin chain run through the same steps: the check is
		// that this one's stream, however it is read, is the same.
		VirtualClock twin_clock;
		const auto twin = open_transport(kSimUri, twin_clock);
		twin->write(chip_id_request());
		Exchange e{chip_id_request(), read_up_to(*twin, 4096, 4096, 50ms)};
		// Four chips, 9-byte replies until version rolling is on.
		BOOST_TEST_REQUIRE(e.reply.size() == 4 * 9u);
		return e;
	}
	bool echoes() const override { return false; }
	bool expects_reset() const override { return true; }
	void await_received(std::size_t) override { clock_.sleep_for(1s); }
	bool vanish() override { return false; }

private:
	VirtualClock clock_;
	std::unique_ptr<Transport> transport_;
};

// ---- tty: and unix: against an echo peer ------------------------------------------

class EchoRig : public Rig {
public:
	Transport &transport() override { return *transport_; }
	Clock &clock() override { return clock_; }
	std::optional<Exchange> exchange() override { return Exchange{kEchoRequest, kEchoRequest}; }
	bool echoes() const override { return true; }
	bool expects_reset() const override { return false; }
	bool vanish() override
	{
		peer_->close();
		return true;
	}

protected:
	SteadyClock clock_;
	std::unique_ptr<Transport> transport_;
	std::unique_ptr<hbtest::EchoPeer> peer_;
};

class PtyRig final : public EchoRig {
public:
	PtyRig()
	{
		transport_ = open_transport("tty:" + pty_.slave, clock_);
		// A second descriptor on the slave, to see its input queue fill.
		watch_.reset(
		    ::open(pty_.slave.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
		BOOST_TEST_REQUIRE(watch_.get() >= 0);
		peer_ = std::make_unique<hbtest::EchoPeer>(std::move(pty_.master));
	}
	~PtyRig() override { peer_->close(); }
	void await_received(std::size_t n) override
	{
		// The echo reaches the master first and the slave's queue a moment later.
		for (const Duration end = clock_.now() + 2s; clock_.now() < end;
		     clock_.sleep_for(1ms)) {
			int queued = 0;
			BOOST_TEST_REQUIRE(::ioctl(watch_.get(), FIONREAD, &queued) == 0);
			if (std::size_t(queued) >= n)
				return;
		}
		BOOST_FAIL("tty: the echo never reached the slave's input queue");
	}

private:
	hbtest::Pty pty_;
	hbtest::UniqueFd watch_;
};

class UnixRig final : public EchoRig {
public:
	UnixRig() : path_(dir_.path + "/chain.sock"), listener_(hbtest::listen_unix(path_))
	{
		transport_ = open_transport("unix:" + path_, clock_);
		hbtest::UniqueFd peer(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
		BOOST_TEST_REQUIRE(peer.get() >= 0);
		peer_ = std::make_unique<hbtest::EchoPeer>(std::move(peer));
	}
	~UnixRig() override
	{
		peer_->close();
		::unlink(path_.c_str());
	}
	// A unix socket queues what the peer sends as it sends it: once the peer has
	// echoed n more bytes, they are there.
	void await_received(std::size_t n) override
	{
		awaited_ += n;
		for (const Duration end = clock_.now() + 2s;
		     peer_->echoed() < awaited_ && clock_.now() < end;)
			clock_.sleep_for(1ms);
		BOOST_TEST_REQUIRE(peer_->echoed() >= awaited_);
	}

private:
	hbtest::TempDir dir_;
	std::string path_;
	hbtest::UniqueFd listener_;
	std::size_t awaited_ = 0; // bytes the peer has been waited for, in all
};

// ---- ftdi: and spidev: on hardware, when present -----------------------------------

class HardwareRig final : public Rig {
public:
	HardwareRig(const std::string &uri, bool loopback)
	    : transport_(open_transport(uri, clock_)), loopback_(loopback)
	{
	}
	Transport &transport() override { return *transport_; }
	Clock &clock() override { return clock_; }
	std::optional<Exchange> exchange() override
	{
		if (!loopback_)
			return std::nullopt;
		return Exchange{kEchoRequest, kEchoRequest};
	}
	bool echoes() const override { return loopback_; }
	bool expects_reset() const override { return false; }
	// A jumper is quick, but the test cannot see the device's queue: give it 100 ms.
	void await_received(std::size_t) override { clock_.sleep_for(100ms); }
	bool vanish() override { return false; }

private:
	SteadyClock clock_;
	std::unique_ptr<Transport> transport_;
	bool loopback_;
};

// A device this user may not use (permissions, held by another process): null, and why.
std::unique_ptr<Rig> open_hardware(const std::string &uri, bool loopback,
                                   std::string *why = nullptr)
{
	try {
		return std::make_unique<HardwareRig>(uri, loopback);
	} catch (const TransportError &e) {
		if (e.error_number() != EACCES && e.error_number() != EBUSY)
			throw;
		if (why)
			*why = uri + ": present but not usable here (" + e.what() + ")";
		return nullptr;
	}
}

struct FoundDevice {
	std::optional<std::string> uri; // the first usable one
	std::string why_not;            // when there is none
};

FoundDevice find_ftdi()
{
	constexpr std::array<std::uint16_t, 3> kProducts{0x6001, 0x6015, 0x6014};
	std::vector<transport::FtdiDeviceInfo> found;
	try {
		found = transport::find_ftdi_devices(kProducts);
	} catch (const TransportError &e) {
		return {std::nullopt,
		        std::string("ftdi: cannot list USB devices (") + e.what() + ")"};
	}
	if (found.empty())
		return {std::nullopt, "ftdi: no FTDI device found (0403:6001/6014/6015)"};
	return {found.front().uri(), {}};
}

FoundDevice find_spidev()
{
	std::vector<std::string> devices;
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator("/dev", ec))
		if (entry.path().filename().string().starts_with("spidev"))
			devices.push_back(entry.path().string());
	if (devices.empty())
		return {std::nullopt, "spidev: no /dev/spidev* device found"};
	std::sort(devices.begin(), devices.end());
	return {"spidev:" + devices.front(), {}};
}

// hashboard.ko's chain devices, in the QEMU guest of tests/kmod/run or on a board.
FoundDevice find_kdev()
{
	std::vector<std::string> devices;
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator("/dev", ec)) {
		const std::string name = entry.path().filename().string();
		if (name.starts_with("hashboard") && name.size() > 9 &&
		    std::isdigit(static_cast<unsigned char>(name[9])))
			devices.push_back(entry.path().string());
	}
	if (devices.empty())
		return {std::nullopt, "kdev: no /dev/hashboardN device found (hashboard.ko)"};
	std::sort(devices.begin(), devices.end());
	// HB_TEST_KDEV names the one to use when there are several.
	if (const char *chosen = std::getenv("HB_TEST_KDEV"))
		return {std::string("kdev:") + chosen, {}};
	return {"kdev:" + devices.front(), {}};
}

// Why the device cannot be tested here: none found, or found and not usable.
std::optional<std::string> missing(const FoundDevice &device)
{
	if (!device.uri)
		return device.why_not;
	std::string why;
	if (!open_hardware(*device.uri, false, &why))
		return why;
	return std::nullopt;
}

// The device found, with a loopback when `loopback_env` declares one.
std::unique_ptr<Rig> open_found(const FoundDevice &device, const char *loopback_env,
                                const char *with_loopback, const char *without)
{
	const bool loopback = env_flag(loopback_env);
	BOOST_TEST_MESSAGE("testing " << *device.uri << " "
	                              << (loopback ? with_loopback : without));
	return open_hardware(*device.uri, loopback);
}

std::unique_ptr<Rig> open_ftdi_rig()
{
	return open_found(find_ftdi(), "HB_TEST_FTDI_LOOPBACK", "with a TX-RX loopback",
	                  "(no HB_TEST_FTDI_LOOPBACK=1: nothing is sent)");
}

std::unique_ptr<Rig> open_spidev_rig()
{
	return open_found(find_spidev(), "HB_TEST_SPIDEV_LOOPBACK", "with a MOSI-MISO loopback",
	                  "(no HB_TEST_SPIDEV_LOOPBACK=1: only the filler is clocked out)");
}

std::unique_ptr<Rig> open_kdev_rig()
{
	return open_found(find_kdev(), "HB_TEST_KDEV_LOOPBACK",
	                  "with an echo on the far end of its line",
	                  "(no HB_TEST_KDEV_LOOPBACK=1: nothing is sent)");
}

const std::vector<Fixture> &fixtures()
{
	static const std::vector<Fixture> table{
	    {"sim",
	     [] { return std::unique_ptr<Rig>(std::make_unique<SimRig>()); },
	     {"sim:bm1366?chips=0", "sim:bm1366?colour=red", "sim:bm9999", "sim:bm1366?ber=2"},
	     ""},
	    {"tty",
	     [] { return std::unique_ptr<Rig>(std::make_unique<PtyRig>()); },
	     {"tty:", "tty:/dev/null?baud=9600", "tty:/dev/null?reset=gpio:4",
	      "tty:/dev/null?reset"},
	     "tty:/dev/null"},
	    {"unix",
	     [] { return std::unique_ptr<Rig>(std::make_unique<UnixRig>()); },
	     {"unix:", "unix:/tmp/x.sock?chips=4", "unix:/tmp/x.sock?reset=hbsim:"},
	     "unix:/tmp/x.sock"},
	    {"ftdi",
	     open_ftdi_rig,
	     {"ftdi:", "ftdi:0403", "ftdi:xyz:6015", "ftdi:0403:6015:", "ftdi:0403:6015?baud=0",
	      "ftdi:0403:6015?reset=cbus4", "ftdi:0403:6015?reset=cbus0&power=cbus0",
	      "ftdi:0403:6015?reset_active_low=1", "ftdi:0403:6015?speed=1000"},
	     "ftdi:0403:6015",
	     [] { return missing(find_ftdi()); }},
	    {"spidev",
	     open_spidev_rig,
	     {"spidev:", "spidev:/dev/spidev0.0?mode=4", "spidev:/dev/spidev0.0?bits=9",
	      "spidev:/dev/spidev0.0?speed=1000&follow_baud=1", "spidev:/dev/spidev0.0?baud=9600",
	      "spidev:/dev/spidev0.0?poll_chunk=0"},
	     "spidev:/dev/spidev0.0",
	     [] { return missing(find_spidev()); }},
	    {"kdev",
	     open_kdev_rig,
	     {"kdev:", "kdev:/dev/hashboard0?mode=cooked", "kdev:/dev/hashboard0?reply=11",
	      "kdev:/dev/hashboard0?mode=framed&reply=10", "kdev:/dev/hashboard0?baud=9600"},
	     "kdev:/dev/hashboard0",
	     [] { return missing(find_kdev()); }},
	};
	return table;
}

// A rig whose far end answers known bytes, for the checks that need traffic.
struct Talking {
	std::unique_ptr<Rig> rig;
	Exchange exchange;
};

std::optional<Talking> open_talking(const Fixture &fixture)
{
	auto rig = fixture.open();
	if (!rig)
		return std::nullopt;
	auto e = rig->exchange();
	if (!e) {
		BOOST_TEST_MESSAGE(fixture.name
		                   << ": what the far end answers is unknown, skipped");
		return std::nullopt;
	}
	return Talking{std::move(rig), std::move(*e)};
}

void describe_names_the_scheme(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	const std::string d = rig->transport().describe();
	BOOST_TEST_MESSAGE(fixture.name << ": " << d);
	BOOST_TEST(d.starts_with(fixture.name + ":"), d);
}

void round_trip_of_arbitrary_bytes(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	if (!rig->echoes()) {
		BOOST_TEST_MESSAGE(fixture.name
		                   << ": the far end does not echo, round trip skipped");
		return;
	}
	const Bytes data = arbitrary_bytes();
	rig->transport().write(data);
	BOOST_TEST(read_up_to(rig->transport(), data.size(), 4096) == data,
	           boost::test_tools::per_element());
}

void partial_reads_assemble_the_stream(const Fixture &fixture)
{
	const auto talking = open_talking(fixture);
	if (!talking)
		return;
	const Exchange &e = talking->exchange;
	Transport &t = talking->rig->transport();
	t.write(e.request);
	// One byte at a time for the first half, then three at a time.
	Bytes got = read_up_to(t, e.reply.size() / 2, 1);
	const Bytes rest = read_up_to(t, e.reply.size() - got.size(), 3);
	got.insert(got.end(), rest.begin(), rest.end());
	BOOST_TEST(got == e.reply, boost::test_tools::per_element());
}

void read_times_out_at_the_deadline(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	std::array<std::uint8_t, 64> buf;
	for (const Duration timeout : {Duration(0), Duration(200ms)}) {
		const Duration start = rig->clock().now();
		BOOST_TEST(rig->transport().read(buf, timeout) == 0u);
		const Duration waited = rig->clock().now() - start;
		// Generous on the late side: a loaded machine may be slow to wake the reader.
		BOOST_TEST(waited >= timeout);
		BOOST_TEST(waited < timeout + 2s);
	}
}

void flush_input_drops_pending_bytes(const Fixture &fixture)
{
	const auto talking = open_talking(fixture);
	if (!talking)
		return;
	const Exchange &e = talking->exchange;
	Transport &t = talking->rig->transport();
	t.write(e.request);
	talking->rig->await_received(e.reply.size());
	t.flush_input();
	std::array<std::uint8_t, 64> buf;
	BOOST_TEST(t.read(buf, 100ms) == 0u);
	// The link still works afterwards.
	t.write(e.request);
	BOOST_TEST(read_up_to(t, e.reply.size(), 64) == e.reply, boost::test_tools::per_element());
}

void set_baud_round_trips(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	Transport &t = rig->transport();
	// Rates every transport makes exactly, FTDI divisors included (3 MHz / 3 and / 12).
	for (const std::uint32_t baud : {1'000'000u, 250'000u}) {
		t.set_baud(baud);
		BOOST_TEST(t.baud() == baud);
		BOOST_TEST(t.describe().find("@" + std::to_string(baud)) != std::string::npos,
		           t.describe());
	}
	BOOST_CHECK_THROW(t.set_baud(0), std::invalid_argument);
	BOOST_TEST(t.baud() == 250'000u);
}

void reset_line_or_logic_error(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	Transport &t = rig->transport();
	BOOST_TEST(t.has_reset() == rig->expects_reset());
	if (!t.has_reset()) {
		BOOST_CHECK_THROW(t.set_reset(true), std::logic_error);
		BOOST_CHECK_THROW(t.set_reset(false), std::logic_error);
		return;
	}
	t.set_reset(true);
	rig->clock().sleep_for(10ms);
	t.set_reset(false);
	// After the pulse the far end answers as it did from power-on.
	if (const auto e = rig->exchange()) {
		t.write(e->request);
		BOOST_TEST(read_up_to(t, e->reply.size(), 64) == e->reply,
		           boost::test_tools::per_element());
	}
}

void vanished_peer_is_a_transport_error(const Fixture &fixture)
{
	const auto rig = fixture.open();
	if (!rig)
		return;
	if (!rig->vanish()) {
		BOOST_TEST_MESSAGE(fixture.name << ": the far end cannot be made to go away here, "
		                                   "skipped");
		return;
	}
	Transport &t = rig->transport();
	std::array<std::uint8_t, 64> buf;
	// Bytes queued before the peer left may still be read; after them, an error, and
	// each read is bounded by its timeout, so a hang fails the loop rather than the run.
	bool threw = false;
	for (int i = 0; i < 3 && !threw; ++i) {
		try {
			t.read(buf, 500ms);
		} catch (const TransportError &) {
			threw = true;
		}
	}
	BOOST_TEST(threw, "read from a vanished peer did not fail");
	BOOST_CHECK_THROW(t.write(kEchoRequest), TransportError);
}

// The checks every transport passes: one test case each in the scheme's suite.
struct Check {
	const char *name;
	void (*run)(const Fixture &);
};
constexpr std::array<Check, 8> kChecks{{
    {"describe_names_the_scheme", describe_names_the_scheme},
    {"round_trip_of_arbitrary_bytes", round_trip_of_arbitrary_bytes},
    {"partial_reads_assemble_the_stream", partial_reads_assemble_the_stream},
    {"read_times_out_at_the_deadline", read_times_out_at_the_deadline},
    {"flush_input_drops_pending_bytes", flush_input_drops_pending_bytes},
    {"set_baud_round_trips", set_baud_round_trips},
    {"reset_line_or_logic_error", reset_line_or_logic_error},
    {"vanished_peer_is_a_transport_error", vanished_peer_is_a_transport_error},
}};

// One suite a scheme: conformance/<scheme>/<check>. A scheme on hardware is labelled
// "hardware" (the program's own ctest entry leaves it out: --run_test=!@hardware) and
// runs as its own entry (tests/CMakeLists.txt), whose precondition reports it skipped
// when there is no usable device (hbtest::needs_device).
const bool registered = [] {
	auto &master = boost::unit_test::framework::master_test_suite();
	for (const Fixture &fixture : fixtures()) {
		auto *suite = BOOST_TEST_SUITE(fixture.name);
		for (const Check &check : kChecks)
			suite->add(boost::unit_test::make_test_case(
			    [&fixture, run = check.run] { run(fixture); }, check.name, __FILE__,
			    __LINE__));
		if (fixture.missing) {
			suite->add_label(hbtest::kHardwareLabel);
			suite->add_precondition(hbtest::needs_device(fixture.missing));
		}
		master.add(suite);
	}
	return true;
}();

} // namespace

BOOST_DATA_TEST_CASE(bad_options_are_invalid_arguments, bdata::make(fixtures()), fixture)
{
	SteadyClock clock;
	for (const auto &uri : fixture.bad_uris) {
		BOOST_TEST_CONTEXT(uri)
		{
			BOOST_CHECK_THROW(open_transport(uri, clock), std::invalid_argument);
		}
	}
	if (!fixture.real_time_uri.empty()) {
		VirtualClock virtual_clock;
		BOOST_CHECK_THROW(open_transport(fixture.real_time_uri, virtual_clock),
		                  std::invalid_argument);
	}
}

BOOST_AUTO_TEST_CASE(unknown_scheme_lists_every_fixture)
{
	SteadyClock clock;
	try {
		open_transport("nosuch:/dev/x", clock);
		BOOST_ERROR("an unknown scheme opened");
	} catch (const std::invalid_argument &e) {
		const std::string what = e.what();
		for (const auto &f : fixtures())
			BOOST_TEST(what.find(f.name + ":") != std::string::npos, what);
	}
}
