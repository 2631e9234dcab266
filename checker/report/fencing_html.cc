// The fencing report as a page.
#include <string>

#include "checker/report/fencing_report.h"
#include "checker/report/report_common.h"

namespace fenceline::internal {

std::string RenderFencingHtml(const std::vector<FencingFileReport>& files,
                              const FencingOptions& options, const ReportOptions& /*report*/) {
  const std::string text = RenderFencingText(files, options);
  std::string escaped;
  for (char c : text) {
    if (c == '<') escaped += "&lt;";
    else if (c == '>') escaped += "&gt;";
    else if (c == '&') escaped += "&amp;";
    else escaped += c;
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fenceline fencing "
         "report</title></head><body><pre>\n" + escaped + "</pre></body></html>\n";
}

}  // namespace fenceline::internal
