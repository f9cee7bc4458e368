// SPDX-License-Identifier: MIT
//
// Text made safe inside XML and HTML, for the tools that write SVG, HTML and JUnit XML
// (hbctl tune's plot, the station's reports): one escaper, so every report treats a
// quote or a control character the same way.
#pragma once

#include <string>
#include <string_view>

namespace markup {

// & < > " ' as entities; control characters other than tab and newline, which XML 1.0
// does not allow anywhere, as '?'.
std::string xml_escape(std::string_view text);

} // namespace markup
