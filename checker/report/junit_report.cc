// JUnit XML, the shape CI servers read (Jenkins, GitLab, GitHub annotators; the Ant/Surefire
// schema): <testsuites> > <testsuite name tests failures errors skipped time> > <testcase name
// classname time> holding at most one <failure>, <error> (message, type, text) or <skipped>
// (message, text), and <system-out> for findings that pass (warnings); tests/report/junit.xsd is
// that schema. A suite per input file; a testcase per partition (linearizability) or per check
// id (fencing). Times are 0: a report is the same for the same input, and CI servers read an
// absent duration as zero anyway.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "checker/report/counterexample.h"
#include "checker/report/fencing_report.h"
#include "checker/report/report_common.h"
#include "fenceline/report.h"

namespace fenceline {
namespace internal {
namespace {

// Text for an attribute or element: valid UTF-8, XML-escaped, and without the control
// characters XML 1.0 cannot carry even as references (each becomes U+FFFD).
std::string Xml(std::string_view raw) {
  const std::string s = ValidUtf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

enum class CaseOutcome { kPass, kFailure, kError, kSkipped };

struct TestCase {
  std::string name;
  std::string classname;
  CaseOutcome outcome = CaseOutcome::kPass;
  std::string message;  // one sentence
  std::string type;     // the finding's id, or the status code
  std::string text;     // details: every sentence with its lines
  std::string system_out;
};

struct Suite {
  std::string name;
  std::vector<TestCase> cases;
};

std::string LinesText(const std::vector<uint32_t>& lines) {
  std::string s;
  for (uint32_t l : lines) s += (s.empty() ? "" : ", ") + std::to_string(l);
  return s;
}

std::string Render(const std::vector<Suite>& suites) {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string body;
  for (const Suite& s : suites) {
    size_t f = 0, e = 0, k = 0;
    for (const TestCase& c : s.cases) {
      f += c.outcome == CaseOutcome::kFailure;
      e += c.outcome == CaseOutcome::kError;
      k += c.outcome == CaseOutcome::kSkipped;
    }
    tests += s.cases.size();
    failures += f;
    errors += e;
    skipped += k;
    body += "  <testsuite name=\"" + Xml(s.name) + "\" tests=\"" + std::to_string(s.cases.size()) +
            "\" failures=\"" + std::to_string(f) + "\" errors=\"" + std::to_string(e) +
            "\" skipped=\"" + std::to_string(k) + "\" time=\"0\">\n";
    for (const TestCase& c : s.cases) {
      body += "    <testcase name=\"" + Xml(c.name) + "\" classname=\"" + Xml(c.classname) +
              "\" time=\"0\"";
      if (c.outcome == CaseOutcome::kPass && c.system_out.empty()) {
        body += "/>\n";
        continue;
      }
      body += ">\n";
      const char* tag = c.outcome == CaseOutcome::kFailure ? "failure"
                        : c.outcome == CaseOutcome::kError ? "error"
                                                           : "skipped";
      if (c.outcome != CaseOutcome::kPass) {
        // <skipped> has a message but no type in the schema CI servers read (junit.xsd);
        // its testcase's name already says which check it is.
        body += std::string("      <") + tag + " message=\"" + Xml(c.message) + "\"";
        if (c.outcome != CaseOutcome::kSkipped) body += " type=\"" + Xml(c.type) + "\"";
        body += c.text.empty() ? "/>\n" : ">" + Xml(c.text) + "</" + tag + ">\n";
      }
      if (!c.system_out.empty()) body += "      <system-out>" + Xml(c.system_out) + "</system-out>\n";
      body += "    </testcase>\n";
    }
    body += "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fenceline\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
         std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"0\">\n" +
         body + "</testsuites>\n";
}

TestCase Unusable(const std::string& classname, const Status& status) {
  TestCase c;
  c.name = "input";
  c.classname = classname;
  c.outcome = CaseOutcome::kError;
  c.message = status.message();
  c.type = std::string(StatusCodeName(status.code()));
  return c;
}

}  // namespace

std::string RenderFencingJunit(const std::vector<FencingFileReport>& files,
                               const ReportOptions& report) {
  static const char* const kChecks[] = {"stale-token",        "expired-lease-write",
                                        "write-after-expiry", "forged-token",
                                        "foreign-token",      "overlapping-leases",
                                        "non-monotonic-grant", "false-rejection"};
  const std::string classname = "fenceline.fencing";
  std::vector<Suite> suites;
  for (const FencingFileReport& f : files) {
    Suite suite{f.path, {}};
    if (!f.status.ok()) {
      suite.cases.push_back(Unusable(classname, f.status));
      suites.push_back(std::move(suite));
      continue;
    }
    std::vector<std::string> ids(std::begin(kChecks), std::end(kChecks));
    for (const Violation& v : f.result->violations) {
      if (std::find(ids.begin(), ids.end(), v.id) == ids.end()) ids.push_back(v.id);
    }
    for (const std::string& id : ids) {
      TestCase c;
      c.name = id;
      c.classname = classname;
      bool certain_failure = false, possible_failure = false;
      std::string first_failing, first_possible, failing_text, other_text;
      for (const Violation& v : f.result->violations) {
        if (v.id != id) continue;
        const bool is_error = v.severity == Severity::kError;
        std::string entry = std::string(SeverityName(v.severity)) + ", " +
                            std::string(CertaintyName(v.certainty)) + ": " + v.message +
                            " [lines " + LinesText(ViolationLines(v)) + "]\n";
        if (report.policy.Fails(id, is_error)) {
          if (v.certainty == Certainty::kCertain) {
            if (!certain_failure) first_failing = v.message;
            certain_failure = true;
          } else if (first_possible.empty()) {
            first_possible = v.message;
            possible_failure = true;
          }
          failing_text += entry;
        } else {
          other_text += entry;
        }
      }
      if (certain_failure) {
        c.outcome = CaseOutcome::kFailure;
        c.message = first_failing;
        c.type = id;
        c.text = failing_text;
      } else if (possible_failure) {
        c.outcome = CaseOutcome::kSkipped;
        c.message = "possible, not certain: " + first_possible;
        c.type = id;
        c.text = failing_text;
      }
      c.system_out = other_text;
      suite.cases.push_back(std::move(c));
    }
    // A stale-token search that stopped leaves that check undecided.
    for (const std::string& note : f.result->notes) {
      for (TestCase& c : suite.cases) {
        if (c.name == "stale-token" && c.outcome == CaseOutcome::kPass &&
            note.find("stale-token search") != std::string::npos) {
          c.outcome = CaseOutcome::kSkipped;
          c.message = note;
          c.type = "unknown";
        }
      }
    }
    suites.push_back(std::move(suite));
  }
  return Render(suites);
}

}  // namespace internal

std::string RenderJunitReport(const std::vector<FileReport>& files, const ReportOptions& options) {
  const std::string classname = "fenceline.linearizability." + options.model_id;
  std::vector<internal::Suite> suites;
  for (const FileReport& f : files) {
    internal::Suite suite{f.path, {}};
    if (!f.status.ok()) {
      suite.cases.push_back(internal::Unusable(classname, f.status));
      suites.push_back(std::move(suite));
      continue;
    }
    for (const PartitionResult& p : f.result->partitions) {
      internal::TestCase c;
      c.name = p.key.is_nil() ? "linearizability" : "key " + p.key.ToEdn();
      c.classname = classname;
      if (p.verdict == Verdict::kNotLinearizable && p.counterexample) {
        const std::string sentence = internal::ViolationSentence(*f.history, p);
        const std::string text =
            sentence + "\nlines " +
            internal::LinesText(internal::ViolationLines(*f.history, *p.counterexample)) + "\n";
        if (options.policy.Fails("not-linearizable", true)) {
          c.outcome = internal::CaseOutcome::kFailure;
          c.message = sentence;
          c.type = "not-linearizable";
          c.text = text;
        } else {
          c.system_out = "allowed: " + text;
        }
      } else if (p.verdict == Verdict::kUnknown) {
        c.outcome = internal::CaseOutcome::kSkipped;
        c.message = p.reason;
        c.type = "unknown";
      }
      suite.cases.push_back(std::move(c));
    }
    suites.push_back(std::move(suite));
  }
  return internal::Render(suites);
}

}  // namespace fenceline
