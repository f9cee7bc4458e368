// SPDX-License-Identifier: MIT
// hbctl tune --plot: one self-contained SVG (no scripts, no external fonts) of a tune:
// the per-chip frequency map beside hashrate and J/TH against the rail voltage.
#pragma once

#include <hashboard/tuning/tuner.hpp>

#include <string>
#include <string_view>

namespace hbctl {

// title is shown at the top (escaped). Values that are not finite are left out.
std::string tune_plot_svg(const hashboard::TuneResult &result, std::string_view title);

} // namespace hbctl
