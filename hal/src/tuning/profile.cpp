// SPDX-License-Identifier: MIT
// Saved tune profiles (profile.hpp): one TOML file per board serial, read back through
// the same TableReader as the board files so an edited or damaged profile is refused
// at its line and key, never applied half-read.
#include <hashboard/config_file.hpp>
#include <hashboard/tuning/profile.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace hashboard {
namespace {

using config::TableReader;

constexpr std::size_t kMaxSerial = 64;
// 256 chains of 256 chips at ~20 bytes a frequency is ~1.3 MiB: anything larger is
// not a profile.
constexpr std::size_t kMaxProfileBytes = 4u << 20;
// Ranges a tune result can have; a value outside is a damaged or hand-edited file.
constexpr double kMaxMhz = 10000;
constexpr double kMaxMv = 5000;
constexpr double kMaxWatts = 1e6;
constexpr double kMaxThs = 1e6;
constexpr double kMaxJPerTh = 1e6;
constexpr double kMaxTempC = 200;

bool serial_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

std::string utc_now_iso8601()
{
	const std::time_t t =
	    std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
	std::tm tm{};
	::gmtime_r(&t, &tm);
	char buf[32];
	std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

// Refuses what load_profile would refuse, so a profile written is one that reads back.
void check_saveable(const TuneProfile &p, const std::string &file)
{
	const auto bad = [&](const std::string &what) {
		throw std::runtime_error(file + ": not saved: " + what);
	};
	const auto in = [](double v, double lo, double hi) {
		return std::isfinite(v) && v >= lo && v <= hi;
	};
	if (p.board.empty())
		bad("no board name");
	if (!in(p.hashrate_ths, 0, kMaxThs) || !in(p.power_w, 0, kMaxWatts) ||
	    !in(p.j_per_th, 0, kMaxJPerTh))
		bad(fmt::format("hashrate {:g} TH/s, power {:g} W, {:g} J/TH out of range",
		                p.hashrate_ths, p.power_w, p.j_per_th));
	if (p.rail_mv.empty() || p.chip_mhz.empty())
		bad("no rails or no chains");
	for (const auto &[name, mv] : p.rail_mv)
		if (name.empty() || !in(mv, 1, kMaxMv))
			bad(fmt::format("rail '{}': {:g} mV", name, mv));
	for (const auto &[id, mhz] : p.chip_mhz) {
		if (id > 255 || mhz.empty())
			bad(fmt::format("chain {}: no chips", id));
		for (double f : mhz)
			if (!in(f, 1, kMaxMhz))
				bad(fmt::format("chain {}: {:g} MHz", id, f));
	}
	const TuneGoal &g = p.goal;
	if ((g.power_limit_w && !in(*g.power_limit_w, 1, kMaxWatts)) ||
	    (g.temp_ceiling_c && !in(*g.temp_ceiling_c, 0, kMaxTempC)) ||
	    !in(g.min_ths, 0, kMaxThs) || !in(g.heat_w, 0, kMaxWatts) || !in(g.fan_cap, 0, 1) ||
	    g.fan_cap == 0 || !in(g.fixed_mhz, 0, kMaxMhz))
		bad("a goal value out of range");
}

toml::table to_toml(const TuneProfile &p)
{
	toml::table goal;
	if (p.goal.power_limit_w)
		goal.insert("power_limit_w", *p.goal.power_limit_w);
	goal.insert("min_ths", p.goal.min_ths);
	if (p.goal.temp_ceiling_c)
		goal.insert("temp_ceiling_c", *p.goal.temp_ceiling_c);
	goal.insert("heat_w", p.goal.heat_w);
	goal.insert("fan_cap", p.goal.fan_cap);
	goal.insert("fixed_mhz", p.goal.fixed_mhz);

	toml::table rails;
	for (const auto &[name, mv] : p.rail_mv)
		rails.insert(name, mv);

	toml::array chains;
	for (const auto &[id, mhz] : p.chip_mhz) {
		toml::array freqs;
		for (double f : mhz)
			freqs.push_back(f);
		chains.push_back(toml::table{{"id", std::int64_t(id)}, {"mhz", std::move(freqs)}});
	}

	return toml::table{
	    {"serial", p.serial},
	    {"board", p.board},
	    {"mode", std::string(tune_mode_name(p.mode))},
	    {"saved_at", p.saved_at},
	    {"hashrate_ths", p.hashrate_ths},
	    {"power_w", p.power_w},
	    {"j_per_th", p.j_per_th},
	    {"goal", std::move(goal)},
	    {"rails", std::move(rails)},
	    {"chain", std::move(chains)},
	};
}

// The temporary file beside the profile: removed unless it was renamed into place.
class TempFile {
public:
	explicit TempFile(const std::filesystem::path &target)
	    : path_(
	          (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string())
	{
		fd_ = ::mkstemp(path_.data());
		if (fd_ < 0)
			throw std::runtime_error(path_ +
			                         ": cannot create: " + std::strerror(errno));
	}
	~TempFile()
	{
		if (fd_ >= 0)
			::close(fd_);
		if (!renamed_)
			::unlink(path_.c_str());
	}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;

	void write_all(std::string_view text)
	{
		// mkstemp makes it 0600; a profile is no secret and the daemon may run as
		// another user.
		if (::fchmod(fd_, 0644) != 0)
			fail("cannot set its mode");
		while (!text.empty()) {
			const ssize_t n = ::write(fd_, text.data(), text.size());
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				fail("cannot write");
			text.remove_prefix(std::size_t(n));
		}
		if (::fsync(fd_) != 0)
			fail("cannot write");
		const int fd = fd_;
		fd_ = -1;
		if (::close(fd) != 0)
			fail("cannot write");
	}
	void rename_to(const std::filesystem::path &target)
	{
		if (::rename(path_.c_str(), target.c_str()) != 0)
			throw std::runtime_error(target.string() +
			                         ": cannot replace: " + std::strerror(errno));
		renamed_ = true;
	}

private:
	[[noreturn]] void fail(const char *what)
	{
		throw std::runtime_error(path_ + ": " + what + ": " + std::strerror(errno));
	}
	std::string path_;
	int fd_ = -1;
	bool renamed_ = false;
};

double positive(TableReader &t, std::string_view key, double max)
{
	const double v = t.number(key, 0, max);
	if (!(v > 0))
		t.fail(key, "must be above 0");
	return v;
}

TuneGoal read_goal(TableReader &t, TuneMode mode)
{
	TuneGoal g;
	g.mode = mode;
	if (t.has("power_limit_w"))
		g.power_limit_w = positive(t, "power_limit_w", kMaxWatts);
	g.min_ths = t.number("min_ths", 0, kMaxThs);
	g.temp_ceiling_c = t.optional_number("temp_ceiling_c", 0, kMaxTempC);
	g.heat_w = t.number("heat_w", 0, kMaxWatts);
	g.fan_cap = positive(t, "fan_cap", 1);
	g.fixed_mhz = t.number("fixed_mhz", 0, kMaxMhz);
	t.finish();
	return g;
}

std::map<std::string, double> read_rails(TableReader &root, const toml::table &raw)
{
	std::map<std::string, double> out;
	auto rails = root.optional_table("rails");
	if (!rails)
		root.missing("rails");
	for (auto &&[k, v] : *raw["rails"].as_table())
		out.emplace(std::string(k.str()), rails->number(k.str(), 1, kMaxMv));
	if (out.empty())
		rails->fail_at(rails->source(), rails->path(), "no rails");
	rails->finish();
	return out;
}

std::map<unsigned, std::vector<double>> read_chains(TableReader &root)
{
	std::map<unsigned, std::vector<double>> out;
	auto chains = root.table_array("chain");
	if (chains.empty())
		root.missing("chain");
	for (auto &c : chains) {
		const auto id = unsigned(c.integer("id", 0, 255));
		if (out.contains(id))
			c.fail("id", "chain " + std::to_string(id) + " appears twice");
		if (!c.has("mhz"))
			c.missing("mhz");
		auto mhz = c.numbers("mhz", 1, kMaxMhz);
		if (mhz.empty())
			c.fail("mhz", "must not be empty");
		out.emplace(id, std::move(mhz));
		c.finish();
	}
	return out;
}

} // namespace

void check_serial(std::string_view serial)
{
	if (serial.empty() || serial.size() > kMaxSerial || serial.front() == '.')
		throw std::invalid_argument(
		    "serial '" + std::string(serial.substr(0, kMaxSerial + 1)) +
		    "': 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.'");
	for (char c : serial)
		if (!serial_char(c))
			throw std::invalid_argument(
			    "serial '" + std::string(serial) +
			    "': only A-Z a-z 0-9 . _ - (a serial names a file)");
}

std::filesystem::path profile_path(const std::filesystem::path &dir, std::string_view serial)
{
	check_serial(serial);
	return dir / (std::string(serial) + ".toml");
}

TuneProfile profile_from_result(const TuneResult &result, std::string serial, std::string board,
                                const TuneGoal &goal)
{
	check_serial(serial);
	TuneProfile p;
	p.serial = std::move(serial);
	p.board = std::move(board);
	p.mode = result.mode;
	p.goal = goal;
	p.goal.mode = result.mode;
	p.saved_at = utc_now_iso8601();
	p.rail_mv = result.rail_mv;
	p.chip_mhz = result.chip_mhz;
	p.hashrate_ths = result.hashrate_ths;
	p.power_w = result.power_w;
	p.j_per_th = result.j_per_th;
	return p;
}

void save_profile(const std::filesystem::path &file, const TuneProfile &profile)
{
	const std::string name = file.string();
	try {
		check_serial(profile.serial);
	} catch (const std::invalid_argument &e) {
		throw std::runtime_error(name + ": not saved: " + e.what());
	}
	check_saveable(profile, name);
	std::ostringstream text;
	text << "# hashboard tune profile (docs/tuning.md); written by hbctl tune\n"
	     << to_toml(profile) << "\n";

	std::error_code ec;
	const auto dir =
	    file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
	std::filesystem::create_directories(dir, ec);
	if (ec)
		throw std::runtime_error(dir.string() + ": cannot create: " + ec.message());
	TempFile tmp(dir / file.filename());
	tmp.write_all(text.str());
	tmp.rename_to(file);
}

TuneProfile load_profile(const std::filesystem::path &file)
{
	const std::string name = file.string();
	const toml::table raw = config::parse_toml(
	    config::read_text_file(file, kMaxProfileBytes, "tune profile"), name, "a tune profile");
	TableReader root(raw, "", name);
	TuneProfile p;
	p.serial = root.string("serial");
	try {
		check_serial(p.serial);
	} catch (const std::invalid_argument &e) {
		root.fail("serial", e.what());
	}
	p.board = root.string("board");
	const std::string mode = root.string("mode");
	try {
		p.mode = parse_tune_mode(mode);
	} catch (const std::invalid_argument &e) {
		root.fail("mode", e.what());
	}
	p.saved_at = root.string("saved_at");
	p.hashrate_ths = root.number("hashrate_ths", 0, kMaxThs);
	p.power_w = root.number("power_w", 0, kMaxWatts);
	p.j_per_th = root.number("j_per_th", 0, kMaxJPerTh);
	auto goal = root.optional_table("goal");
	if (!goal)
		root.missing("goal");
	p.goal = read_goal(*goal, p.mode);
	p.rail_mv = read_rails(root, raw);
	p.chip_mhz = read_chains(root);
	root.finish();
	return p;
}

} // namespace hashboard
