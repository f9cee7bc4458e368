// SPDX-License-Identifier: MIT
//
// The open connections of one server, so stop() can close them all. Each connection
// registers for its lifetime (a Registration, RAII) and stop() closes every registered
// socket on the socket's own strand, never from a foreign thread.
#pragma once

#include <hashboardd/api/access_list.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace hashboardd::api {

class ConnectionRegistry {
public:
	class Registration {
	public:
		Registration(ConnectionRegistry &r, std::uint64_t id) : registry_(&r), id_(id) {}
		~Registration() { registry_->remove(id_); }
		Registration(const Registration &) = delete;
		Registration &operator=(const Registration &) = delete;

	private:
		ConnectionRegistry *registry_;
		std::uint64_t id_;
	};

	// Registers a connection whose socket socket_of(*conn) gives; nullptr when the
	// server is stopping or full (the caller closes it). The registry keeps only a weak
	// reference: a connection that ended is not kept alive by it.
	template <class Conn, class SocketOf>
	std::unique_ptr<Registration> add(const std::shared_ptr<Conn> &conn, SocketOf socket_of,
	                                  std::size_t max)
	{
		std::function<void()> closer = [weak = std::weak_ptr<Conn>(conn), socket_of] {
			if (auto c = weak.lock()) {
				auto &sock = socket_of(*c);
				boost::asio::post(sock.get_executor(), [c, socket_of] {
					boost::system::error_code ec;
					// NOLINTNEXTLINE(bugprone-unused-return-value): closing
					// anyway
					socket_of(*c).close(ec);
				});
			}
		};
		const std::lock_guard lock(mutex_);
		if (stopped_ || live_.size() >= max)
			return nullptr;
		const std::uint64_t id = next_++;
		live_[id] = std::move(closer);
		return std::make_unique<Registration>(*this, id);
	}

	// Closes every registered connection on its own strand; false when it was stopped
	// already.
	bool stop()
	{
		const std::lock_guard lock(mutex_);
		if (stopped_)
			return false;
		stopped_ = true;
		for (auto &[id, closer] : live_)
			closer();
		return true;
	}

private:
	void remove(std::uint64_t id)
	{
		const std::lock_guard lock(mutex_);
		live_.erase(id);
	}

	std::mutex mutex_;
	bool stopped_ = false;
	std::uint64_t next_ = 0;
	std::map<std::uint64_t, std::function<void()>> live_;
};

// The peer's address as the access lists read it; all zeros (in no list but ::/0)
// when the socket has no peer any more.
inline IpAddress peer_address(const boost::asio::ip::tcp::socket &s)
{
	boost::system::error_code ec;
	const auto ep = s.remote_endpoint(ec);
	IpAddress a;
	if (ec)
		return a;
	const auto addr = ep.address();
	if (addr.is_v4()) {
		const auto b = addr.to_v4().to_bytes();
		a.bytes[10] = 0xff;
		a.bytes[11] = 0xff;
		std::copy(b.begin(), b.end(), a.bytes.begin() + 12);
	} else {
		const auto b = addr.to_v6().to_bytes();
		std::copy(b.begin(), b.end(), a.bytes.begin());
	}
	return a;
}

} // namespace hashboardd::api
