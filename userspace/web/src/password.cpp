// SPDX-License-Identifier: MIT
#include "password.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hashboardd::web {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// A stored count beyond this is not ours (and would stall a login for minutes).
constexpr unsigned long kMaxRounds = 10'000'000;

std::string to_hex(const unsigned char *p, std::size_t n)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string s;
	s.reserve(2 * n);
	for (std::size_t i = 0; i < n; ++i) {
		s.push_back(digits[p[i] >> 4]);
		s.push_back(digits[p[i] & 15]);
	}
	return s;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view s)
{
	if (s.size() % 2 != 0)
		return std::nullopt;
	std::vector<unsigned char> out;
	out.reserve(s.size() / 2);
	const auto nibble = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		return -1;
	};
	for (std::size_t i = 0; i < s.size(); i += 2) {
		const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		out.push_back(static_cast<unsigned char>(hi * 16 + lo));
	}
	return out;
}

std::vector<unsigned char> derive(std::string_view password, const std::vector<unsigned char> &salt,
                                  unsigned rounds)
{
	std::vector<unsigned char> out(kHashBytes);
	if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
	                      static_cast<int>(salt.size()), static_cast<int>(rounds), EVP_sha256(),
	                      static_cast<int>(out.size()), out.data()) != 1)
		throw std::runtime_error("PBKDF2 failed");
	return out;
}

} // namespace

std::string random_hex(std::size_t bytes)
{
	std::vector<unsigned char> b(bytes);
	if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
		throw std::runtime_error("no random bytes from OpenSSL");
	return to_hex(b.data(), b.size());
}

bool same_secret(std::string_view a, std::string_view b)
{
	return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> password_problem(std::string_view password)
{
	if (password.size() < kMinPasswordLength)
		return fmt::format("a password needs at least {} characters", kMinPasswordLength);
	if (password.size() > kMaxPasswordLength)
		return fmt::format("a password has at most {} characters", kMaxPasswordLength);
	for (const char c : password)
		if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			return std::string("a password cannot hold control characters");
	return std::nullopt;
}

std::string hash_password(std::string_view password, unsigned rounds)
{
	if (rounds == 0 || rounds > kMaxRounds)
		throw std::invalid_argument("password rounds out of range");
	std::vector<unsigned char> salt(kSaltBytes);
	if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
		throw std::runtime_error("no random bytes from OpenSSL");
	const auto hash = derive(password, salt, rounds);
	return fmt::format("{}${}${}${}", kScheme, rounds, to_hex(salt.data(), salt.size()),
	                   to_hex(hash.data(), hash.size()));
}

bool verify_password(std::string_view stored, std::string_view password)
{
	std::vector<std::string_view> parts;
	std::size_t start = 0;
	for (;;) {
		const auto at = stored.find('$', start);
		parts.push_back(stored.substr(start, at - start));
		if (at == std::string_view::npos)
			break;
		start = at + 1;
	}
	if (parts.size() != 4 || parts[0] != kScheme || parts[1].empty() || parts[1].size() > 8)
		return false;
	unsigned long rounds = 0;
	for (const char c : parts[1]) {
		if (c < '0' || c > '9')
			return false;
		rounds = rounds * 10 + static_cast<unsigned long>(c - '0');
	}
	const auto salt = from_hex(parts[2]);
	const auto hash = from_hex(parts[3]);
	if (rounds == 0 || rounds > kMaxRounds || !salt || salt->empty() || !hash ||
	    hash->size() != kHashBytes || password.size() > kMaxPasswordLength)
		return false;
	const auto again = derive(password, *salt, static_cast<unsigned>(rounds));
	return CRYPTO_memcmp(again.data(), hash->data(), kHashBytes) == 0;
}

std::optional<std::string> PasswordFile::load() const
{
	std::ifstream in(path_);
	if (!in) {
		if (errno == ENOENT)
			return std::nullopt;
		throw std::runtime_error(path_ + ": " + std::strerror(errno));
	}
	std::string line;
	std::getline(in, line, '\n');
	if (line.size() > 1024)
		throw std::runtime_error(path_ + ": not a password hash (too long)");
	if (line.empty())
		return std::nullopt;
	return line;
}

void PasswordFile::store(const std::string &hashed) const
{
	const std::string tmp = path_ + ".new";
	const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		throw std::runtime_error(tmp + ": " + std::strerror(errno));
	const std::string text = hashed + "\n";
	const bool ok =
	    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
	    ::fsync(fd) == 0;
	const int saved = errno;
	::close(fd);
	if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
		const int e = ok ? errno : saved;
		::unlink(tmp.c_str());
		throw std::runtime_error(path_ + ": " + std::strerror(e));
	}
}

} // namespace hashboardd::web
