// checker/report/html_page.h
//
// The page both analyses draw into: one self-contained HTML file (inline CSS and script, nothing
// fetched, so traces can be audited offline). The C++ side describes each picture as data —
// lanes, bars, marks, vertical lines, the window to open on — and the page's script draws it on
// a time axis with zoom (wheel, +/-), pan (drag), tooltips, a density strip of everything that
// was summarised rather than drawn, and a self-check it writes into the DOM (#fenceline-selfcheck:
// script errors, resources fetched, whether each violation is in view) for the browser tests.
#ifndef FENCELINE_CHECKER_REPORT_HTML_PAGE_H_
#define FENCELINE_CHECKER_REPORT_HTML_PAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fenceline/status.h"

namespace fenceline::internal {

struct HtmlBar {
  uint32_t lane = 0;
  int64_t t0 = 0;
  std::optional<int64_t> t1;  // unset: open to the end of the history (dashed)
  std::string cls;            // CSS class: lin, bad, proof, other, lease, maybe, ...
  std::string label;          // drawn inside when it fits
  std::string tip;            // tooltip, several lines
  bool focus = false;         // the violation: must be in view when the page opens
};

struct HtmlMark {
  uint32_t lane = 0;
  int64_t t = 0;
  std::string cls;  // ok, rejected, unknown, grant, expire, violation
  std::string label;
  std::string tip;
  bool focus = false;
};

struct HtmlLine {  // a vertical line across all lanes
  int64_t t = 0;
  std::string cls;
  std::string label;
  std::string tip;  // tooltip (a violation's sentence); "" for none
};

struct HtmlPicture {
  std::string title;
  std::vector<std::string> lanes;
  std::vector<HtmlBar> bars;
  std::vector<HtmlMark> marks;
  std::vector<HtmlLine> lines;
  int64_t lo = 0, hi = 1;                  // the whole history's extent
  std::optional<std::pair<int64_t, int64_t>> focus;  // the window the view opens on
  bool timed = true;                       // nanoseconds; else positions in the input
  std::vector<uint32_t> density;           // operations per equal slice of [lo, hi]
  std::string note;                        // what was summarised rather than drawn
};

struct HtmlFile {
  std::string path;
  std::string verdict;  // valid, invalid, unknown, error
  std::string summary;  // one line
  std::vector<std::string> findings;  // one sentence each
  // Pictures, the ones to look at first first; `choices` names them in a selector.
  std::vector<HtmlPicture> pictures;
  std::vector<std::string> choices;
  std::vector<std::string> undrawn;  // further choices listed but not drawn (summarised)
};

// A file that could not be checked (parse error, unreadable): the same entry in both analyses.
HtmlFile UnusableHtmlFile(const std::string& path, const Status& status);

// The legend is HTML (spans with the classes used). `title` names the analysis.
std::string RenderHtmlPage(std::string_view title, std::string_view legend,
                           const std::vector<HtmlFile>& files);

std::string HtmlEscape(std::string_view s);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_HTML_PAGE_H_
