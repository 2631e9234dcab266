// The table of models. `fenceline models` and MakeModel read the same table, so the list users
// see is the list that exists.
#include <algorithm>
#include <functional>

#include "checker/model/fenced_register_model.h"
#include "checker/model/model_util.h"
#include "checker/model/models.h"
#include "fenceline/model.h"

namespace fenceline {

StatusOr<Value> Model::PartitionOf(const Operation& op) const {
  return op.key ? *op.key : Value();
}

namespace internal {

std::string OpWhere(std::string_view source, const Operation& op) {
  const SourcePos& pos = op.complete_pos.line ? op.complete_pos : op.invoke_pos;
  return std::string(source) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
         ": ";
}

Status UnknownOperation(std::string_view source, const Operation& op, std::string_view model,
                        std::string_view operations) {
  return Unsupported(OpWhere(source, op) + std::string(model) + " has no operation '" + op.f +
                     "' (operations: " + std::string(operations) + ")");
}

Status BadValue(std::string_view source, const Operation& op, std::string_view model,
                std::string_view what, const Value& got) {
  return Unsupported(OpWhere(source, op) + std::string(model) + ": expected " + std::string(what) +
                     " for " + op.f + ", got " + got.ToEdn());
}

bool IsPair(const Value& v) { return v.is_sequential() && v.items().size() == 2; }

}  // namespace internal

namespace {

struct Entry {
  std::string_view id;
  std::function<std::unique_ptr<Model>(const ModelOptions&)> make;
};

const std::vector<Entry>& Registry() {
  static const std::vector<Entry> kModels = {
      {"register", [](const ModelOptions& o) { return internal::MakeRegisterModel(o, false); }},
      {"cas-register", [](const ModelOptions& o) { return internal::MakeRegisterModel(o, true); }},
      {"kv", [](const ModelOptions& o) { return internal::MakeKvModel(o); }},
      {"multi-register", [](const ModelOptions& o) { return internal::MakeMultiRegisterModel(o); }},
      {"mutex", [](const ModelOptions&) { return internal::MakeMutexModel(); }},
      {"set", [](const ModelOptions&) { return internal::MakeSetModel(); }},
      {"unordered-queue", [](const ModelOptions&) { return internal::MakeQueueModel(false); }},
      {"fifo-queue", [](const ModelOptions&) { return internal::MakeQueueModel(true); }},
      {"fenced-register", [](const ModelOptions& o) { return internal::MakeFencedRegisterModel(o); }},
  };
  return kModels;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> ModelIds() {
  std::vector<std::string> ids;
  for (const Entry& e : Registry()) ids.emplace_back(e.id);
  return ids;
}

StatusOr<std::unique_ptr<Model>> MakeModel(std::string_view id, const ModelOptions& options) {
  for (const Entry& e : Registry()) {
    if (e.id == id) return e.make(options);
  }
  std::string best;
  size_t best_distance = 3;  // suggest only near misses
  for (const Entry& e : Registry()) {
    size_t d = EditDistance(id, e.id);
    if (d < best_distance) {
      best_distance = d;
      best = e.id;
    }
  }
  std::string msg = "unknown model '" + std::string(id) + "'";
  if (!best.empty()) msg += ", did you mean '" + best + "'?";
  else msg += " (see `fenceline models`)";
  return NotFound(msg);
}

}  // namespace fenceline
