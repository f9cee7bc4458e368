// SPDX-License-Identifier: MIT
// [chain.layout]: the chips' cells on the board, and where each chip lands in them.
#include "board_config_sections.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace hashboard {
namespace {

constexpr std::array<std::string_view, 4> kOrderNames{"rows", "columns", "serpentine_rows",
                                                      "serpentine_columns"};
constexpr std::array<std::string_view, 4> kCornerNames{"top_left", "top_right", "bottom_left",
                                                       "bottom_right"};

std::string cell_text(const ChipCell &c)
{
	return "column " + std::to_string(c.column) + " row " + std::to_string(c.row);
}

} // namespace

std::string_view layout_order_name(LayoutOrder order)
{
	return kOrderNames[std::size_t(order)];
}

std::string_view layout_corner_name(LayoutCorner corner)
{
	return kCornerNames[std::size_t(corner)];
}

ChipCell pattern_cell(const ChainLayout &l, unsigned n)
{
	const bool by_rows =
	    l.order == LayoutOrder::rows || l.order == LayoutOrder::serpentine_rows;
	const bool snake =
	    l.order == LayoutOrder::serpentine_rows || l.order == LayoutOrder::serpentine_columns;
	const unsigned run = by_rows ? l.columns : l.rows; // cells along one row or column
	const unsigned line = n / run;
	unsigned along = n % run;
	if (snake && line % 2 == 1)
		along = run - 1 - along;
	ChipCell c = by_rows ? ChipCell{along, line} : ChipCell{line, along};
	// Counted from the start corner; flipped into the drawing's left-to-right, top-down.
	if (l.start == LayoutCorner::top_right || l.start == LayoutCorner::bottom_right)
		c.column = l.columns - 1 - c.column;
	if (l.start == LayoutCorner::bottom_left || l.start == LayoutCorner::bottom_right)
		c.row = l.rows - 1 - c.row;
	return c;
}

std::vector<ChipCell> chip_cells(const ChainLayout &l, unsigned chips)
{
	if (l.columns == 0 || l.rows == 0 || std::size_t(l.columns) * l.rows < chips)
		throw std::invalid_argument(std::to_string(l.columns) + " x " +
		                            std::to_string(l.rows) + " cells cannot hold " +
		                            std::to_string(chips) + " chips");
	std::vector<std::optional<ChipCell>> cells(chips);
	std::vector<bool> taken(std::size_t(l.columns) * l.rows, false);
	for (const auto &p : l.placed) {
		if (p.position >= chips)
			throw std::invalid_argument("chip " + std::to_string(p.position) +
			                            " is not on a chain of " +
			                            std::to_string(chips));
		if (p.cell.column >= l.columns || p.cell.row >= l.rows)
			throw std::invalid_argument(cell_text(p.cell) + " is outside the " +
			                            std::to_string(l.columns) + " x " +
			                            std::to_string(l.rows) + " grid");
		if (cells[p.position])
			throw std::invalid_argument("chip " + std::to_string(p.position) +
			                            " is placed twice");
		const std::size_t i = std::size_t(p.cell.row) * l.columns + p.cell.column;
		if (taken[i])
			throw std::invalid_argument(cell_text(p.cell) + " already holds a chip");
		taken[i] = true;
		cells[p.position] = p.cell;
	}
	std::vector<ChipCell> out;
	out.reserve(chips);
	unsigned n = 0;
	for (unsigned pos = 0; pos < chips; ++pos) {
		if (!cells[pos]) {
			ChipCell c = pattern_cell(l, n++);
			while (taken[std::size_t(c.row) * l.columns + c.column])
				c = pattern_cell(l, n++);
			taken[std::size_t(c.row) * l.columns + c.column] = true;
			cells[pos] = c;
		}
		out.push_back(*cells[pos]);
	}
	return out;
}

ChainLayout chain_order_layout(unsigned chips, unsigned per_row)
{
	ChainLayout l;
	l.columns = std::max(1u, std::min(chips, per_row));
	l.rows = std::max(1u, (chips + l.columns - 1) / l.columns);
	return l;
}

namespace board_file {

std::optional<ChainLayout> read_chain_layout(TableReader &chain, unsigned chips)
{
	auto t = chain.optional_table("layout");
	if (!t)
		return std::nullopt;
	ChainLayout l;
	l.columns = unsigned(t->integer("columns", 1, 256));
	// Rows follow from the columns unless the grid has spare cells.
	const unsigned need = (chips + l.columns - 1) / l.columns;
	l.rows = unsigned(t->optional_integer("rows", 1, 256).value_or(need));
	if (std::size_t(l.columns) * l.rows < chips)
		t->fail(t->has("rows") ? "rows" : "columns",
		        std::to_string(l.columns) + " x " + std::to_string(l.rows) +
		            " cells cannot hold the chain's " + std::to_string(chips) + " chips");
	if (t->has("order"))
		l.order = LayoutOrder(t->choice("order", kOrderNames));
	if (t->has("start"))
		l.start = LayoutCorner(t->choice("start", kCornerNames));
	for (auto &p : t->table_array("chip")) {
		ChipPlacement c;
		c.position = unsigned(p.integer("position", 0, std::int64_t(chips) - 1));
		c.cell.column = unsigned(p.integer("column", 0, std::int64_t(l.columns) - 1));
		c.cell.row = unsigned(p.integer("row", 0, std::int64_t(l.rows) - 1));
		for (const auto &o : l.placed) {
			if (o.position == c.position)
				p.fail("position",
				       "chip " + std::to_string(c.position) + " is placed twice");
			if (o.cell == c.cell)
				p.fail("row", cell_text(c.cell) + " already holds chip " +
				                  std::to_string(o.position));
		}
		p.finish();
		l.placed.push_back(c);
	}
	t->finish();
	return l;
}

} // namespace board_file
} // namespace hashboard
