// register and cas-register, and the single-cell compiled spec kv shares with them.
//   read        ok value v: the register held v; an ok read of nil follows --nil-reads
//   write v     sets it
//   cas [a b]   ok: held a, now holds b
// A failed operation did not take place and constrains nothing (Jepsen); with --fail-observes
// a failed cas observed a value other than a (Porcupine), and other failures stay inert.
// Info operations may have taken effect at any point after their invoke, or never.
#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "checker/model/models.h"
#include "checker/model/register_spec.h"

namespace fenceline::internal {
namespace {

enum class Kind : uint8_t { kRead, kWrite, kCas, kAppend };

struct CompiledOp {
  Kind kind = Kind::kRead;
  Outcome outcome = Outcome::kOk;
  bool relevant = true;
  // read: a = expected, b = 1 if a write or cas could have set a prefix of it (lookahead off);
  // write: a = new; cas: a = from, b = to; append: a = suffix id.
  uint64_t a = 0, b = 0;
};

class RegisterSpec final : public PartitionSpec {
 public:
  RegisterSpec(std::vector<CompiledOp> ops, ValueInterner values, uint64_t init, bool has_appends,
               std::vector<std::vector<uint32_t>> resets_for_read,
               std::vector<std::vector<uint32_t>> witnesses)
      : ops_(std::move(ops)),
        values_(std::move(values)),
        init_(init),
        has_appends_(has_appends),
        resets_for_read_(std::move(resets_for_read)),
        witnesses_(std::move(witnesses)) {}

  // Between writes a key's value only grows by appends, so a pending read must return an
  // extension of the current value, unless a write (or cas) it extends could come first.
  bool HasLookahead() const override { return has_appends_; }
  bool Reachable(uint64_t state, uint32_t i, const std::vector<bool>& linearized) override {
    const CompiledOp& o = ops_[i];
    if (o.kind != Kind::kRead || !o.relevant) return true;
    if (o.b != 0) {
      for (uint32_t w : resets_for_read_[o.b - 1]) {
        if (!linearized[w]) return true;  // that write may still come first
      }
    }
    const Value& now = values_.Get(state);
    const Value& seen = values_.Get(o.a);
    if (!now.is_string() || !seen.is_string()) return true;
    return seen.text().compare(0, now.text().size(), now.text()) == 0;
  }

  // An append whose text only it can produce, seen by a read: that read must come later and
  // extend the value right after the append (no write may erase the text in between).
  bool Viable(uint64_t state, uint32_t i, const std::vector<bool>& linearized) override {
    if (witnesses_.empty() || witnesses_[i].empty()) return true;
    const Value& now = values_.Get(state);
    if (!now.is_string()) return true;
    int checked = 0;
    for (uint32_t r : witnesses_[i]) {
      if (linearized[r]) return false;  // it saw the text before the append took effect
      if (checked < 4) {
        ++checked;
        const Value& seen = values_.Get(ops_[r].a);
        if (seen.text().compare(0, now.text().size(), now.text()) != 0) return false;
      }
    }
    return true;
  }

  bool Relevant(uint32_t op) const override { return ops_[op].relevant; }
  uint64_t Init() override { return init_; }
  bool Pure(uint32_t op) const override {
    const CompiledOp& o = ops_[op];
    return o.kind == Kind::kRead || (o.kind == Kind::kCas && o.outcome == Outcome::kFail);
  }

  std::optional<uint64_t> Step(uint64_t state, uint32_t i) override {
    const CompiledOp& o = ops_[i];
    switch (o.kind) {
      case Kind::kRead:
        if (state == o.a) return state;
        return std::nullopt;
      case Kind::kWrite:
        return o.a;
      case Kind::kCas:
        switch (o.outcome) {
          case Outcome::kOk: return state == o.a ? std::optional<uint64_t>(o.b) : std::nullopt;
          case Outcome::kFail: return state != o.a ? std::optional<uint64_t>(state) : std::nullopt;
          case Outcome::kInfo: return state == o.a ? o.b : state;
        }
        return std::nullopt;
      case Kind::kAppend:
        return Append(state, o.a);
    }
    return std::nullopt;
  }

  Value Describe(uint64_t state) const override { return values_.Get(state); }

