// SPDX-License-Identifier: MIT
#include "web_sessions.hpp"

#include "password.hpp"

#include <algorithm>

namespace hashboardd::web {

namespace {
constexpr std::size_t kSecretBytes = 32;
}

std::pair<std::string, std::string> WebSessions::open(hashboard::Duration now)
{
	expire(now);
	while (!sessions_.empty() && sessions_.size() >= max_) {
		const auto oldest = std::min_element(
		    sessions_.begin(), sessions_.end(), [](const auto &a, const auto &b) {
			    return a.second.last_used < b.second.last_used;
		    });
		sessions_.erase(oldest);
	}
	std::string id = random_hex(kSecretBytes);
	std::string csrf = random_hex(kSecretBytes);
	sessions_[id] = WebSession{csrf, now};
	return {std::move(id), std::move(csrf)};
}

const WebSession *WebSessions::find(std::string_view id, hashboard::Duration now)
{
	expire(now);
	const auto it = sessions_.find(id);
	if (it == sessions_.end())
		return nullptr;
	it->second.last_used = now;
	return &it->second;
}

void WebSessions::expire(hashboard::Duration now)
{
	std::erase_if(sessions_,
	              [&](const auto &s) { return now - s.second.last_used > idle_timeout_; });
}

std::optional<hashboard::Duration> LoginThrottle::blocked(hashboard::Duration now) const
{
	if (failures_ < max_ || now - first_failure_ >= window_)
		return std::nullopt;
	return window_ - (now - first_failure_);
}

void LoginThrottle::failed(hashboard::Duration now)
{
	if (failures_ == 0 || now - first_failure_ >= window_) {
		failures_ = 0;
		first_failure_ = now;
	}
	++failures_;
}

} // namespace hashboardd::web
