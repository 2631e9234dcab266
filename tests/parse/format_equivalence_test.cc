// The same history written as JSON Lines, EDN (map lines, one vector, tuple lines) and
// history.txt gives the same History, and so the same verdict and report.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "fenceline/report.h"

namespace fenceline {
namespace {

// A cas-register history with a stale read (not linearizable), a failed cas, a timed-out
// write and nemesis events; line i of every version is the same event.
const char* const kJsonLines =
    R"({"process":"nemesis","type":"info","f":"start","value":null}
{"process":0,"type":"invoke","f":"write","value":1}
{"process":0,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"cas","value":[1,2]}
{"process":2,"type":"invoke","f":"write","value":3}
{"process":1,"type":"ok","f":"cas","value":[1,2]}
{"process":2,"type":"info","f":"write","value":null,"error":":timed-out"}
{"process":0,"type":"invoke","f":"cas","value":[4,5]}
{"process":0,"type":"fail","f":"cas","value":[4,5]}
{"process":3,"type":"invoke","f":"read","value":null}
{"process":3,"type":"ok","f":"read","value":1}
{"process":"nemesis","type":"info","f":"stop","value":null}
)";

const char* const kEdnMaps =
    R"({:process :nemesis, :type :info, :f :start, :value nil}
{:process 0, :type :invoke, :f :write, :value 1}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :invoke, :f :cas, :value [1 2]}
{:process 2, :type :invoke, :f :write, :value 3}
{:process 1, :type :ok, :f :cas, :value [1 2]}
{:process 2, :type :info, :f :write, :value nil, :error :timed-out}
{:process 0, :type :invoke, :f :cas, :value [4 5]}
{:process 0, :type :fail, :f :cas, :value [4 5]}
{:process 3, :type :invoke, :f :read, :value nil}
{:process 3, :type :ok, :f :read, :value 1}
{:process :nemesis, :type :info, :f :stop, :value nil}
)";

const char* const kEdnVector =
    R"([{:process :nemesis, :type :info, :f :start, :value nil}
 {:process 0, :type :invoke, :f :write, :value 1}
 {:process 0, :type :ok, :f :write, :value 1}
 {:process 1, :type :invoke, :f :cas, :value [1 2]}
 {:process 2, :type :invoke, :f :write, :value 3}
 {:process 1, :type :ok, :f :cas, :value [1 2]}
 {:process 2, :type :info, :f :write, :value nil, :error :timed-out}
 {:process 0, :type :invoke, :f :cas, :value [4 5]}
 {:process 0, :type :fail, :f :cas, :value [4 5]}
 {:process 3, :type :invoke, :f :read, :value nil}
 {:process 3, :type :ok, :f :read, :value 1}
 {:process :nemesis, :type :info, :f :stop, :value nil}]
)";

const char* const kEdnTuples =
    R"([:nemesis :info :start nil]
[0 :invoke :write 1]
[0 :ok :write 1]
[1 :invoke :cas [1 2]]
[2 :invoke :write 3]
[1 :ok :cas [1 2]]
[2 :info :write :timed-out]
[0 :invoke :cas [4 5]]
[0 :fail :cas [4 5]]
[3 :invoke :read nil]
[3 :ok :read 1]
[:nemesis :info :stop nil]
)";

const char* const kHistoryTxt =
    ":nemesis\t:info\t:start\tnil\n"
    "0\t:invoke\t:write\t1\n"
    "0\t:ok\t:write\t1\n"
    "1\t:invoke\t:cas\t[1 2]\n"
    "2\t:invoke\t:write\t3\n"
    "1\t:ok\t:cas\t[1 2]\n"
    "2\t:info\t:write\t:timed-out\n"
    "0\t:invoke\t:cas\t[4 5]\n"
    "0\t:fail\t:cas\t[4 5]\n"
    "3\t:invoke\t:read\tnil\n"
    "3\t:ok\t:read\t1\n"
    ":nemesis\t:info\t:stop\tnil\n";

const char* const kJepsenLog =
    "2024-01-01 00:00:00 INFO  jepsen.core - Running test\n"
    "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
    "INFO  jepsen.util - 0   :invoke :write  1\n"
    "INFO  jepsen.util - 0   :ok     :write  1\n"
    "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\n"
    "INFO  jepsen.util - 2\t:invoke\t:write\t3\n"
    "INFO  jepsen.util - 1\t:ok\t:cas\t[1 2]\n"
    "INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n"
    "INFO  jepsen.util - 0\t:invoke\t:cas\t[4 5]\n"
    "INFO  jepsen.util - 0\t:fail\t:cas\t[4 5]\n"
    "INFO  jepsen.util - 3\t:invoke\t:read\tnil\n"
    "INFO  jepsen.util - 3\t:ok\t:read\t1\n"
    "INFO  jepsen.util - :nemesis\t:info\t:stop\tnil\n";

struct Version {
  const char* label;
  const char* text;
  InputFormat format;
};

const Version kVersions[] = {
    {"edn-maps", kEdnMaps, InputFormat::kEdn},
    {"edn-vector", kEdnVector, InputFormat::kEdn},
    {"edn-tuples", kEdnTuples, InputFormat::kEdn},
    {"history-txt", kHistoryTxt, InputFormat::kJepsenLog},
    {"jepsen-log", kJepsenLog, InputFormat::kJepsenLog},
};

