// SPDX-License-Identifier: MIT
#include "spi_bus.hpp"

#include "fd_io.hpp"

#include <hashboard/transport.hpp>

#include <fcntl.h>
#include <linux/spi/spidev.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <stdexcept>

namespace hashboard::transport {

namespace {

void ioctl_or_throw(int fd, unsigned long request, void *arg, const std::string &what)
{
	int r;
	do
		r = ::ioctl(fd, request, arg);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		throw_os_error(what, errno);
}

} // namespace

SpidevBus::SpidevBus(std::string path, const SpiBusConfig &config)
    : path_(std::move(path)), speed_hz_(config.speed_hz)
{
	fd_.reset(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd_)
		throw_os_error("cannot open " + link(), errno);
	lock_exclusive(fd_.get(), link());
	std::uint8_t mode = config.mode;
	ioctl_or_throw(fd_.get(), SPI_IOC_WR_MODE, &mode,
	               link() + ": cannot set SPI mode " + std::to_string(mode));
	std::uint8_t bits = config.bits_per_word;
	ioctl_or_throw(fd_.get(), SPI_IOC_WR_BITS_PER_WORD, &bits,
	               link() + ": cannot set " + std::to_string(bits) + " bits per word");
	set_speed(config.speed_hz);
}

void SpidevBus::transfer(ByteSpan tx, std::span<std::uint8_t> rx)
{
	if (tx.size() != rx.size() || tx.size() > kSpidevMaxTransfer)
		throw std::invalid_argument(link() + ": a transfer moves 1 to " +
		                            std::to_string(kSpidevMaxTransfer) +
		                            " bytes each way, the same count both ways");
	if (tx.empty())
		return;
	spi_ioc_transfer t{};
	t.tx_buf = reinterpret_cast<std::uintptr_t>(tx.data());
	t.rx_buf = reinterpret_cast<std::uintptr_t>(rx.data());
	t.len = static_cast<std::uint32_t>(tx.size());
	t.speed_hz = speed_hz_;
	ioctl_or_throw(fd_.get(), SPI_IOC_MESSAGE(1), &t, link() + ": transfer");
}

void SpidevBus::set_speed(std::uint32_t hz)
{
	ioctl_or_throw(fd_.get(), SPI_IOC_WR_MAX_SPEED_HZ, &hz,
	               link() + ": cannot set the clock to " + std::to_string(hz) + " Hz");
	speed_hz_ = hz;
}

} // namespace hashboard::transport
