// SPDX-License-Identifier: MIT
// [chain.layout]: where a chain's chips sit. Each order and start corner puts the chips
// in the cells a board designer means, hand-placed chips keep their cells and the
// pattern flows around them, the shipped boards' layouts hold their chips, and every
// error names the file, the line and the key.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/board/board_config.hpp>
#include <hashboard/config_file.hpp>

#include <set>
#include <string>
#include <utility>

using namespace hashboard;

namespace {

// The Nano 3-class board (one chain of 10 chips) with this layout in place of its own.
std::string board_with(const std::string &layout)
{
	std::string text = hashboard::config::read_text_file(
	    hbtest::boards_dir() / "nano3-class-sim.toml", 1 << 20, "board");
	const auto at = text.find("[chain.layout]\n");
	const auto end = text.find("\n\n", at);
	BOOST_TEST_REQUIRE((at != std::string::npos && end != std::string::npos));
	return text.replace(at, end + 1 - at, layout);
}

BoardConfig with_layout(const std::string &layout)
{
	return parse_board_config(board_with(layout), "boards/layout.toml");
}

ChipCell cell(unsigned column, unsigned row)
{
	return {column, row};
}

ConfigError layout_error(const std::string &layout)
{
	try {
		with_layout(layout);
	} catch (const ConfigError &e) {
		return e;
	}
	BOOST_FAIL("the layout was accepted:\n" << layout);
	throw std::logic_error("unreachable");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_chain_without_a_layout_has_none)
{
	BOOST_TEST(!with_layout("").chains[0].layout);
}

BOOST_AUTO_TEST_CASE(rows_from_the_top_left_read_like_text)
{
	const BoardConfig b = with_layout("[chain.layout]\ncolumns = 4\n");
	const ChainLayout &l = *b.chains[0].layout;
	BOOST_TEST(l.columns == 4u);
	BOOST_TEST(l.rows == 3u); // from the chips: 10 in rows of 4
	const auto cells = chip_cells(l, 10);
	BOOST_TEST((cells[0] == cell(0, 0)));
	BOOST_TEST((cells[3] == cell(3, 0)));
	BOOST_TEST((cells[4] == cell(0, 1)));
	BOOST_TEST((cells[9] == cell(1, 2)));
}

BOOST_AUTO_TEST_CASE(serpentine_rows_come_back_along_every_other_row)
{
	const auto cells = chip_cells(
	    *with_layout("[chain.layout]\ncolumns = 5\nrows = 2\norder = \"serpentine_rows\"\n")
	         .chains[0]
	         .layout,
	    10);
	BOOST_TEST((cells[4] == cell(4, 0)));
	BOOST_TEST((cells[5] == cell(4, 1))); // down, then back
	BOOST_TEST((cells[9] == cell(0, 1)));
}

BOOST_AUTO_TEST_CASE(serpentine_columns_from_the_bottom_right_snake_up_and_down)
{
	const auto cells =
	    chip_cells(*with_layout("[chain.layout]\ncolumns = 4\nrows = 3\n"
	                            "order = \"serpentine_columns\"\nstart = \"bottom_right\"\n")
	                    .chains[0]
	                    .layout,
	               10);
	BOOST_TEST((cells[0] == cell(3, 2)));
	BOOST_TEST((cells[2] == cell(3, 0))); // up the right-hand column
	BOOST_TEST((cells[3] == cell(2, 0))); // then down the next
	BOOST_TEST((cells[5] == cell(2, 2)));
	BOOST_TEST((cells[6] == cell(1, 2)));
	BOOST_TEST((cells[8] == cell(1, 0)));
	BOOST_TEST((cells[9] == cell(0, 0))); // down the last column, which it does not fill
}

BOOST_AUTO_TEST_CASE(columns_from_the_top_right_and_rows_from_the_bottom_left)
{
	ChainLayout l;
	l.columns = 2;
	l.rows = 3;
	l.order = LayoutOrder::columns;
	l.start = LayoutCorner::top_right;
	auto cells = chip_cells(l, 6);
	BOOST_TEST((cells[0] == cell(1, 0)));
	BOOST_TEST((cells[2] == cell(1, 2)));
	BOOST_TEST((cells[3] == cell(0, 0)));
	l.order = LayoutOrder::rows;
	l.start = LayoutCorner::bottom_left;
	cells = chip_cells(l, 6);
	BOOST_TEST((cells[0] == cell(0, 2)));
	BOOST_TEST((cells[1] == cell(1, 2)));
	BOOST_TEST((cells[2] == cell(0, 1)));
}

BOOST_AUTO_TEST_CASE(placed_chips_keep_their_cells_and_the_pattern_skips_them)
{
	// A 4 x 3 grid with chip 2 moved to the free corner: the others close up.
	const ChainLayout l = *with_layout("[chain.layout]\ncolumns = 4\nrows = 3\n"
	                                   "[[chain.layout.chip]]\nposition = 2\ncolumn = 3\n"
	                                   "row = 2\n[[chain.layout.chip]]\nposition = 0\n"
	                                   "column = 0\nrow = 1\n")
	                           .chains[0]
	                           .layout;
	BOOST_TEST(l.placed.size() == 2u);
	const auto cells = chip_cells(l, 10);
	BOOST_TEST((cells[0] == cell(0, 1)));
	BOOST_TEST((cells[1] == cell(0, 0))); // the pattern's first cell is free
	BOOST_TEST((cells[2] == cell(3, 2)));
	BOOST_TEST((cells[3] == cell(1, 0)));
	BOOST_TEST((cells[5] == cell(3, 0)));
	BOOST_TEST((cells[6] == cell(1, 1))); // (0, 1) is chip 0's
	std::set<std::pair<unsigned, unsigned>> distinct;
	for (const auto &c : cells)
		distinct.insert({c.column, c.row});
	BOOST_TEST(distinct.size() == 10u);
}

BOOST_AUTO_TEST_CASE(chain_order_is_rows_of_a_fixed_width)
{
	const ChainLayout l = chain_order_layout(45, 20);
	BOOST_TEST(l.columns == 20u);
	BOOST_TEST(l.rows == 3u);
	const auto cells = chip_cells(l, 45);
	BOOST_TEST((cells[20] == cell(0, 1)));
	BOOST_TEST((cells[44] == cell(4, 2)));
	BOOST_TEST(chain_order_layout(3, 20).columns == 3u);
}

BOOST_AUTO_TEST_CASE(chip_cells_refuses_what_the_reader_refuses)
{
	ChainLayout l;
	l.columns = 3;
	l.rows = 3;
	BOOST_CHECK_THROW(chip_cells(l, 10), std::invalid_argument);
	l.placed = {{1, cell(0, 0)}, {2, cell(0, 0)}};
	BOOST_CHECK_THROW(chip_cells(l, 9), std::invalid_argument);
	l.placed = {{1, cell(3, 0)}};
	BOOST_CHECK_THROW(chip_cells(l, 9), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_shipped_boards_layouts_hold_their_chips)
{
	unsigned layouts = 0;
	for (const char *name : {"nano3-class-sim", "a15-class-sim", "s19kpro-bm1366", "bm1366-12",
	                         "bitaxe-bm1370", "hashboardd-sim"}) {
		const BoardConfig b =
		    load_board_config(hbtest::boards_dir() / (std::string(name) + ".toml"));
		for (const auto &c : b.chains) {
			BOOST_TEST_CONTEXT(name << " chain " << c.id)
			{
				BOOST_TEST_REQUIRE(c.layout.has_value());
				const auto cells = chip_cells(*c.layout, c.chips);
				std::set<std::pair<unsigned, unsigned>> distinct;
				for (const auto &x : cells)
					distinct.insert({x.column, x.row});
				BOOST_TEST(distinct.size() == c.chips);
				++layouts;
			}
		}
	}
	BOOST_TEST(layouts == 12u);
	// The S19k Pro guess: one 7-chip domain a column, snaking.
	const auto s19 = load_board_config(hbtest::boards_dir() / "s19kpro-bm1366.toml");
	const auto cells = chip_cells(*s19.chains[0].layout, 77);
	BOOST_TEST((cells[6] == cell(0, 6)));
	BOOST_TEST((cells[7] == cell(1, 6)));
	BOOST_TEST((cells[76] == cell(10, 6)));
}

BOOST_AUTO_TEST_CASE(layout_errors_name_file_line_and_key)
{
	struct Case {
		const char *what;
		std::string layout;
		std::string line_text; // the line the error must point at
		std::string key;
		std::string message;
	};
	const std::vector<Case> cases = {
	    {"too few cells", "[chain.layout]\ncolumns = 3\nrows = 3\n", "rows = 3",
	     "chain[0].layout.rows", "3 x 3 cells cannot hold the chain's 10 chips"},
	    {"no columns", "[chain.layout]\nrows = 3\n", "[chain.layout]\nrows = 3",
	     "chain[0].layout.columns", "missing required key"},
	    {"unknown order", "[chain.layout]\ncolumns = 5\norder = \"zigzag\"\n",
	     "order = \"zigzag\"", "chain[0].layout.order", "valid: rows, columns"},
	    {"unknown corner", "[chain.layout]\ncolumns = 5\nstart = \"middle\"\n",
	     "start = \"middle\"", "chain[0].layout.start", "valid: top_left"},
	    {"misspelt key", "[chain.layout]\ncolumns = 5\nrow = 2\n", "row = 2",
	     "chain[0].layout.row", "unknown key"},
	    {"placed chip off the chain",
	     "[chain.layout]\ncolumns = 5\n[[chain.layout.chip]]\nposition = 10\ncolumn = 0\n"
	     "row = 0\n",
	     "position = 10", "chain[0].layout.chip[0].position", "0..9"},
	    {"placed chip off the grid",
	     "[chain.layout]\ncolumns = 5\n[[chain.layout.chip]]\nposition = 1\ncolumn = 5\n"
	     "row = 0\n",
	     "column = 5", "chain[0].layout.chip[0].column", "0..4"},
	    {"two chips in one cell",
	     "[chain.layout]\ncolumns = 5\n[[chain.layout.chip]]\nposition = 1\ncolumn = 2\n"
	     "row = 1\n[[chain.layout.chip]]\nposition = 2\ncolumn = 2\nrow = 1\n",
	     "position = 2", "chain[0].layout.chip[1].row", "already holds chip 1"},
	    {"a chip placed twice",
	     "[chain.layout]\ncolumns = 5\n[[chain.layout.chip]]\nposition = 1\ncolumn = 2\n"
	     "row = 1\n[[chain.layout.chip]]\nposition = 1\ncolumn = 3\nrow = 1\n",
	     "position = 1\ncolumn = 3", "chain[0].layout.chip[1].position", "placed twice"},
	};
	for (const auto &c : cases) {
		BOOST_TEST_CONTEXT(c.what)
		{
			const ConfigError e = layout_error(c.layout);
			const std::string text = board_with(c.layout);
			// "two chips in one cell" points at the second placement's row key.
			const unsigned line = std::string(c.what) == "two chips in one cell"
			                          ? hbtest::line_of(text, "position = 2") + 2
			                          : hbtest::line_of(text, c.line_text);
			BOOST_TEST(e.file() == "boards/layout.toml");
			BOOST_TEST(e.line() == line, e.what());
			BOOST_TEST(e.key() == c.key, e.what());
			BOOST_TEST(e.message().find(c.message) != std::string::npos, e.what());
		}
	}
}
