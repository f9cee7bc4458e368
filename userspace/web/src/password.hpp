// SPDX-License-Identifier: MIT
//
// The dashboard's one password, stored hashed: PBKDF2-HMAC-SHA256 (OpenSSL, which the
// daemon links for Stratum over TLS) with a random 16-byte salt, written as
//   pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>
// so the iteration count can grow without breaking stored passwords.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hashboardd::web {

// 100 000 rounds: about 40 ms on an x86 core and a few hundred ms on the small ARM
// control boards, paid once per login (OWASP asks more for servers; these are not).
inline constexpr unsigned kDefaultPasswordRounds = 100'000;
inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;

std::string hash_password(std::string_view password, unsigned rounds = kDefaultPasswordRounds);
// False for a wrong password and for a stored text that is not one of ours.
bool verify_password(std::string_view stored, std::string_view password);
// Why a new password is refused, or nothing.
std::optional<std::string> password_problem(std::string_view password);

// Random bytes from OpenSSL's CSPRNG, as lower-case hex (session ids, CSRF tokens).
std::string random_hex(std::size_t bytes);
// Equal in time that does not depend on where they differ.
bool same_secret(std::string_view a, std::string_view b);

// The password file (the daemon's state directory): read and written whole; written
// to a temporary file and renamed, mode 0600, so a crash leaves the old one or the new.
class PasswordFile {
public:
	explicit PasswordFile(std::string path) : path_(std::move(path)) {}
	const std::string &path() const { return path_; }
	// The stored hash; nothing when there is no file yet (first start). Throws
	// std::runtime_error when the file exists but cannot be read.
	std::optional<std::string> load() const;
	void store(const std::string &hashed) const;

private:
	std::string path_;
};

} // namespace hashboardd::web
