// tests/report/report_testing.h
//
// Checks shared by the report tests: a JSON report against docs/report.schema.json (RapidJSON's
// draft-04 validator), a JUnit report against the shape CI servers read, and the samples under
// histories/ with the model each is checked with.
#ifndef FENCELINE_TESTS_REPORT_REPORT_TESTING_H_
#define FENCELINE_TESTS_REPORT_REPORT_TESTING_H_

#include <string>
#include <vector>

namespace fenceline::testing {

// "" if `json` is valid UTF-8 JSON that the report schema accepts; else what is wrong.
std::string SchemaErrors(const std::string& json);

// "" if `xml` is a JUnit report that tests/report/junit.xsd (the schema CI servers read) accepts,
// by xmllint, and that is well-formed: <testsuites> of <testsuite name tests failures
// errors skipped time>, each of <testcase name classname time> holding at most one of
// <failure message>, <error message>, <skipped>, plus <system-out>/<system-err>; counts that add
// up; valid UTF-8 without characters XML 1.0 forbids. Else what is wrong.
std::string JunitErrors(const std::string& xml);

// True if `s` is valid UTF-8 with no control characters but tab, CR and LF.
bool IsUtf8Text(const std::string& s);

struct Sample {
  std::string path;   // absolute
  std::string model;  // "cas-register", ..., "fencing"
  std::vector<std::string> flags;  // what the sample needs (fencing skew samples: none)
};

// Every sample of histories/<model>/{valid,invalid,skew}/ (README.md files excluded).
std::vector<Sample> Samples();

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_REPORT_REPORT_TESTING_H_
