// include/fenceline/history.h
//
// The history model, in Jepsen's conventions so that histories from Jepsen-style tests need no
// translation. An Event is one input record; HistoryBuilder pairs each invoke with the next
// completion of the same process into an Operation:
//   ok   - it took effect;
//   fail - it did not take effect, and it constrains nothing (with ModelOptions::fail_observes
//          a model may learn from it: a failed cas observed a value other than the expected one);
//   info - unknown: it may have taken effect at any point after its invoke, or never. An invoke
//          with no completion at the end of the history is treated the same way.
// Real-time order comes from `time` when every client event has one, otherwise from the order of
// the events in the input. Events of non-client processes (Jepsen's :nemesis) are kept for
// reports and take no part in any check.
#ifndef FENCELINE_HISTORY_H_
#define FENCELINE_HISTORY_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fenceline/status.h"
#include "fenceline/value.h"

namespace fenceline {

enum class ProcessId : uint32_t {};
enum class OpIndex : uint32_t {};
using Nanos = int64_t;

// Return time of an operation that never completed (info or pending): after everything.
inline constexpr Nanos kNever = std::numeric_limits<Nanos>::max();
// The range of event times HistoryBuilder accepts: +-2^62 ns, about 146 years either side of 0
// (Unix-epoch nanoseconds reach 2^62 in 2116). Outside it a time could collide with kNever or
// make the difference of two times overflow, so it is an error rather than a silent wrong
// verdict.
inline constexpr Nanos kMaxTime = Nanos{1} << 62;
inline constexpr Nanos kMinTime = -kMaxTime;

// An optional time in 8 bytes (std::optional<Nanos> takes 16): "no time" is kept as a value
// below kMinTime, which HistoryBuilder refuses as an event time. Reads like std::optional.
class OptionalNanos {
 public:
  constexpr OptionalNanos() = default;
  constexpr OptionalNanos(std::nullopt_t) {}                    // NOLINT(google-explicit-constructor)
  constexpr OptionalNanos(Nanos t) : t_(t) {}                   // NOLINT(google-explicit-constructor)
  constexpr OptionalNanos(std::optional<Nanos> t) : t_(t ? *t : kAbsent) {}  // NOLINT
  constexpr explicit operator bool() const { return t_ != kAbsent; }
  constexpr bool has_value() const { return t_ != kAbsent; }
  constexpr Nanos operator*() const { return t_; }
  constexpr Nanos value_or(Nanos otherwise) const { return t_ != kAbsent ? t_ : otherwise; }
  constexpr operator std::optional<Nanos>() const {  // NOLINT(google-explicit-constructor)
    return t_ != kAbsent ? std::optional<Nanos>(t_) : std::nullopt;
  }
  friend constexpr bool operator==(OptionalNanos a, OptionalNanos b) { return a.t_ == b.t_; }

 private:
  static constexpr Nanos kAbsent = std::numeric_limits<Nanos>::min();
  Nanos t_ = kAbsent;
};

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
std::string_view EventTypeName(EventType t);  // "invoke", "ok", "fail", "info"

// Where an event was read: 1-based line and column of its first character. line 0: built in code.
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
};

