// Random byte mutations of valid inputs never crash or hang the EDN reader and the Jepsen
// parsers: every input yields a value (a History) or a kParseError (kInvalidHistory for a
// well-formed but inconsistent history) whose message starts "name:line:col: ".
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checker/parse/edn_reader.h"
#include "checker/parse/formats.h"
#include "fenceline/history.h"
#include "fenceline/status.h"

namespace fenceline::internal {
namespace {

const char* const kSeeds[] = {
    "{:index 0, :time 1200, :type :invoke, :process 0, :f :cas, :value [1 2]}\n"
    "{:index 1, :time 1300, :type :ok, :process 0, :f :cas, :value [1 2]}\n"
    "{:type :info, :process :nemesis, :f :start, :value [:isolated {\"n1\" #{\"n2\"}}]}\n",
    "[{:type :invoke :process 0 :f :write :value #jepsen.independent.Tuple{:key 1 :value 2}}\n"
    " {:type :ok :process 0 :f :write :value #jepsen.independent/tuple [1 2]}]",
    "[0 :invoke :read nil]\n[0 :ok :read 3]\n[1 :invoke :write 3]\n[1 :info :write :timed-out]\n",
    "(1 -2 +3 22/7 1.5e3 2.5M 12345678901234567890N 0x1F ##Inf \\a \\newline \\u00e9 "
    "\"s\\t\\u00e9\\\"\" sym ns/sym :kw :ns/kw #{1 2} #inst \"2020\" #:a{:b 1} #_ 9 ; c\n nil)",
};

const char* const kLogSeeds[] = {
    "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n"
    "INFO  jepsen.util - 2\t:ok\t:cas\t[3 0]\n"
    "INFO  jepsen.util - 4   :invoke :write  3\n"
    "INFO  jepsen.util - 4   :info   :write  :timed-out\n"
    ":nemesis\t:info\t:start\t{:a \"b\"}\n0\t:invoke\t:read\tnil\n0\t:fail\t:read\tnil\t:e\n",
};

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static constexpr char kInteresting[] = "[]{}()#_:;\\\"\n\t ,/.-+0123456789eEMNx@^";
  std::uniform_int_distribution<int> op_dist(0, 5);
  const int ops = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < ops; ++k) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    const char c = rng() % 4 == 0 ? static_cast<char>(rng() & 0xFF)
                                  : kInteresting[rng() % (sizeof kInteresting - 1)];
    switch (op_dist(rng)) {
      case 0: s.insert(pos, 1, c); break;
      case 1:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 3);
        break;
      case 2:
        if (pos < s.size()) s[pos] = c;
        break;
      case 3: s.resize(pos); break;  // truncation
      case 4:
        if (!s.empty()) {  // duplicate a slice, e.g. an opening bracket run
          const size_t from = rng() % s.size();
          const size_t len = std::min<size_t>(1 + rng() % 8, s.size() - from);
          s.insert(pos, s.substr(from, len));
        }
        break;
      default: s.insert(pos, std::string(1 + rng() % 600, c)); break;  // a long run
    }
  }
  return s;
}

// A failure must be a parse error (or an inconsistent history) that names its position.
void ExpectWellFormedFailure(const Status& s, std::string_view name, const std::string& input) {
  if (s.ok()) return;
  EXPECT_TRUE(s.code() == StatusCode::kParseError || s.code() == StatusCode::kInvalidHistory)
      << s.message() << "\ninput: " << input;
  EXPECT_THAT(s.message(), ::testing::MatchesRegex(std::string(name) + ":[0-9]+:[0-9]+: .*"))
      << "input: " << input;
}

TEST(EdnReaderPropertyTest, MutatedInputsYieldAValueOrAParseError) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int cases = 0;
  while (std::chrono::steady_clock::now() < deadline || cases < 200) {
    ++cases;
    const bool log = rng() % 4 == 0;
    const std::string seed_text = log ? kLogSeeds[0] : kSeeds[rng() % std::size(kSeeds)];
    const std::string input = Mutate(seed_text, rng);

    StatusOr<Value> v = ReadEdn(input, "m.edn");
    ExpectWellFormedFailure(v.status(), "m.edn", input);

    HistoryBuilder edn_builder("m.edn");
    Status s = ParseEdnHistory(input, "m.edn", edn_builder);
    if (s.ok()) s = edn_builder.Finish().status();
    ExpectWellFormedFailure(s, "m.edn", input);

    HistoryBuilder log_builder("m.log");
    s = ParseJepsenLog(input, "m.log", log_builder);
    if (s.ok()) s = log_builder.Finish().status();
    ExpectWellFormedFailure(s, "m.log", input);
    if (HasFailure()) break;
  }
  RecordProperty("cases", cases);
}

TEST(EdnReaderPropertyTest, PathologicalInputsFinish) {
  const std::string inputs[] = {
      std::string(200000, '['),  std::string(200000, '{'),
      std::string(200000, '#'),  std::string(100000, ':') + "a",
      "\"" + std::string(200000, '\\'), std::string(200000, ';'),
      [] {
        std::string s;
        for (int i = 0; i < 50000; ++i) s += "#_";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 50000; ++i) s += "#a ";
        return s;
      }(),
  };
  for (const std::string& input : inputs) {
    StatusOr<Value> v = ReadEdn(input, "p.edn");
    EXPECT_FALSE(v.ok());
    ExpectWellFormedFailure(v.status(), "p.edn", input.substr(0, 20));
  }
}

}  // namespace
}  // namespace fenceline::internal
