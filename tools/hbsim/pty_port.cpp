// SPDX-License-Identifier: MIT
#include "pty_port.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace hbsim_tool {

namespace {

// What the host finds when it opens the slave: a raw line at the rate a host opens at.
constexpr std::uint32_t kIdleBaud = hashboard::kResetHostBaud;

// what() is "<what>: <strerror(err)>"; code() keeps the errno.
std::system_error os_error(const std::string &what, int err)
{
	return std::system_error(err, std::generic_category(), what);
}

} // namespace

PtyPort::PtyPort()
{
	master_.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
	if (!master_)
		throw os_error("posix_openpt", errno);
	if (::grantpt(master_.get()) < 0 || ::unlockpt(master_.get()) < 0)
		throw os_error("cannot unlock the pty", errno);
	std::array<char, 128> name{};
	if (int err = ::ptsname_r(master_.get(), name.data(), name.size()))
		throw os_error("ptsname", err);
	slave_path_ = name.data();

	UniqueFd slave(::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (!slave)
		throw os_error("cannot open " + slave_path_, errno);
	if (int err = termios2::make_raw(slave.get(), kIdleBaud))
		throw os_error("cannot make " + slave_path_ + " raw", err);
}

bool PtyPort::host_present()
{
	pollfd p{master_.get(), POLLIN, 0};
	if (::poll(&p, 1, 0) < 0 && errno != EINTR)
		throw os_error("poll on the pty master", errno);
	present_ = !(p.revents & POLLHUP);
	return present_;
}

std::optional<std::uint32_t> PtyPort::host_baud() const
{
	std::uint32_t baud = 0;
	if (termios2::get_baud(master_.get(), baud) != 0 || baud == 0)
		return std::nullopt;
	return baud;
}

std::size_t PtyPort::read(std::span<std::uint8_t> buf)
{
	const auto a = hashboard::transport::read_now(master_.get(), buf);
	// EIO: the host closed the slave.
	if (a.closed || a.error)
		present_ = false;
	return a.bytes;
}

std::size_t PtyPort::write(hashboard::ByteSpan data)
{
	const auto a = hashboard::transport::write_now(master_.get(), data,
	                                               hashboard::transport::FdKind::device);
	if (a.error)
		present_ = false;
	return a.bytes;
}

void PtyPort::host_left()
{
	// The next host starts from a raw line at the reset baud, whatever this one left,
	// and finds none of this session's bytes.
	termios2::make_raw(master_.get(), kIdleBaud);
	termios2::flush_input_and_output(master_.get());
}

} // namespace hbsim_tool
