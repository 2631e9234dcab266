// Tests of checker/parse/parse.cc's budgets: in every format, a parse past its deadline ends
// with kDeadlineExceeded, one past its memory limit with kResourceExhausted, naming the cause and
// the line it stopped at, never with a history.
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

std::string FormatTestName(const ::testing::TestParamInfo<InputFormat>& p) {
  std::string name(InputFormatName(p.param));
  std::erase(name, '-');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Formats, ParseDeadlineTest,
                         ::testing::Values(InputFormat::kJsonLines, InputFormat::kEdn,
                                           InputFormat::kJepsenLog),
                         FormatTestName);

class ParseMemoryTest : public ::testing::TestWithParam<InputFormat> {};

// 10,000 operations hold about 2 MiB (ParseMemory's estimate): a 1 MiB limit stops about half
// way, at the same line whatever the thread count, since the charges follow the input alone.
TEST_P(ParseMemoryTest, PastTheMemoryLimitIsNeverAHistory) {
  const std::string text = Events(GetParam());
  ParseOptions options;
  options.memory_limit = uint64_t{1} << 20;
  options.memory_cause = "memory limit of 1 MiB";
  std::string first;
  for (int threads : {1, 2}) {
    options.threads = threads;
    StatusOr<History> h = ParseHistoryText(text, "h", options);
    ASSERT_FALSE(h.ok());
    EXPECT_THAT(h.status(),
                StatusIs(StatusCode::kResourceExhausted,
                         ::testing::ContainsRegex(
                             "^h:[0-9]+:1: memory limit of 1 MiB reached while parsing, at line "
                             "[0-9]+$")));
    if (first.empty()) first = h.status().message();
    EXPECT_EQ(h.status().message(), first) << threads;
  }
  const long line = std::stol(first.substr(2));
  EXPECT_GT(line, 2000);
  EXPECT_LT(line, 20000);
}

TEST_P(ParseMemoryTest, TheTextReadWholeCountsToo) {
  // One file a format and process: ctest runs the instances at once.
  const std::string path = ::testing::TempDir() + "fenceline-parse-memory-" +
                           std::to_string(getpid()) + "." +
                           std::string(InputFormatName(GetParam()));
  const std::string text = Events(GetParam());
  std::ofstream(path, std::ios::binary) << text;
  ParseOptions options;
  options.memory_limit = text.size() / 2;
  StatusOr<History> h = ParseHistoryFile(path, options);
  EXPECT_THAT(h, StatusIs(StatusCode::kResourceExhausted,
                          HasSubstr("the memory limit reached while ")));
  std::remove(path.c_str());
}

TEST_P(ParseMemoryTest, AGenerousLimitChangesNothingAndCountsTheHistory) {
  const std::string text = Events(GetParam());
  ParseOptions options;
  options.memory_limit = uint64_t{1} << 30;
  StatusOr<History> limited = ParseHistoryText(text, "h", options);
  StatusOr<History> unlimited = ParseHistoryText(text, "h");
  ASSERT_THAT(limited, IsOk());
  ASSERT_THAT(unlimited, IsOk());
  EXPECT_EQ(limited->ops.size(), 10000u);
  EXPECT_EQ(limited->ops.size(), unlimited->ops.size());
  // About what the parse charged: 10,000 operations of integers, no heap values.
  EXPECT_GE(HistoryMemoryBytes(*limited), 10000u * sizeof(Operation));
  EXPECT_LE(HistoryMemoryBytes(*limited), 10000u * (sizeof(Operation) + 64));
}

INSTANTIATE_TEST_SUITE_P(Formats, ParseMemoryTest,
                         ::testing::Values(InputFormat::kJsonLines, InputFormat::kEdn,
                                           InputFormat::kJepsenLog),
                         FormatTestName);

}  // namespace
}  // namespace fenceline
