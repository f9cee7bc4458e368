// SPDX-License-Identifier: MIT
//
// Blocking-with-timeout I/O on the non-blocking descriptors the tty and unix transports
// hold. Every failure is a hashboard::TransportError that names the link and keeps errno.
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hashboard::transport {

// Throws TransportError("<what>: <strerror(err)>", err).
[[noreturn]] void throw_os_error(const std::string &what, int err);

// Waits (real time, measured on clock so EINTR does not restart the wait) until fd is
// readable and reads what is there; 0 when the timeout passes. EOF, EIO and hangup are
// errors: the peer is gone. link names the link in messages.
std::size_t read_with_timeout(int fd, std::span<std::uint8_t> buf, Duration timeout,
                              const Clock &clock, std::string_view link);

// Writes every byte, waiting for room when the device is full; a device that takes
// nothing for write_stall_limit is an error. Sockets are written with MSG_NOSIGNAL so a
// closed peer is an error here, not a SIGPIPE for the whole process.
enum class FdKind { device, socket };
void write_all(int fd, ByteSpan data, FdKind kind, std::string_view link);

// Reads and drops whatever is readable now, without waiting.
void drain_input(int fd, std::string_view link);

// flock(LOCK_EX) without waiting: keeps out every program that asks (pyserial, minicom,
// another hbctl) and dies with its holder. A held lock is TransportError(EBUSY).
void lock_exclusive(int fd, std::string_view link);

} // namespace hashboard::transport
