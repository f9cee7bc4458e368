// SPDX-License-Identifier: MIT
//
// I/O on non-blocking stream descriptors, for both ends of a link: the HAL's tty and
// unix transports wait with a timeout and throw hashboard::TransportError (naming the
// link, errno kept); hbsim's ports and control socket take what is there now and see a
// peer that is gone. Both go through the one attempt below, so EINTR, EAGAIN, end of
// file and hangup are told apart in one place.
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>

namespace hashboard::transport {

// Throws TransportError("<what>: <strerror(err)>", err).
[[noreturn]] void throw_os_error(const std::string &what, int err);

timespec to_timespec(Duration d);

// Sockets are written with MSG_NOSIGNAL so a closed peer is an error, not a SIGPIPE for
// the whole process.
enum class FdKind { device, socket };

// One read or write, retried on EINTR only.
struct IoAttempt {
	std::size_t bytes = 0; // moved; 0 with neither flag: nothing now (EAGAIN)
	bool closed = false;   // end of file: the peer is gone
	int error = 0;         // errno of a failure (EIO, EPIPE, ECONNRESET, ...)
	bool would_block() const { return bytes == 0 && !closed && error == 0; }
};
IoAttempt read_now(int fd, std::span<std::uint8_t> buf);
IoAttempt write_now(int fd, ByteSpan data, FdKind kind);

// What a wait for input found: bytes, nothing before the timeout (0 bytes, the link
// up), or the peer gone: `ended` says how ("peer closed the link (end of file)", "peer
// hung up"), empty while the link is up.
struct Received {
	std::size_t bytes = 0;
	std::string_view ended;
};
// Waits (real time, measured on clock so EINTR does not restart the wait) until fd is
// readable and reads what is there. Failures other than the peer's going throw; link
// names the link in messages.
Received read_or_end(int fd, std::span<std::uint8_t> buf, Duration timeout, const Clock &clock,
                     std::string_view link);
// As read_or_end, and a peer that is gone is an error too; 0 when the timeout passes.
std::size_t read_with_timeout(int fd, std::span<std::uint8_t> buf, Duration timeout,
                              const Clock &clock, std::string_view link);

// Writes every byte, waiting for room when the device is full; a device that takes
// nothing for write_stall_limit is an error.
void write_all(int fd, ByteSpan data, FdKind kind, std::string_view link);

// Reads and drops whatever is readable now, without waiting.
void drain_input(int fd, std::string_view link);

// flock(LOCK_EX) without waiting: keeps out every program that asks (pyserial, minicom,
// another hbctl) and dies with its holder. A held lock is TransportError(EBUSY).
void lock_exclusive(int fd, std::string_view link);

} // namespace hashboard::transport
