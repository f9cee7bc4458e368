// SPDX-License-Identifier: MIT
// hwmon temperature and PWM fan against a fake sysfs tree in a temporary directory: the
// same file-reading code that runs on /sys/class/hwmon.
#include <boost/test/unit_test.hpp>

#include "devices/hwmon.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace hashboard;
namespace fs = std::filesystem;

namespace {

// A throwaway /sys/class/hwmon look-alike.
struct FakeSysfs {
	fs::path root;
	FakeSysfs()
	{
		std::string tmpl = (fs::temp_directory_path() / "hb-hwmon-XXXXXX").string();
		BOOST_TEST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
		root = tmpl;
	}
	~FakeSysfs()
	{
		std::error_code ec;
		fs::remove_all(root, ec);
	}
	fs::path device(const std::string &dir, const std::string &name)
	{
		fs::create_directories(root / dir);
		write(root / dir / "name", name + "\n");
		return root / dir;
	}
	static void write(const fs::path &file, const std::string &text)
	{
		std::ofstream(file) << text;
	}
	static std::string read(const fs::path &file)
	{
		std::ifstream in(file);
		std::string s;
		std::getline(in, s);
		return s;
	}
};

template <class F> std::string error_of(F &&f)
{
	try {
		f();
	} catch (const DeviceError &e) {
		return e.what();
	}
	return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(temperature_reads_millidegrees)
{
	FakeSysfs sys;
	const auto dir = sys.device("hwmon0", "lm75");
	sys.write(dir / "temp1_input", "45250\n");
	HwmonTemperature t("inlet", dir / "temp1_input");
	BOOST_TEST(t.read_celsius() == 45.25);
	sys.write(dir / "temp1_input", "-5000\n");
	BOOST_TEST(t.read_celsius() == -5.0);
	sys.write(dir / "temp1_input", "garbage\n");
	BOOST_TEST(error_of([&] { t.read_celsius(); }).find("inlet") != std::string::npos);
	fs::remove(dir / "temp1_input");
	const std::string gone = error_of([&] { t.read_celsius(); });
	BOOST_TEST(gone.find("temp1_input") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_input_fails_at_construction)
{
	FakeSysfs sys;
	const auto dir = sys.device("hwmon0", "lm75");
	try {
		HwmonTemperature t("inlet", dir / "temp3_input");
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("temp3_input") != std::string::npos);
		BOOST_TEST(e.error_number() == ENOENT);
	}
}

BOOST_AUTO_TEST_CASE(hwmon_devices_are_found_by_name)
{
	FakeSysfs sys;
	sys.device("hwmon0", "acpitz");
	const auto two = sys.device("hwmon2", "tmp75");
	const auto ten = sys.device("hwmon10", "tmp75");
	fs::create_directories(sys.root / "hwmon3"); // no name attribute
	sys.write(two / "temp1_input", "30000");
	sys.write(ten / "temp2_input", "61500");

	BOOST_TEST(find_hwmon_by_name("tmp75", sys.root) == two); // hwmon2 before hwmon10
	auto t = HwmonTemperature::by_hwmon_name("asic", "tmp75", 1, sys.root);
	BOOST_TEST(t->read_celsius() == 30.0);
	BOOST_TEST(t->name() == "asic");

	const std::string none = error_of([&] { find_hwmon_by_name("emc2101", sys.root); });
	BOOST_TEST(none.find("emc2101") != std::string::npos);
	BOOST_TEST(none.find("acpitz") != std::string::npos); // says what is there
	BOOST_CHECK_THROW(HwmonTemperature::by_hwmon_name("asic", "tmp75", 2, sys.root),
	                  DeviceError); // hwmon2 has no temp2_input
	BOOST_CHECK_THROW(find_hwmon_by_name("x", sys.root / "absent"), DeviceError);
}

BOOST_AUTO_TEST_CASE(pwm_fan_takes_manual_control_and_gives_it_back)
{
	FakeSysfs sys;
	const auto dir = sys.device("hwmon1", "pwmfan");
	sys.write(dir / "pwm1_enable", "2\n");
	sys.write(dir / "pwm1", "128\n");
	sys.write(dir / "fan1_input", "1500\n");
	{
		HwmonPwmFan fan("fan0", dir, 1, 1);
		BOOST_TEST(sys.read(dir / "pwm1_enable") == "1");
		BOOST_TEST(fan.duty() == 128.0 / 255.0);
		fan.set_duty(0.5);
		BOOST_TEST(sys.read(dir / "pwm1") == "128");
		fan.set_duty(2.0);
		BOOST_TEST(sys.read(dir / "pwm1") == "255");
		BOOST_TEST(fan.duty() == 1.0);
		fan.set_duty(-0.5);
		BOOST_TEST(sys.read(dir / "pwm1") == "0");
		BOOST_TEST(fan.rpm() == 1500.0);
		sys.write(dir / "fan1_input", "0\n");
		BOOST_TEST(fan.rpm() == 0.0);
		fs::remove(dir / "fan1_input");
		const std::string err = error_of([&] { fan.rpm(); });
		BOOST_TEST(err.find("fan0") != std::string::npos);
		BOOST_TEST(err.find("fan1_input") != std::string::npos);
	}
	BOOST_TEST(sys.read(dir / "pwm1_enable") == "2");
}

BOOST_AUTO_TEST_CASE(pwm_fan_without_its_files_or_tach)
{
	FakeSysfs sys;
	const auto dir = sys.device("hwmon1", "pwmfan");
	sys.write(dir / "pwm1", "0\n");
	const std::string err = error_of([&] { HwmonPwmFan("fan0", dir, 1, 1); });
	BOOST_TEST(err.find("pwm1_enable") != std::string::npos);

	sys.write(dir / "pwm1_enable", "1\n");
	HwmonPwmFan fan("fan0", dir, 1, 0);
	BOOST_CHECK_THROW(fan.rpm(), DeviceError);
	BOOST_CHECK_THROW(HwmonPwmFan("fan0", dir, 0, 0), std::invalid_argument);
}
