// Tests of checker/parse/parse.cc's deadline: in every format, a parse past its deadline ends
// with kDeadlineExceeded naming the cause and the line it stopped at, never with a history.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/parse.h"
#include "testing/matchers.h"

namespace fenceline {
namespace {

using ::fenceline::testing::IsOk;
using ::fenceline::testing::StatusIs;
using ::testing::HasSubstr;

// The same 20,000 write operations in each format.
std::string Events(InputFormat format) {
  std::string text;
  for (int i = 0; i < 10000; ++i) {
    const std::string p = std::to_string(i % 5), v = std::to_string(i);
    for (const char* type : {"invoke", "ok"}) {
      switch (format) {
        case InputFormat::kJsonLines:
          text += "{\"process\":" + p + ",\"type\":\"" + type + "\",\"f\":\"write\",\"value\":" +
                  v + "}\n";
          break;
        case InputFormat::kEdn:
          text += "{:process " + p + ", :type :" + type + ", :f :write, :value " + v + "}\n";
          break;
        default:
          text += p + "\t:" + type + "\t:write\t" + v + "\n";
          break;
      }
    }
  }
  return text;
}

class ParseDeadlineTest : public ::testing::TestWithParam<InputFormat> {};

TEST_P(ParseDeadlineTest, PastTheDeadlineIsNeverAHistory) {
  const std::string text = Events(GetParam());
  ParseOptions options;
  options.threads = 2;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  options.deadline_cause = "time limit of 7 ms";
  EXPECT_THAT(ParseHistoryText(text, "h", options),
              StatusIs(StatusCode::kDeadlineExceeded,
                       "h:1:1: time limit of 7 ms reached while parsing, after 0 lines"));
  // Forced to the format, too (sniffing is not what stops it).
  options.format = GetParam();
  EXPECT_THAT(ParseHistoryText(text, "h", options),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("reached while parsing")));
}

TEST_P(ParseDeadlineTest, FromAFileTheReadingStopsFirst) {
  // One file a format and process: ctest runs the instances at once.
  const std::string path = ::testing::TempDir() + "fenceline-parse-deadline-" +
                           std::to_string(getpid()) + "." +
                           std::string(InputFormatName(GetParam()));
  std::ofstream(path, std::ios::binary) << Events(GetParam());
  ParseOptions options;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  EXPECT_THAT(ParseHistoryFile(path, options),
              StatusIs(StatusCode::kDeadlineExceeded,
                       path + ":1:1: the deadline reached while reading the input, after 0 lines"));
  std::remove(path.c_str());
}

TEST_P(ParseDeadlineTest, AFutureDeadlineChangesNothing) {
  const std::string text = Events(GetParam());
  ParseOptions options;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  StatusOr<History> timed = ParseHistoryText(text, "h", options);
  StatusOr<History> untimed = ParseHistoryText(text, "h");
  ASSERT_THAT(timed, IsOk());
  ASSERT_THAT(untimed, IsOk());
  EXPECT_EQ(timed->ops.size(), 10000u);
  EXPECT_EQ(timed->ops.size(), untimed->ops.size());
}

INSTANTIATE_TEST_SUITE_P(Formats, ParseDeadlineTest,
                         ::testing::Values(InputFormat::kJsonLines, InputFormat::kEdn,
                                           InputFormat::kJepsenLog),
                         [](const ::testing::TestParamInfo<InputFormat>& p) {
                           std::string name(InputFormatName(p.param));
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace fenceline
