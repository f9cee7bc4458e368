// SPDX-License-Identifier: MIT
#include "kdev_transport.hpp"

#include "fd_io.hpp"
#include "kdev_records.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <linux/hashboard.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// The kernel refuses larger writes; frames are far shorter, so a split falls between
// frames only when a caller hands over more than 4 KiB at once, and the kernel queues
// bytes, not frames, to the line.
constexpr std::size_t kMaxWrite = HASHBOARD_MAX_WRITE;
constexpr std::uint32_t kMinReset = 1, kMaxReset = 1000; // ms, the ioctl's range

std::string bounded(const char *s, std::size_t n)
{
	return std::string(s, strnlen(s, n));
}

std::string transport_name(std::uint32_t t)
{
	switch (t) {
	case HASHBOARD_TRANSPORT_LDISC:
		return "ldisc";
	case HASHBOARD_TRANSPORT_SERDEV:
		return "serdev";
	case HASHBOARD_TRANSPORT_SPI:
		return "spi";
	default:
		return fmt::format("transport {}", t);
	}
}

KdevInfo query_info(int fd, const std::string &link)
{
	hashboard_info raw{};
	raw.size = sizeof raw;
	if (::ioctl(fd, HASHBOARD_IOC_GET_INFO, &raw) < 0) {
		const int err = errno;
		if (err == ENOTTY || err == EINVAL || err == EFAULT)
			throw TransportError(link + ": not a hashboard chain device (GET_INFO: " +
			                         std::strerror(err) + ")",
			                     ENOTTY);
		throw_os_error(link + ": GET_INFO", err);
	}
	// Structures grow at their end and keep their meaning, so any version from the
	// first on is one this code can use.
	if (raw.abi_version < 1)
		throw TransportError(fmt::format("{}: hashboard ABI version {}; this HAL needs {} "
		                                 "or later",
		                                 link, raw.abi_version, HASHBOARD_ABI_VERSION),
		                     EPROTO);
	KdevInfo info;
	info.abi_version = raw.abi_version;
	info.transport = transport_name(raw.transport);
	info.has_reset = raw.caps & HASHBOARD_CAP_RESET;
	info.has_power = raw.caps & HASHBOARD_CAP_POWER;
	info.has_baud = raw.caps & HASHBOARD_CAP_BAUD;
	info.baud = raw.baud;
	info.chain_id = raw.chain_id;
	info.family = bounded(raw.family, sizeof raw.family);
	info.driver_version = bounded(raw.driver_version, sizeof raw.driver_version);
	return info;
}

UniqueFd open_device(const std::string &path, const std::string &link)
{
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
	if (!fd)
		throw_os_error("cannot open " + link, errno);
	struct stat st {};
	if (::fstat(fd.get(), &st) < 0)
		throw_os_error(link + ": fstat", errno);
	if (!S_ISCHR(st.st_mode))
		throw TransportError(link + ": not a character device", ENOTTY);
	return fd;
}

void ioctl_or_throw(int fd, unsigned long request, const void *arg, const std::string &what)
{
	if (::ioctl(fd, request, arg) < 0)
		throw_os_error(what, errno);
}

} // namespace

KdevSettings kdev_settings(const TransportUri &uri)
{
	const UriOptions options(uri, kKdevOptions);
	if (uri.path.empty())
		throw std::invalid_argument(
		    "transport URI '" + uri.text +
		    "': kdev: needs a device path, e.g. kdev:/dev/hashboard0");
	KdevSettings s;
	s.path = uri.path;
	if (const auto mode = options.text("mode")) {
		if (*mode == "raw")
			s.mode = KdevMode::raw;
		else if (*mode == "framed")
			s.mode = KdevMode::framed;
		else
			throw std::invalid_argument("transport URI '" + uri.text + "': mode '" +
			                            *mode + "': expected raw or framed");
	}
	if (const auto reply =
	        options.unsigned_value("reply", bm13xx::kReplyLen, bm13xx::kRollingReplyLen)) {
		if (*reply != bm13xx::kReplyLen && *reply != bm13xx::kRollingReplyLen)
			throw std::invalid_argument(
			    fmt::format("transport URI '{}': reply={}: expected {} or {}", uri.text,
			                *reply, bm13xx::kReplyLen, bm13xx::kRollingReplyLen));
		if (s.mode != KdevMode::framed)
			throw std::invalid_argument("transport URI '" + uri.text +
			                            "': reply= is for mode=framed (raw mode "
			                            "does not cut frames)");
		s.reply_len = static_cast<std::uint32_t>(*reply);
	}
	if (const auto n = options.unsigned_value("wake_records", 1, HASHBOARD_WAKEUP_MAX_RECORDS))
		s.wake_records = static_cast<std::uint32_t>(*n);
	if (const auto us = options.unsigned_value("wake_us", 1, HASHBOARD_WAKEUP_MAX_DELAY_US))
		s.wake_us = static_cast<std::uint32_t>(*us);
	// The kernel's rule: more than one record per wake-up needs a time bound, and a
	// time bound alone would change nothing.
	if (s.wake_records.value_or(1) > 1 && !s.wake_us)
		throw std::invalid_argument(fmt::format(
		    "transport URI '{}': wake_records={} needs wake_us= (a time bound, 1..{} us)",
		    uri.text, *s.wake_records, HASHBOARD_WAKEUP_MAX_DELAY_US));
	if (s.wake_us && s.wake_records.value_or(1) <= 1)
		throw std::invalid_argument("transport URI '" + uri.text +
		                            "': wake_us= is for wake_records= above 1");
	return s;
}

