#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make install into a DESTDIR, then what a user of the install does: every file in its
# place, a program built against libhashboard through its CMake package and through
# pkg-config, and both run.
#   check_install.sh <source-dir> <build-dir>
set -euo pipefail
src=$1
build=$2
dest=$(mktemp -d /tmp/hbinstall-XXXXXX)
trap 'rm -rf "$dest"' EXIT
prefix=/usr/local
DESTDIR=$dest cmake --install "$build" --prefix "$prefix" >"$dest.log" 2>&1 || {
	cat "$dest.log"
	exit 1
}
rm -f "$dest.log"
root=$dest$prefix
for f in bin/hashboardd bin/hbctl bin/hbsim lib/systemd/system/hashboardd.service \
	lib/sysusers.d/hashboardd.conf etc/hashboardd/hashboardd.toml \
	lib/udev/rules.d/60-hashboard.rules lib/udev/rules.d/61-hashboard-fixtures.rules \
	share/hashboard/boards/hashboardd-sim.toml share/hashboard/plans/default.toml \
	include/hashboard/chain.hpp include/hashboard/board/board.hpp include/hbsim/sim_chain.hpp \
	lib/pkgconfig/hashboard.pc lib/cmake/hashboard/hashboardConfig.cmake \
	lib/libhashboard.a; do
	[[ -e $root/$f ]] || {
		echo "missing after install: $prefix/$f"
		exit 1
	}
done
grep -q "^ExecStart=$prefix/bin/hashboardd --config $prefix/etc/hashboardd/hashboardd.toml" \
	"$root/lib/systemd/system/hashboardd.service"
# The installed default config is one the daemon accepts.
"$root/bin/hashboardd" --config "$root/etc/hashboardd/hashboardd.toml" --check-config

consumer=$dest/consumer
mkdir -p "$consumer"
cat >"$consumer/main.cpp" <<'CPP'
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>
#include <cstdio>
int main()
{
	const auto &f = hashboard::family_by_name("bm1366");
	hashboard::SyntheticWorkSource work(1);
	std::printf("%.*s %u\n", int(f.name.size()), f.name.data(), unsigned(work.next().id));
	return 0;
}
CPP
cat >"$consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(hashboard 0.1 CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE hashboard::hashboard)
CMAKE
cmake -S "$consumer" -B "$consumer/build" -G Ninja -DCMAKE_PREFIX_PATH="$root" >/dev/null
cmake --build "$consumer/build" >/dev/null
[[ $("$consumer/build/consumer") == "bm1366 1" ]]
echo "install: find_package(hashboard) builds and runs"

flags=$(PKG_CONFIG_PATH=$root/lib/pkgconfig pkg-config --define-prefix --cflags --libs hashboard)
g++ -o "$consumer/pc-consumer" "$consumer/main.cpp" $flags
[[ $("$consumer/pc-consumer") == "bm1366 1" ]]
echo "install: pkg-config hashboard builds and runs"
