// checker/model/register_spec.h
//
// The compiled form shared by register, cas-register and each key of kv: a single cell whose
// values are interned to ids. Reads and failed cas are pure; append extends a string (or a
// list) and interns the result on the fly, so kv states are created only as the search
// reaches them.
#ifndef FENCELINE_CHECKER_MODEL_REGISTER_SPEC_H_
#define FENCELINE_CHECKER_MODEL_REGISTER_SPEC_H_

#include <string_view>
#include <vector>

#include "checker/model/model_util.h"
#include "checker/model/models.h"
#include "fenceline/model.h"

namespace fenceline::internal {

struct RegisterDialect {
  std::string_view model;       // for messages: "cas-register"
  std::string_view operations;  // for messages: "read, write, cas"
  bool cas = false;
  bool append = false;          // kv: append, and the get/put aliases
  bool tuples = false;          // kv: a value may be a [key value] tuple
  bool nil_is_empty = false;    // kv: an unset key reads as "" (Porcupine's convention) or nil
  bool fail_observes = false;   // a failed cas observed a value other than `from`
  NilReads nil_reads = NilReads::kAuto;
};

// Compiles one partition of register-like operations. With `cache` (from
// NewRegisterCompileCache(), used with one dialect and initial value only): as CachedCompiler.
StatusOr<std::unique_ptr<PartitionSpec>> CompileRegister(const std::vector<const Operation*>& ops,
                                                         std::string_view source,
                                                         const RegisterDialect& dialect,
                                                         const Value& initial,
                                                         CompileCache* cache = nullptr);
std::unique_ptr<CompileCache> NewRegisterCompileCache();

// The models CompileRegister compiles (register, cas-register, kv), each given by its dialect
// and initial value; compiled afresh or with a cache (CachedCompiler).
class RegisterFamilyModel : public Model, public CachedCompiler {
 public:
  StatusOr<std::unique_ptr<PartitionSpec>> Compile(const std::vector<const Operation*>& ops,
                                                   std::string_view source) const final {
    return CompileRegister(ops, source, Dialect(), Initial());
  }
  std::unique_ptr<CompileCache> NewCompileCache() const final { return NewRegisterCompileCache(); }
  StatusOr<std::unique_ptr<PartitionSpec>> CompileCached(const std::vector<const Operation*>& ops,
                                                         std::string_view source,
                                                         CompileCache& cache) const final {
    return CompileRegister(ops, source, Dialect(), Initial(), &cache);
  }

 protected:
  virtual RegisterDialect Dialect() const = 0;
  virtual const Value& Initial() const = 0;
};

// What CompileRegister derives from the operations, spelled out per operation, so that tests
// can hold it against a brute-force definition. Slow; for tests only.
struct RegisterCompileView {
  enum class Kind : uint8_t { kRead, kWrite, kCas, kAppend };
  struct Op {
    Kind kind = Kind::kRead;
    Outcome outcome = Outcome::kOk;
    bool relevant_compiled = true;  // as compiled from the operation alone
    bool relevant = true;           // after unobserved unknown outcomes are dropped
    Value a, b;                     // read: seen; write: set; cas: from, to; append: suffix
    std::vector<uint32_t> resets;   // a read: the writes it may follow (lookahead), sorted
  };
  std::vector<Op> ops;
  Value init;
  bool has_appends = false;
  // Per operation: the reads that show an append's text (empty when not self-delimiting).
  std::vector<std::vector<uint32_t>> witnesses;
};
StatusOr<RegisterCompileView> InspectRegisterCompile(const std::vector<const Operation*>& ops,
                                                     std::string_view source,
                                                     const RegisterDialect& dialect,
                                                     const Value& initial);

}  // namespace fenceline::internal

#endif  // FENCELINE_CHECKER_MODEL_REGISTER_SPEC_H_
