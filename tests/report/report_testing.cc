#include "report/report_testing.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "testing/run_cli.h"

namespace fenceline::testing {
namespace {

// A static object, destroyed at exit, not a pointer leaked on purpose: RapidJSON packs flags
// into the top 16 bits of its string pointers (RAPIDJSON_48BITPOINTER_OPTIMIZATION), so
// LeakSanitizer cannot follow them, and the schema's property names held only that way were
// reported as leaks (56 report tests failed under ASan) although the document still owned them.
const rapidjson::SchemaDocument& Schema() {
  static const rapidjson::SchemaDocument schema = [] {
    rapidjson::Document d;
    d.Parse(Slurp(SourcePath("docs/report.schema.json")).c_str());
    if (d.HasParseError()) std::abort();  // the schema itself is checked by its own test
    return rapidjson::SchemaDocument(d);
  }();
  return schema;
}

// What `xmllint --schema tests/report/junit.xsd` says of `xml` ("" if it validates). xmllint
// comes with Debian's libxml2-utils (scripts/setup.sh); without it the check fails, it is
// never skipped.
std::string XsdErrors(const std::string& xml) {
  char name[] = "/tmp/fenceline-junit-XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) return "cannot create a temporary file";
  close(fd);
  std::ofstream(name, std::ios::binary) << xml;
  const std::string command = "xmllint --noout --schema '" +
                              SourcePath("tests/report/junit.xsd") + "' '" + name + "' 2>&1";
  std::string out;
  int status = -1;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    status = pclose(p);
  }
  std::remove(name);
  if (status == 0) return "";
  if (out.find("not found") != std::string::npos || status == -1) {
    return "xmllint did not run (Debian package libxml2-utils, scripts/setup.sh): " + out;
  }
  return "junit.xsd: " + out;
}

// A minimal XML reader for the subset JUnit uses: elements, attributes, text, the five
// entities and numeric references; no DTD, comments or CDATA (the writer emits none).
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<Element> children;
  std::string text;
};

class XmlReader {
 public:
  explicit XmlReader(const std::string& s) : s_(s) {}

  std::string Read(Element& root) {
    Skip();
    if (s_.compare(i_, 5, "<?xml") == 0) {
      const size_t end = s_.find("?>", i_);
      if (end == std::string::npos) return "unterminated declaration";
      i_ = end + 2;
    }
    Skip();
    std::string e = ReadElement(root, 0);
    if (!e.empty()) return e;
    Skip();
    return i_ == s_.size() ? "" : "content after the root element at " + std::to_string(i_);
  }

 private:
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  std::string Name() {
    const size_t from = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '_' || s_[i_] == ':' || s_[i_] == '.')) {
      ++i_;
    }
    return s_.substr(from, i_ - from);
  }
  std::string Decode(const std::string& raw, std::string& out) {
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '<') return "raw '<' in text";
      if (raw[k] != '&') {
        out += raw[k];
        continue;
      }
      const size_t semi = raw.find(';', k);
      if (semi == std::string::npos) return "unterminated entity";
      const std::string ent = raw.substr(k + 1, semi - k - 1);
      if (ent == "amp") out += '&';
      else if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (!ent.empty() && ent[0] == '#') out += '?';
      else return "unknown entity &" + ent + ";";
      k = semi;
    }
    return "";
  }
  std::string ReadElement(Element& e, int depth) {
    if (depth > 10) return "nesting too deep";
    if (i_ >= s_.size() || s_[i_] != '<') return "expected '<' at " + std::to_string(i_);
    ++i_;
    e.name = Name();
    if (e.name.empty()) return "empty element name at " + std::to_string(i_);
    for (;;) {
      Skip();
      if (i_ >= s_.size()) return "unterminated <" + e.name;
      if (s_.compare(i_, 2, "/>") == 0) {
        i_ += 2;
        return "";
      }
      if (s_[i_] == '>') {
        ++i_;
        break;
      }
      const std::string attr = Name();
      if (attr.empty() || i_ >= s_.size() || s_[i_] != '=') return "bad attribute in <" + e.name;
      ++i_;
      if (i_ >= s_.size() || s_[i_] != '"') return "unquoted attribute " + attr;
      const size_t end = s_.find('"', i_ + 1);
      if (end == std::string::npos) return "unterminated attribute " + attr;
      std::string value;
      if (std::string err = Decode(s_.substr(i_ + 1, end - i_ - 1), value); !err.empty()) return err;
      if (e.attrs.count(attr)) return "duplicate attribute " + attr;
      e.attrs[attr] = value;
      i_ = end + 1;
    }
    for (;;) {
      const size_t lt = s_.find('<', i_);
      if (lt == std::string::npos) return "unterminated <" + e.name + ">";
      if (std::string err = Decode(s_.substr(i_, lt - i_), e.text); !err.empty()) return err;
      i_ = lt;
      if (s_.compare(i_, 2, "</") == 0) {
        i_ += 2;
        if (Name() != e.name) return "mismatched </...> for <" + e.name + ">";
        Skip();
        if (i_ >= s_.size() || s_[i_] != '>') return "bad end tag";
        ++i_;
        return "";
      }
      e.children.emplace_back();
      if (std::string err = ReadElement(e.children.back(), depth + 1); !err.empty()) return err;
    }
  }

  const std::string& s_;
  size_t i_ = 0;
};

