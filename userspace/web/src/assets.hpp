// SPDX-License-Identifier: MIT
//
// The dashboard's files (userspace/web/assets/), built into the binary by
// embed_assets.cmake so a board serves them with nothing installed beside the daemon and
// no request leaves the board.
#pragma once

#include <span>
#include <string_view>

namespace hashboardd::web {

struct Asset {
	std::string_view path; // "/app.js"
	std::string_view type; // its Content-Type
	std::string_view body;
};

std::span<const Asset> assets();

} // namespace hashboardd::web
