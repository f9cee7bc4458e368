// SPDX-License-Identifier: MIT
//
// Where a chain's chips sit on the board, so a report can draw them where a technician
// finds them (docs/board-files.md, "[chain.layout]"). The chips fill a grid of columns
// and rows in a regular order from one corner, as hashboard chains are routed (row by
// row, or snaking); chips a designer placed off the pattern are given their cell and the
// pattern skips it. Cells are as drawn: column 0 at the left, row 0 at the top, the board
// seen from its chips' side.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace hashboard {

// How the chain runs through the grid from the start corner: along rows or columns,
// each the same way, or snaking (every other one back).
enum class LayoutOrder { rows, columns, serpentine_rows, serpentine_columns };
std::string_view layout_order_name(LayoutOrder order);

enum class LayoutCorner { top_left, top_right, bottom_left, bottom_right };
std::string_view layout_corner_name(LayoutCorner corner);

struct ChipCell {
	unsigned column = 0;
	unsigned row = 0;
	bool operator==(const ChipCell &) const = default;
};

// One chip placed by hand: its cell, which the pattern then leaves out.
struct ChipPlacement {
	unsigned position = 0;
	ChipCell cell;
};

struct ChainLayout {
	unsigned columns = 1;
	unsigned rows = 1;
	LayoutOrder order = LayoutOrder::rows;
	LayoutCorner start = LayoutCorner::top_left;
	std::vector<ChipPlacement> placed;
};

// The pattern's n-th cell (n < columns x rows).
ChipCell pattern_cell(const ChainLayout &layout, unsigned n);

// Every chip's cell, by position: placed chips where they were placed, the others on
// the pattern's cells in order, skipping the placed chips' cells. Throws
// std::invalid_argument when the grid cannot hold the chips or a placement is outside
// it, repeated or on another's cell (the board file's reader says where first).
std::vector<ChipCell> chip_cells(const ChainLayout &layout, unsigned chips);

// Chain order: chip 0 top left, rows of per_row, as a report draws a chain without a
// layout.
ChainLayout chain_order_layout(unsigned chips, unsigned per_row);

} // namespace hashboard