bool IsCount(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ValidUtf8ForXmlImpl(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

bool IsUtf8Text(const std::string& s) { return ValidUtf8ForXmlImpl(s); }

std::string SchemaErrors(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
  if (d.HasParseError()) {
    return std::string("not valid UTF-8 JSON at ") + std::to_string(d.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(d.GetParseError());
  }
  rapidjson::SchemaValidator validator(Schema());
  if (d.Accept(validator)) return "";
  rapidjson::StringBuffer where, rule;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(rule);
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return std::string("schema violation: ") + where.GetString() + " fails " + rule.GetString() +
         " (" + validator.GetInvalidSchemaKeyword() + ")";
}

std::string JunitErrors(const std::string& xml) {
  if (!IsUtf8Text(xml)) return "not valid UTF-8, or a control character XML forbids";
  Element root;
  if (std::string e = XmlReader(xml).Read(root); !e.empty()) return "not well-formed: " + e;
  if (root.name != "testsuites") return "root is <" + root.name + ">, not <testsuites>";
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  for (const Element& suite : root.children) {
    if (suite.name != "testsuite") return "<" + suite.name + "> inside <testsuites>";
    for (const char* a : {"name", "tests", "failures", "errors", "skipped", "time"}) {
      if (!suite.attrs.count(a)) return std::string("<testsuite> without ") + a;
    }
    for (const char* a : {"tests", "failures", "errors", "skipped"}) {
      if (!IsCount(suite.attrs.at(a))) return std::string("<testsuite> ") + a + " is not a count";
    }
    size_t f = 0, e = 0, k = 0, n = 0;
    for (const Element& c : suite.children) {
      if (c.name == "system-out" || c.name == "system-err" || c.name == "properties") continue;
      if (c.name != "testcase") return "<" + c.name + "> inside <testsuite>";
      ++n;
      for (const char* a : {"name", "classname", "time"}) {
        if (!c.attrs.count(a)) return std::string("<testcase> without ") + a;
      }
      int outcomes = 0;
      for (const Element& r : c.children) {
        if (r.name == "failure" || r.name == "error") {
          if (!r.attrs.count("message")) return "<" + r.name + "> without message";
          (r.name == "failure" ? f : e) += 1;
          ++outcomes;
        } else if (r.name == "skipped") {
          ++k;
          ++outcomes;
        } else if (r.name != "system-out" && r.name != "system-err") {
          return "<" + r.name + "> inside <testcase>";
        }
      }
      if (outcomes > 1) return "a <testcase> with more than one outcome";
    }
    if (std::to_string(n) != suite.attrs.at("tests") ||
        std::to_string(f) != suite.attrs.at("failures") ||
        std::to_string(e) != suite.attrs.at("errors") ||
        std::to_string(k) != suite.attrs.at("skipped")) {
      return "counts of <testsuite name=\"" + suite.attrs.at("name") + "\"> do not add up";
    }
    tests += n;
    failures += f;
    errors += e;
    skipped += k;
  }
  for (const auto& [a, n] : {std::pair<const char*, size_t>{"tests", tests},
                             {"failures", failures},
                             {"errors", errors},
                             {"skipped", skipped}}) {
    if (!root.attrs.count(a) || root.attrs.at(a) != std::to_string(n)) {
      return std::string("<testsuites> ") + a + " does not add up";
    }
  }
  return XsdErrors(xml);
}

std::vector<Sample> Samples() {
  namespace fs = std::filesystem;
  std::vector<Sample> samples;
  const fs::path root = SourcePath("histories");
  for (const auto& model_dir : fs::directory_iterator(root)) {
    if (!model_dir.is_directory()) continue;
    const std::string model = model_dir.path().filename().string();
    if (model == "etcd" || model == "record") continue;
    for (const char* kind : {"valid", "invalid", "skew"}) {
      const fs::path dir = model_dir.path() / kind;
      if (!fs::is_directory(dir)) continue;
      for (const auto& f : fs::directory_iterator(dir)) {
        if (f.path().extension() == ".md") continue;
        samples.push_back({f.path().string(), model, {}});
      }
    }
  }
  // histories/README.md gives the flags a sample needs: "| model/valid/x.edn | `--initial 0`: ...".
  std::istringstream readme(Slurp(SourcePath("histories/README.md")));
  std::string line;
  while (std::getline(readme, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    const size_t bar = line.find(" | `--", 2);
    if (bar == std::string::npos) continue;
    const std::string name = line.substr(2, bar - 2);
    const size_t from = bar + 4, to = line.find('`', from);
    if (to == std::string::npos) continue;
    std::istringstream words(line.substr(from, to - from));
    std::vector<std::string> flags;
    for (std::string w; words >> w;) flags.push_back(w);
    for (Sample& sample : samples) {
      if (sample.path.size() >= name.size() &&
          sample.path.compare(sample.path.size() - name.size(), name.size(), name) == 0) {
        sample.flags = flags;
      }
    }
  }
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return samples;
}

}  // namespace fenceline::testing