 private:
  uint64_t Append(uint64_t state, uint64_t suffix) {
    // Backtracking revisits the same (state, append) pairs; building and hashing the string
    // again each time would dominate the search on long values.
    const uint64_t key = state * 0x9e3779b97f4a7c15ULL ^ suffix;
    auto [it, inserted] = appended_.try_emplace(key, std::make_pair(state, suffix), 0);
    if (!inserted && it->second.first == std::make_pair(state, suffix)) return it->second.second;
    const uint64_t next = BuildAppend(state, suffix);
    it->second = {std::make_pair(state, suffix), next};
    return next;
  }

  uint64_t BuildAppend(uint64_t state, uint64_t suffix) {
    const Value& cur = values_.Get(state);
    const Value& add = values_.Get(suffix);
    Value next;
    if (add.is_string() && (cur.is_string() || cur.is_nil())) {
      next = Value::String(cur.text() + add.text());
    } else {
      std::vector<Value> items = cur.is_sequential() ? cur.items() : std::vector<Value>{};
      items.push_back(add);
      next = Value::Vector(std::move(items));
    }
    return values_.Intern(next);
  }

  std::vector<CompiledOp> ops_;
  ValueInterner values_;
  uint64_t init_;
  bool has_appends_;
  // (state, suffix) -> state after the append; keyed by a hash, verified by the pair.
  std::unordered_map<uint64_t, std::pair<std::pair<uint64_t, uint64_t>, uint64_t>> appended_;
  // For reads with b != 0: the writes and cas (spec indices) whose value the read extends.
  std::vector<std::vector<uint32_t>> resets_for_read_;
  // Per append (spec index): the reads that show its text; empty when the texts are not
  // self-delimiting (see FindWitnesses).
  std::vector<std::vector<uint32_t>> witnesses_;
};

// The value an operation carries: the tuple's second element when keys come in tuples.
const Value& Payload(const Value& v, bool tuples, bool has_key) {
  if (tuples && !has_key && IsPair(v)) return v.items()[1];
  return v;
}

// An operation of unknown outcome whose effect nothing observed can be taken never to have
// happened: if some linearization applies it, dropping it leaves one too, since the value it
// set was read by no one (not even extended by appends) and compared by no cas before the
// next write replaced it. A failed
// cas is the exception (any other value satisfies it), so with failed cas around nothing is
// dropped.
void DropUnobservedUnknowns(std::vector<CompiledOp>& ops, const ValueInterner& values) {
  std::vector<uint64_t> seen;  // values reads returned and cas expected
  for (const CompiledOp& c : ops) {
    if (c.kind == Kind::kCas && c.outcome == Outcome::kFail && c.relevant) return;
    if (c.kind == Kind::kRead && c.relevant) seen.push_back(c.a);
    if (c.kind == Kind::kCas && c.relevant) seen.push_back(c.a);
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  bool appends = false;
  for (const CompiledOp& c : ops) appends |= c.kind == Kind::kAppend;
  // With appends, a written value is also observed through the values appended to it.
  auto observed = [&](uint64_t v) {
    if (std::binary_search(seen.begin(), seen.end(), v)) return true;
    if (!appends) return false;
    const Value& w = values.Get(v);
    for (uint64_t r : seen) {
      const Value& s = values.Get(r);
      if (!s.is_string() || !w.is_string() || s.text().compare(0, w.text().size(), w.text()) == 0) {
        return true;
      }
    }
    return false;
  };
  auto appended_seen = [&](uint64_t suffix) {
    const Value& add = values.Get(suffix);
    if (!add.is_string() || add.text().empty()) return true;
    for (uint64_t v : seen) {
      const Value& s = values.Get(v);
      if (!s.is_string() || s.text().find(add.text()) != std::string::npos) return true;
    }
    return false;
  };
  for (CompiledOp& c : ops) {
    if (c.outcome != Outcome::kInfo) continue;
    if (c.kind == Kind::kWrite && !observed(c.a)) c.relevant = false;
    if (c.kind == Kind::kCas && !observed(c.b)) c.relevant = false;
    if (c.kind == Kind::kAppend && !appended_seen(c.a)) c.relevant = false;
  }
}

// For the lookahead: a read whose value extends the value some write or cas sets may follow
// that write, whatever came before, as long as the write is not yet linearized and began
// before the read ended. Returns, per such read (c.b - 1), those writes.
std::vector<std::vector<uint32_t>> FindResetsForReads(std::vector<CompiledOp>& ops,
                                                      const std::vector<const Operation*>& src,
                                                      const ValueInterner& values) {
  std::vector<std::vector<uint32_t>> lists;
  std::vector<uint32_t> resets;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompiledOp& c = ops[i];
    if (c.relevant && (c.kind == Kind::kWrite || (c.kind == Kind::kCas && c.outcome != Outcome::kFail))) {
      resets.push_back(i);
    }
  }
  for (uint32_t r = 0; r < ops.size(); ++r) {
    CompiledOp& c = ops[r];
    if (c.kind != Kind::kRead || !c.relevant) continue;
    const Value& seen = values.Get(c.a);
    std::vector<uint32_t> mine;
    for (uint32_t w : resets) {
      const CompiledOp& wc = ops[w];
      const Value& set = values.Get(wc.kind == Kind::kWrite ? wc.a : wc.b);
      if (src[w]->call > src[r]->ret) continue;  // began after the read ended
      if (!seen.is_string() || !set.is_string() ||
          seen.text().compare(0, set.text().size(), set.text()) == 0) {
        mine.push_back(w);
      }
    }
    c.b = 0;
    if (!mine.empty()) {
      lists.push_back(std::move(mine));
      c.b = lists.size();
    }
  }
  return lists;
}

// Which reads show which append. Sound only when an appended text in a read can have come from
// that append alone, so it applies when values are self-delimiting, as in Porcupine's and
// Jepsen's append workloads ("x 3 1 y"): every append text and every written value starts with
// one marker character that appears nowhere else in an append text, and each text is appended
// once and written by no write. Then the text shows in a read as a whole block (at a marker,
// followed by a marker or the end) only if that append took effect before the read, after the
// write the read extends. Returns nothing (no pruning) when the values are not of that form.
std::vector<std::vector<uint32_t>> FindWitnesses(const std::vector<CompiledOp>& ops,
                                                 const ValueInterner& values, uint64_t init) {
  char marker = 0;
  std::map<std::string, int> appended;
  std::vector<const std::string*> written;
  for (const CompiledOp& c : ops) {
    if (!c.relevant) continue;
    if (c.kind == Kind::kAppend) {
      const Value& t = values.Get(c.a);
      if (!t.is_string() || t.text().empty()) return {};
      if (marker == 0) marker = t.text()[0];
      if (t.text()[0] != marker || t.text().find(marker, 1) != std::string::npos) return {};
      ++appended[t.text()];
    } else if (c.kind == Kind::kWrite || (c.kind == Kind::kCas && c.outcome != Outcome::kFail)) {
      written.push_back(&values.Get(c.kind == Kind::kWrite ? c.a : c.b).text());
      if (!values.Get(c.kind == Kind::kWrite ? c.a : c.b).is_string()) return {};
    }
  }
  if (marker == 0) return {};
  const Value& initial = values.Get(init);
  if (!initial.is_string()) return {};
  written.push_back(&initial.text());
  for (const std::string* w : written) {
    if (!w->empty() && (*w)[0] != marker) return {};
  }
  auto has_block = [marker](const std::string& v, const std::string& t) {
    for (size_t p = v.find(t); p != std::string::npos; p = v.find(t, p + 1)) {
      if (p + t.size() == v.size() || v[p + t.size()] == marker) return true;
    }
    return false;
  };
  std::vector<std::vector<uint32_t>> witnesses(ops.size());
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompiledOp& c = ops[i];
    if (!c.relevant || c.kind != Kind::kAppend) continue;
    const std::string& t = values.Get(c.a).text();
    if (appended[t] != 1) continue;
    bool in_write = false;
    for (const std::string* w : written) in_write |= has_block(*w, t);
    if (in_write) continue;
    for (uint32_t r = 0; r < ops.size(); ++r) {
      const CompiledOp& rc = ops[r];
      if (rc.kind != Kind::kRead || !rc.relevant || !values.Get(rc.a).is_string()) continue;
      if (has_block(values.Get(rc.a).text(), t)) witnesses[i].push_back(r);
    }
  }
  return witnesses;
}

}  // namespace

