// SPDX-License-Identifier: MIT
// The far ends that the transport tests hold: a pty pair, a listening unix socket (in a
// TempDir, temp_dir.hpp), and an echo peer that answers every byte with itself.
#pragma once

#include "temp_dir.hpp"
#include "transport/unique_fd.hpp"
#include "transport/unix_socket.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

namespace hbtest {

using hashboard::transport::UniqueFd;

// A pty pair: the test holds the master, the transport opens the slave by name.
struct Pty {
	UniqueFd master{::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)};
	std::string slave;
	Pty()
	{
		BOOST_TEST_REQUIRE(master.get() >= 0);
		BOOST_TEST_REQUIRE(::grantpt(master.get()) == 0);
		BOOST_TEST_REQUIRE(::unlockpt(master.get()) == 0);
		char name[128];
		BOOST_TEST_REQUIRE(::ptsname_r(master.get(), name, sizeof name) == 0);
		slave = name;
	}
};

// The HAL's own listening socket (what hbsim listens with); the test unlinks the path.
inline UniqueFd listen_unix(const std::string &path)
{
	return hashboard::transport::listen_unix_stream(path, 4);
}

// Writes every byte back to where it came from, on its own thread, until stopped or the
// descriptor reports end of file. Counts what it echoed so a test can wait for it.
class EchoPeer {
public:
	explicit EchoPeer(UniqueFd fd) : fd_(std::move(fd)), thread_([this] { run(); }) {}
	~EchoPeer() { close(); }
	EchoPeer(const EchoPeer &) = delete;
	EchoPeer &operator=(const EchoPeer &) = delete;

	std::size_t echoed() const { return echoed_; }
	int fd() const { return fd_.get(); }
	// Stops echoing and closes the far end: the transport's peer is gone.
	void close()
	{
		stop_ = true;
		if (thread_.joinable())
			thread_.join();
		fd_.reset();
	}

private:
	void run()
	{
		std::uint8_t buf[512];
		while (!stop_) {
			pollfd p{fd_.get(), POLLIN, 0};
			if (::poll(&p, 1, 10) <= 0)
				continue;
			const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			// A pty master reads EIO while no slave is open (before the transport
			// opens it): wait for one rather than give up.
			if (n < 0 && errno == EIO) {
				::usleep(1000);
				continue;
			}
			if (n <= 0)
				return;
			for (ssize_t done = 0; done < n;) {
				const ssize_t w =
				    ::write(fd_.get(), buf + done, std::size_t(n - done));
				if (w <= 0)
					return;
				done += w;
			}
			echoed_ += std::size_t(n);
		}
	}

	UniqueFd fd_;
	std::atomic<bool> stop_{false};
	std::atomic<std::size_t> echoed_{0};
	std::thread thread_;
};

} // namespace hbtest