History MustParse(const char* text, InputFormat format) {
  ParseOptions options;
  options.format = format;
  StatusOr<History> h = ParseHistoryText(text, "h", options);
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? std::move(h).value() : History{};
}

// Everything a check or a report uses, except where each event sat in its text. Errors are
// compared by name: JSON has no keywords, so ":timed-out" (as the JSON report writes
// keywords) stands for :timed-out there.
std::vector<Value> Summary(const History& h) {
  std::vector<Value> out;
  for (const Operation& op : h.ops) {
    out.push_back(Value::Vector({
        Value::Int(static_cast<int64_t>(op.index)),
        Value::String(h.process_names[static_cast<size_t>(op.process)]),
        Value::String(std::string(OutcomeName(op.outcome))), Value::String(op.f), op.input,
        op.output, op.key.value_or(Value::Symbol("no-key")), Value::Int(op.call),
        Value::Int(op.ret),
        Value::String(op.error.is_keyword() ? ":" + op.error.text() : op.error.text()),
    }));
  }
  for (const Event& e : h.other_events) {
    out.push_back(Value::Vector({Value::String(e.process.text()),
                                 Value::String(std::string(EventTypeName(e.type))),
                                 Value::String(e.f), e.value}));
  }
  out.push_back(Value::Vector({Value::Bool(h.timed)}));
  return out;
}

TEST(FormatEquivalenceTest, EveryFormatGivesTheSameHistory) {
  const History expected = MustParse(kJsonLines, InputFormat::kJsonLines);
  ASSERT_EQ(expected.ops.size(), 5u);
  ASSERT_EQ(expected.other_events.size(), 2u);
  for (const Version& v : kVersions) {
    SCOPED_TRACE(v.label);
    const History h = MustParse(v.text, v.format);
    EXPECT_EQ(Summary(h), Summary(expected));
    EXPECT_EQ(h.process_names, expected.process_names);
    // Sniffing finds the format too.
    StatusOr<History> sniffed = ParseHistoryText(v.text, "h");
    ASSERT_TRUE(sniffed.ok()) << sniffed.status().message();
    EXPECT_EQ(Summary(*sniffed), Summary(expected));
  }
}

TEST(FormatEquivalenceTest, EveryFormatGivesTheSameReport) {
  StatusOr<std::unique_ptr<Model>> model = MakeModel("cas-register");
  ASSERT_TRUE(model.ok()) << model.status().message();
  CheckOptions check;
  check.threads = 1;
  auto report = [&](const History& h, std::string& edn, std::string& json) {
    StatusOr<CheckResult> r = CheckLinearizability(h, **model, check);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->verdict, Verdict::kNotLinearizable);
    FileReport file{"h", OkStatus(), &h, &*r};
    ReportOptions options;
    options.model_id = "cas-register";
    edn = RenderEdnReport({file}, options);
    json = RenderJsonReport({file}, options);
  };
  // JSON Lines has no keywords, so its EDN report differs in the error's kind only; the JSON
  // report, which writes keywords as ":name" strings, is the same.
  std::string json_edn, expected_json, expected_edn, unused;
  report(MustParse(kJsonLines, InputFormat::kJsonLines), json_edn, expected_json);
  report(MustParse(kEdnMaps, InputFormat::kEdn), expected_edn, unused);
  EXPECT_THAT(expected_edn, ::testing::HasSubstr(":valid? false"));
  EXPECT_THAT(expected_edn, ::testing::HasSubstr(":error :timed-out"));
  for (const Version& v : kVersions) {
    SCOPED_TRACE(v.label);
    if (v.text == kJepsenLog) continue;  // its header line shifts every line number
    const History h = MustParse(v.text, v.format);
    std::string edn, json;
    report(h, edn, json);
    EXPECT_EQ(edn, expected_edn);
    EXPECT_EQ(json, expected_json);
  }
}

TEST(FormatEquivalenceTest, KeysMatchAcrossJsonEdnAndIndependentTuples) {
  const char* json =
      R"({"process":0,"type":"invoke","f":"put","key":"x","value":"a"}
{"process":0,"type":"ok","f":"put","key":"x","value":"a"}
)";
  const char* edn =
      "{:process 0, :type :invoke, :f :put, :key \"x\", :value \"a\"}\n"
      "{:process 0, :type :ok, :f :put, :key \"x\", :value \"a\"}\n";
  const char* tuples =
      "{:process 0, :type :invoke, :f :put, :value #jepsen.independent.Tuple{:key \"x\", "
      ":value \"a\"}}\n"
      "{:process 0, :type :ok, :f :put, :value #jepsen.independent/tuple [\"x\" \"a\"]}\n";
  const History expected = MustParse(json, InputFormat::kJsonLines);
  ASSERT_EQ(expected.ops.size(), 1u);
  EXPECT_EQ(Summary(MustParse(edn, InputFormat::kEdn)), Summary(expected));
  EXPECT_EQ(Summary(MustParse(tuples, InputFormat::kEdn)), Summary(expected));
}

}  // namespace
}  // namespace fenceline