StatusOr<std::unique_ptr<PartitionSpec>> CompileRegister(const std::vector<const Operation*>& ops,
                                                         std::string_view source,
                                                         const RegisterDialect& dialect,
                                                         const Value& initial) {
  ValueInterner values;
  auto intern = [&](const Value& v) {
    if (dialect.nil_is_empty && v.is_nil()) return values.Intern(Value::String(""));
    return values.Intern(v);
  };
  const uint64_t init = intern(initial);
  const uint64_t nil = intern(Value());
  // --nil-reads auto: nil is a value where the register can hold it, from the start or from
  // an operation that may have taken place (a failed one did not) and writes nil.
  bool nil_is_state = init == nil;
  for (const Operation* op : ops) {
    if (nil_is_state) break;
    if (op->outcome == Outcome::kFail) continue;
    const Value& in = Payload(op->input, dialect.tuples, op->key.has_value());
    if (op->f == "write" || (dialect.append && op->f == "put")) {
      nil_is_state = intern(in) == nil;
    } else if (op->f == "cas" && IsPair(in)) {
      nil_is_state = intern(in.items()[1]) == nil;
    }
  }
  const bool nil_reads_are_values =
      dialect.nil_reads == NilReads::kValue ||
      (dialect.nil_reads == NilReads::kAuto && nil_is_state);
  std::vector<CompiledOp> compiled;
  compiled.reserve(ops.size());
  for (const Operation* op : ops) {
    CompiledOp c;
    c.outcome = op->outcome;
    const bool has_key = op->key.has_value();
    const Value& in = Payload(op->input, dialect.tuples, has_key);
    const Value& out = Payload(op->output, dialect.tuples, has_key);
    const std::string& f = op->f;
    if (f == "read" || (dialect.append && f == "get")) {
      c.kind = Kind::kRead;
      // Only an ok read observed anything, and a read of nil only where nil is a value.
      c.relevant = op->outcome == Outcome::kOk && (nil_reads_are_values || !out.is_nil());
      c.a = intern(out);
    } else if (f == "write" || (dialect.append && f == "put")) {
      c.kind = Kind::kWrite;
      c.relevant = op->outcome != Outcome::kFail;
      c.a = intern(in);
    } else if (f == "cas" && (dialect.cas || dialect.append)) {
      c.kind = Kind::kCas;
      if (!IsPair(in)) return BadValue(source, *op, dialect.model, "a value [from to]", in);
      c.a = intern(in.items()[0]);
      c.b = intern(in.items()[1]);
      c.relevant = op->outcome != Outcome::kFail || dialect.fail_observes;
    } else if (dialect.append && f == "append") {
      c.kind = Kind::kAppend;
      c.relevant = op->outcome != Outcome::kFail;
      c.a = values.Intern(in);
    } else {
      return UnknownOperation(source, *op, dialect.model, dialect.operations);
    }
    compiled.push_back(c);
  }
  DropUnobservedUnknowns(compiled, values);
  bool has_appends = false;
  for (const CompiledOp& c : compiled) has_appends |= c.kind == Kind::kAppend && c.relevant;
  std::vector<std::vector<uint32_t>> resets, witnesses;
  if (has_appends) {
    resets = FindResetsForReads(compiled, ops, values);
    witnesses = FindWitnesses(compiled, values, init);
  }
  return std::unique_ptr<PartitionSpec>(
      std::make_unique<RegisterSpec>(std::move(compiled), std::move(values), init, has_appends,
                                     std::move(resets), std::move(witnesses)));
}

