// checker/report/report_common.h
//
// What the linearizability and fencing reports share, so that they cannot drift apart: the
// schema-2 envelope (tool, version, analysis, model, verdict, options, inputs, summary,
// timings), the verdict vocabulary, text that is always valid UTF-8, and Jepsen's op fields
// (process as its type, :index when the input had one).
#ifndef FENCELINE_CHECKER_REPORT_REPORT_COMMON_H_
#define FENCELINE_CHECKER_REPORT_REPORT_COMMON_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/report/json_value.h"
#include "fenceline/history.h"
#include "fenceline/report.h"
#include "fenceline/value.h"

namespace fenceline::internal {

// `s` with every byte sequence that is not well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing past U+10FFFF) replaced by U+FFFD, so that JSON, EDN, XML and HTML built
// from input values are always valid UTF-8. Linear; returns `s` unchanged when already valid.
std::string ValidUtf8(std::string_view s);
bool IsValidUtf8(std::string_view s);

// A process as Jepsen writes it: integer names ("0", "-3") become integers, others strings.
Value ProcessValue(const std::string& name);

// Jepsen's :index of an operation (the completion's if both events had one), nullptr if the
// input had none.
const Value* JepsenIndex(const Operation& op);

// The per-verdict tally of a batch, and the files that could not be checked (named, so that a
// violation elsewhere in the batch never hides them).
struct BatchSummary {
  ReportVerdict verdict = ReportVerdict::kValid;
  size_t files = 0, valid = 0, invalid = 0, unknown = 0, error = 0;
  std::vector<std::string> unusable;
  // Jepsen logs with lines that hold no event (History::skipped_lines), in input order: a log
  // with far more of them than expected may not be the history the user meant.
  struct Skipped {
    std::string path;
    uint64_t lines = 0;
    uint32_t first_line = 0;
  };
  std::vector<Skipped> skipped;
  // `h`: the file's history, if it was parsed (nullptr otherwise).
  void Add(const std::string& path, ReportVerdict v, const History* h = nullptr);
};

struct Envelope {
  std::string_view analysis;  // "linearizability" or "fencing"
  const ReportOptions* options = nullptr;
  std::vector<std::string> inputs;  // paths, in command-line order
  BatchSummary summary;
};

// Writes the envelope's keys into an open JSON object; the caller then writes "files".
void WriteJsonEnvelope(JsonWriter& w, const Envelope& e);
// The same facts as EDN map entries (keyword, value, ...), in Jepsen's vocabulary.
void AppendEdnEnvelope(const Envelope& e, std::vector<Value>& out);
// Jepsen's :valid? for a verdict: true, false or :unknown (error too).
Value ValidValue(ReportVerdict v);

// A JSON string, made valid UTF-8 first.
void WriteJsonString(JsonWriter& w, std::string_view s);

// EDN text of `v` laid out as Clojure's pprint would (a collection that fits in 100 columns on
// one line, else one entry a line aligned after its bracket), strings made valid UTF-8. Linear
// in the size of `v` and iterative, so deeply nested values neither take quadratic time nor
// overflow the stack.
std::string PrettyEdn(const Value& v);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_REPORT_REPORT_COMMON_H_
