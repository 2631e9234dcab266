// A user of the installed library: parses a history held in memory, checks it against the
// register model, and exits 0 only if a linearizable history and a violating one both get the
// verdicts they must.
#include <cstdio>
#include <memory>

#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"

namespace {

fenceline::Verdict Check(const char* text) {
  fenceline::StatusOr<fenceline::History> h = fenceline::ParseHistoryText(text, "inline");
  if (!h.ok()) {
    std::fprintf(stderr, "%s\n", h.status().message().c_str());
    return fenceline::Verdict::kUnknown;
  }
  auto model = fenceline::MakeModel("register");
  fenceline::StatusOr<fenceline::CheckResult> r = fenceline::CheckLinearizability(*h, **model);
  return r.ok() ? r->verdict : fenceline::Verdict::kUnknown;
}

}  // namespace

int main() {
  const char* ok =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":1}\n";
  const char* bad =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
      "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":2}\n";
  const fenceline::Verdict a = Check(ok), b = Check(bad);
  std::printf("linearizable history: %s; violating history: %s\n",
              std::string(fenceline::VerdictName(a)).c_str(),
              std::string(fenceline::VerdictName(b)).c_str());
  return a == fenceline::Verdict::kLinearizable && b == fenceline::Verdict::kNotLinearizable ? 0 : 1;
}