// An immutable string that reads like a const std::string: an operation's function and clock
// names. They repeat on every operation, so a Name is one pointer to a shared,
// reference-counted copy (HistoryBuilder gives equal names of a history one copy); "" needs no
// copy at all. Copies may be used from distinct threads (the count is atomic).
class Name {
 public:
  Name() noexcept = default;
  Name(std::string_view s);  // NOLINT(google-explicit-constructor): reads like a std::string
  Name(const std::string& s) : Name(std::string_view(s)) {}  // NOLINT(google-explicit-constructor)
  Name(const char* s) : Name(std::string_view(s)) {}          // NOLINT(google-explicit-constructor)
  Name(const Name& other) noexcept : box_(other.box_) {
    if (box_ != nullptr) box_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Name(Name&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {}
  Name& operator=(const Name& other) noexcept {
    Name copy(other);
    std::swap(box_, copy.box_);
    return *this;
  }
  Name& operator=(Name&& other) noexcept {
    Name moved(std::move(other));
    std::swap(box_, moved.box_);
    return *this;
  }
  ~Name() {
    if (box_ != nullptr && box_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete box_;
  }

  const std::string& str() const { return box_ != nullptr ? box_->text : EmptyText(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return str(); }    // NOLINT(google-explicit-constructor)
  bool empty() const { return box_ == nullptr; }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  char operator[](size_t i) const { return str()[i]; }

  friend bool operator==(const Name& a, const Name& b) {
    return a.box_ == b.box_ || a.str() == b.str();
  }
  friend bool operator==(const Name& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const Name& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const Name& a, const char* b) { return a.str() == b; }
  friend bool operator<(const Name& a, const Name& b) { return a.str() < b.str(); }
  friend std::string operator+(const std::string& a, const Name& b) { return a + b.str(); }
  friend std::string operator+(std::string&& a, const Name& b) { return std::move(a) + b.str(); }
  friend std::string operator+(const char* a, const Name& b) { return a + b.str(); }
  friend std::string operator+(const Name& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const Name& a, const char* b) { return a.str() + b; }
  friend std::ostream& operator<<(std::ostream& os, const Name& n);

 private:
  struct Box {
    explicit Box(std::string_view s) : text(s) {}
    std::atomic<size_t> refs{1};
    std::string text;
  };
  static const std::string& EmptyText();

  Box* box_ = nullptr;
};

struct Event {
  Value process;              // an Int for clients; a String or Keyword (e.g. :nemesis) otherwise
  EventType type = EventType::kInvoke;
  std::string f;              // the function, without a leading colon: "cas"
  Value value;
  std::optional<Value> key;   // an explicit `key` field, if any
  std::optional<Nanos> time;  // nanoseconds, on the clock named by `node`
  Value error;                // `error` field, nil if absent
  std::string node;           // the clock that stamped `time`; "" for the single default clock
  // Every other field, in input order, kept for reports.
  std::vector<std::pair<std::string, Value>> extra;
  SourcePos pos;
};

// An operation's fields beyond those Operation names (invoke's, then completion's), in input
// order, kept for reports. Most histories have none, so they live out of line: 8 bytes for an
// operation without any. Reads like the std::vector it holds.
class ExtraFields {
 public:
  using value_type = std::pair<std::string, Value>;
  using Fields = std::vector<value_type>;
  using const_iterator = Fields::const_iterator;
  using iterator = const_iterator;
  using size_type = size_t;

  ExtraFields() = default;
  ExtraFields(Fields fields)  // NOLINT(google-explicit-constructor): reads like the vector
      : fields_(fields.empty() ? nullptr : std::make_unique<Fields>(std::move(fields))) {}
  ExtraFields(const ExtraFields& other)
      : fields_(other.fields_ ? std::make_unique<Fields>(*other.fields_) : nullptr) {}
  ExtraFields& operator=(const ExtraFields& other) {
    if (this != &other) fields_ = other.fields_ ? std::make_unique<Fields>(*other.fields_) : nullptr;
    return *this;
  }
  ExtraFields(ExtraFields&&) noexcept = default;
  ExtraFields& operator=(ExtraFields&&) noexcept = default;
  ~ExtraFields() = default;

  const_iterator begin() const { return fields().begin(); }
  const_iterator end() const { return fields().end(); }
  size_t size() const { return fields().size(); }
  bool empty() const { return fields_ == nullptr || fields_->empty(); }
  const value_type& operator[](size_t i) const { return fields()[i]; }
  void push_back(value_type field) {
    if (fields_ == nullptr) fields_ = std::make_unique<Fields>();
    fields_->push_back(std::move(field));
  }
  friend bool operator==(const ExtraFields& a, const ExtraFields& b) {
    return a.fields() == b.fields();
  }

 private:
  const Fields& fields() const { return fields_ != nullptr ? *fields_ : Empty(); }
  static const Fields& Empty();

  std::unique_ptr<Fields> fields_;
};

enum class Outcome : uint8_t { kOk, kFail, kInfo };
std::string_view OutcomeName(Outcome o);  // "ok", "fail", "info"

// What a history keeps for each operation, so it is kept compact (millions of them are held at
// once): Values and Names share their text with every copy, and a string or a key repeated
// through the history is held once (HistoryBuilder shares equal ones).
struct Operation {
  OpIndex index{};            // position in History::ops
  ProcessId process{};        // index into History::process_names
  Name f;
  Value input;                // the invoke's value
  Value output;               // the completion's value; nil when there is no completion
  std::optional<Value> key;   // from the invoke (or the completion if only it has one)
  // Real-time interval. With times: nanoseconds. Without: the events' positions in the input.
  // `ret` is kNever for info and pending operations. Operation a precedes b iff a.ret < b.call.
  Nanos call = 0;
  Nanos ret = kNever;
  Value error;                // the completion's error, nil if none
  Name node;                  // the invoke's clock
  OptionalNanos invoke_time, complete_time;  // raw times as written, if any
  SourcePos invoke_pos, complete_pos;  // complete_pos.line == 0: no completion
  ExtraFields extra;          // extra fields of invoke then completion
  Outcome outcome = Outcome::kInfo;
};

struct History {
  std::string source;                       // file name, "<stdin>", or a label
  std::vector<Operation> ops;               // in invoke order
  std::vector<Event> other_events;          // non-client events (nemesis), in input order
  std::vector<std::string> process_names;   // ProcessId -> name as written ("0", "p1")
  bool timed = false;                       // true: call/ret are nanoseconds from `time`
  // Lines of a Jepsen log that hold no event (other log output), skipped by the parser; the
  // line number of the first (0: none). Always 0 for other formats.
  uint64_t skipped_lines = 0;
  uint32_t first_skipped_line = 0;
};

// Builds a History from events in input order. Not thread-safe; single use.
class HistoryBuilder {
 public:
  explicit HistoryBuilder(std::string source = "<history>");

  // True for the events of client processes: integer ids, and strings other than "nemesis".
  // Keyword processes (:nemesis) and any other kind are not clients.
  static bool IsClientProcess(const Value& process);

  // Room for `ops` operations, when the caller can estimate them (saves regrowing).
  void Reserve(size_t ops);

  // Adds the next event. Errors (kInvalidHistory, message "source:line:col: ..."): a second
  // invoke by a process whose operation is still open, a completion with no open invoke, a
  // completion whose f differs from its invoke's, a time outside [kMinTime, kMaxTime].
  // Processes are told apart by kind and content: integer 1 and string "1" are two clients
  // (the string is named "\"1\"" in process_names).
  Status Add(Event event);

  // From now on Finish() looks at the clock before it starts and every 65,536 operations: past
  // `deadline` it fails with kDeadlineExceeded "source:N+1:1: <cause> reached while pairing
  // operations, after N lines" (N: the last event's line; `cause` "": "the deadline"), as
  // ParseOptions::deadline words a parse's stop, never a partial history. max(): none, the
  // default.
  void set_deadline(std::chrono::steady_clock::time_point deadline, std::string cause);

  // Closes the history (call once; the builder is spent): open invokes become info operations.
  // Decides the time base: event times if every client event had one, else input order.
  StatusOr<History> Finish();

  // Conveniences for tests and generators: events stamped with line = running event count.
  HistoryBuilder& Invoke(int process, std::string f, Value value = {});
  HistoryBuilder& Ok(int process, Value value = {});
  HistoryBuilder& Fail(int process, Value value = {});
  HistoryBuilder& Info(int process, Value value = {});
  // The first error met by the conveniences above, else Finish().
  StatusOr<History> Build();

 ~HistoryBuilder();
  HistoryBuilder(HistoryBuilder&&) noexcept;
  HistoryBuilder& operator=(HistoryBuilder&&) noexcept;

 private:
  HistoryBuilder& Convenience(int process, EventType type, std::string f, Value value);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Jepsen's independent checker: every operation's value is a `[key value]` tuple. Moves the key
// into Operation::key (so any model checks each key on its own) and the value out of the
// tuple, in input and output alike. Operations that already have a key are left as they are.
// kInvalidHistory ("source:line:col: ...") for a value that is not a tuple.
Status SplitIndependentKeys(History& history);

}  // namespace fenceline

#endif  // FENCELINE_HISTORY_H_
