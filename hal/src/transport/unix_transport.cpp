// SPDX-License-Identifier: MIT
#include "unix_transport.hpp"

#include "unix_socket.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

namespace hashboard::transport {

namespace {

enum class Opening { undecided, busy, chain };

Opening judge(const Bytes &held)
{
	const std::string_view prefix = hbsim_control::kBusyPrefix;
	const std::size_t n = std::min(held.size(), prefix.size());
	if (!std::equal(held.begin(), held.begin() + std::ptrdiff_t(n), prefix.begin(),
	                [](std::uint8_t b, char c) { return b == std::uint8_t(c); }))
		return Opening::chain;
	return held.size() >= prefix.size() ? Opening::busy : Opening::undecided;
}

// The peer's words go into a message: printable ASCII only, up to the end of the line.
std::string printable_line(const Bytes &bytes)
{
	std::string out;
	for (const std::uint8_t b : bytes) {
		if (b == '\n' || out.size() >= hbsim_control::kMaxLine)
			break;
		out += b >= 0x20 && b < 0x7F ? char(b) : '?';
	}
	return out;
}

} // namespace

UnixTransport::UnixTransport(std::string path, std::optional<std::string> reset_socket,
                             const Clock &clock)
    : StreamTransport({"unix", path, "unix socket", FdKind::socket}, connect_unix_stream(path),
                      std::move(reset_socket), clock)
{
}

void UnixTransport::settle_opening(Duration timeout)
{
	const Duration start = clock().now();
	std::array<std::uint8_t, hbsim_control::kMaxLine> chunk;
	for (;;) {
		switch (judge(held_)) {
		case Opening::chain:
			opening_ = false;
			return;
		case Opening::busy:
			throw_busy();
		case Opening::undecided:
			break;
		}
		const Duration left = std::max(timeout - (clock().now() - start), Duration::zero());
		const Received r = read_or_end(fd(), chunk, left, clock(), link());
		held_.insert(held_.end(), chunk.begin(), chunk.begin() + std::ptrdiff_t(r.bytes));
		if (r.bytes)
			continue;
		if (r.ended.empty())
			return; // the timeout passed, still undecided
		// The peer left after less than the busy line: what came is the chain's.
		if (held_.empty())
			throw TransportError(link() + ": " + std::string(r.ended));
		opening_ = false;
		return;
	}
}

void UnixTransport::throw_busy()
{
	if (!busy_) {
		// hbsim writes the line whole before it closes: the rest of it is here already.
		std::array<std::uint8_t, hbsim_control::kMaxLine> chunk;
		while (held_.size() < hbsim_control::kMaxLine &&
		       std::find(held_.begin(), held_.end(), '\n') == held_.end()) {
			const IoAttempt a = read_now(fd(), chunk);
			if (!a.bytes)
				break;
			held_.insert(held_.end(), chunk.begin(),
			             chunk.begin() + std::ptrdiff_t(a.bytes));
		}
		busy_ = link() + ": " + printable_line(held_);
		held_.clear();
	}
	throw TransportError(*busy_, EBUSY);
}

void UnixTransport::write(ByteSpan data)
{
	if (busy_)
		throw_busy();
	try {
		StreamTransport::write(data);
	} catch (const TransportError &) {
		// hbsim may have turned this host away before it wrote: its line says why the
		// write failed better than EPIPE does.
		if (opening_ && judge(held_) == Opening::undecided) {
			std::array<std::uint8_t, hbsim_control::kMaxLine> chunk;
			const IoAttempt a = read_now(fd(), chunk);
			held_.insert(held_.end(), chunk.begin(),
			             chunk.begin() + std::ptrdiff_t(a.bytes));
			if (judge(held_) == Opening::busy)
				throw_busy();
		}
		throw;
	}
}

std::size_t UnixTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	if (busy_)
		throw_busy();
	if (buf.empty())
		return 0;
	if (opening_)
		settle_opening(timeout);
	if (opening_)
		return 0;
	if (held_.empty())
		return StreamTransport::read(buf, timeout);
	const std::size_t n = std::min(buf.size(), held_.size());
	std::copy_n(held_.begin(), n, buf.begin());
	held_.erase(held_.begin(), held_.begin() + std::ptrdiff_t(n));
	return n;
}

void UnixTransport::flush_input()
{
	if (busy_)
		throw_busy();
	if (opening_)
		settle_opening(Duration::zero());
	held_.clear();
	drain_input(fd(), link());
}

std::unique_ptr<Transport> open_unix_transport(const TransportUri &uri, Clock &clock)
{
	auto s = parse_stream_uri(uri, "a socket path, e.g. unix:/run/hbsim.sock", clock);
	return std::make_unique<UnixTransport>(std::move(s.path), std::move(s.reset_socket), clock);
}

} // namespace hashboard::transport