KdevTransport::KdevTransport(const KdevSettings &settings, const Clock &clock)
    : settings_(settings), clock_(clock), fd_(open_device(settings.path, link())),
      info_(query_info(fd_.get(), link())), baud_(info_.baud ? info_.baud : kResetHostBaud)
{
	// One process per chain, as on the tty: link.
	lock_exclusive(fd_.get(), link());
	hashboard_mode m{};
	m.size = sizeof m;
	m.mode = settings_.mode == KdevMode::raw ? HASHBOARD_MODE_RAW : HASHBOARD_MODE_FRAMED;
	m.reply_len = settings_.reply_len.value_or(bm13xx::kReplyLen);
	ioctl_or_throw(fd_.get(), HASHBOARD_IOC_SET_MODE, &m, link() + ": SET_MODE");
	// The first open resets the wake-up threshold; this process is the only opener.
	if (settings_.wake_records) {
		if (info_.abi_version < 2)
			throw TransportError(fmt::format("{}: wake_records= needs hashboard ABI 2 "
			                                 "(SET_WAKEUP); the module has {}",
			                                 link(), info_.abi_version),
			                     EOPNOTSUPP);
		hashboard_wakeup w{};
		w.size = sizeof w;
		w.min_records = *settings_.wake_records;
		w.max_delay_us = settings_.wake_us.value_or(0);
		ioctl_or_throw(fd_.get(), HASHBOARD_IOC_SET_WAKEUP, &w, link() + ": SET_WAKEUP");
	}
	// Chips come up at the reset baud whatever the line was left at.
	if (info_.has_baud && baud_ != kResetHostBaud)
		set_baud(kResetHostBaud);
	flush_input();
	records_.reserve(4096);
}

void KdevTransport::write(ByteSpan data)
{
	while (!data.empty()) {
		const auto chunk = data.first(std::min(data.size(), kMaxWrite));
		write_all(fd_.get(), chunk, FdKind::device, link());
		data = data.subspan(chunk.size());
	}
}

std::size_t KdevTransport::take(std::span<std::uint8_t> buf)
{
	const std::size_t n = std::min(buf.size(), leftover_.size() - leftover_head_);
	std::copy_n(leftover_.begin() + static_cast<std::ptrdiff_t>(leftover_head_), n,
	            buf.begin());
	leftover_head_ += n;
	if (leftover_head_ == leftover_.size()) {
		leftover_.clear();
		leftover_head_ = 0;
	}
	return n;
}

std::size_t KdevTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	if (buf.empty())
		return 0;
	if (leftover_head_ < leftover_.size())
		return take(buf);
	// Records take more room than their payload, so asking the kernel for no more than
	// buf.size() bytes of them means every payload fits and nothing is left over.
	const std::size_t ask = std::max(buf.size(), kdev_max_record_bytes());
	records_.resize(std::min<std::size_t>(ask, 16384));
	const std::size_t got = read_with_timeout(fd_.get(), records_, timeout, clock_, link());
	if (got == 0)
		return 0;
	// Every record carries at least one byte (decode refuses empty ones), so what was
	// read is never only headers.
	overruns_ += decode_kdev_records(ByteSpan(records_).first(got), leftover_).overruns;
	return take(buf);
}

void KdevTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	if (info_.has_baud) {
		if (baud < HASHBOARD_BAUD_MIN || baud > HASHBOARD_BAUD_MAX)
			throw std::invalid_argument(fmt::format("{}: {} Bd is outside the driver's "
			                                        "{}..{}",
			                                        link(), baud, HASHBOARD_BAUD_MIN,
			                                        HASHBOARD_BAUD_MAX));
		const std::uint32_t b = baud;
		ioctl_or_throw(fd_.get(), HASHBOARD_IOC_SET_BAUD, &b,
		               fmt::format("{}: cannot set {} Bd", link(), baud));
	}
	// SPI has no baud: the rate is recorded, as on spidev:.
	baud_ = baud;
}

void KdevTransport::flush_input()
{
	if (::ioctl(fd_.get(), HASHBOARD_IOC_FLUSH) < 0)
		throw_os_error(link() + ": FLUSH", errno);
	leftover_.clear();
	leftover_head_ = 0;
}

void KdevTransport::set_reset(bool asserted)
{
	if (!info_.has_reset)
		return Transport::set_reset(asserted);
	if (asserted) {
		if (!reset_since_)
			reset_since_ = clock_.now();
		return;
	}
	if (!reset_since_)
		return;
	const auto held =
	    std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - *reset_since_);
	reset_since_.reset();
	const auto ms = static_cast<std::uint32_t>(
	    std::clamp<std::int64_t>(held.count(), kMinReset, kMaxReset));
	ioctl_or_throw(fd_.get(), HASHBOARD_IOC_RESET, &ms, link() + ": RESET");
}

std::string KdevTransport::describe() const
{
	std::string s = fmt::format("kdev:{} @{} {}", settings_.path, baud_, info_.transport);
	if (settings_.mode == KdevMode::framed)
		s += fmt::format(" framed/{}", settings_.reply_len.value_or(bm13xx::kReplyLen));
	if (settings_.wake_records)
		s += fmt::format(" wake={}/{}us", *settings_.wake_records,
		                 settings_.wake_us.value_or(0));
	if (!info_.family.empty())
		s += " family=" + info_.family;
	return s;
}

std::unique_ptr<Transport> open_kdev_transport(const TransportUri &uri, Clock &clock)
{
	const auto settings = kdev_settings(uri);
	require_real_time(uri, clock);
	return std::make_unique<KdevTransport>(settings, clock);
}

} // namespace hashboard::transport