namespace {

class RegisterModel final : public Model {
 public:
  RegisterModel(const ModelOptions& options, bool cas)
      : initial_(options.initial.value_or(Value())),
        cas_(cas),
        fail_observes_(options.fail_observes),
        nil_reads_(options.nil_reads) {}

  std::string_view id() const override { return cas_ ? "cas-register" : "register"; }
  std::string_view description() const override {
    return cas_ ? "a single register with compare-and-set, starting at nil (--initial overrides)"
                : "a single read/write register, starting at nil (--initial overrides)";
  }
  std::vector<OperationDoc> operations() const override {
    std::vector<OperationDoc> docs = {
        {"read", "ok value v: the register held v (an ok read of nil: see --nil-reads)"},
        {"write", "value v: sets the register to v"},
    };
    if (cas_) {
      docs.push_back({"cas", "value [from to]; ok: held from, now holds to; fail: did not take "
                             "place (--fail-observes: did not hold from)"});
    }
    return docs;
  }

  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const override {
    RegisterDialect d;
    d.model = id();
    d.operations = cas_ ? "read, write, cas" : "read, write";
    d.cas = cas_;
    d.fail_observes = fail_observes_;
    d.nil_reads = nil_reads_;
    return CompileRegister(ops, source, d, initial_);
  }

 private:
  Value initial_;
  bool cas_;
  bool fail_observes_;
  NilReads nil_reads_;
};

}  // namespace

std::unique_ptr<Model> MakeRegisterModel(const ModelOptions& options, bool cas) {
  return std::make_unique<RegisterModel>(options, cas);
}

}  // namespace fenceline::internal
