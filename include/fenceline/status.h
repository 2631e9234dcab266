// include/fenceline/status.h
//
// Errors as values. Every expected failure in fenceline (a bad flag, an unreadable file, a
// malformed line, a history the model cannot interpret) is returned as a Status or a
// StatusOr<T>; no exception crosses the public API. A verdict, including "not linearizable",
// is never an error: it is an OK result.
#ifndef FENCELINE_STATUS_H_
#define FENCELINE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fenceline {

// Each code tells the user what to do next; the CLI maps them all to exit code 2, but for
// kDeadlineExceeded and kResourceExhausted.
enum class StatusCode {
  kOk,
  kInvalidArgument,  // a bad flag or option value
  kNotFound,         // a file or a model id that does not exist
  kParseError,       // malformed input; the message starts "path:line:col: "
  kInvalidHistory,   // well-formed but inconsistent (a completion with no invoke)
  kUnsupported,      // the model cannot interpret an operation
  kIoError,          // reading or writing failed
  kInternal,         // a checker bug; please report it
  // A time limit or deadline ran out before the work was done (ParseOptions::deadline). Not
  // an input error: `check` reports the history's verdict as unknown, exit 3.
  kDeadlineExceeded,
  // A memory limit ran out before the work was done (ParseOptions::memory_limit). Not an input
  // error either: `check` reports the history's verdict as unknown, exit 3.
  kResourceExhausted,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return {}; }
inline Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status InvalidHistory(std::string m) { return {StatusCode::kInvalidHistory, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a T or a non-OK Status. Accessing value() of an error is a programming error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

#define FENCELINE_STATUS_CONCAT_INNER_(a, b) a##b
#define FENCELINE_STATUS_CONCAT_(a, b) FENCELINE_STATUS_CONCAT_INNER_(a, b)

#define FENCELINE_RETURN_IF_ERROR(expr)                  \
  do {                                                   \
    ::fenceline::Status fenceline_status_ = (expr);      \
    if (!fenceline_status_.ok()) return fenceline_status_; \
  } while (false)

#define FENCELINE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#define FENCELINE_ASSIGN_OR_RETURN(lhs, expr) \
  FENCELINE_ASSIGN_OR_RETURN_IMPL_(FENCELINE_STATUS_CONCAT_(fenceline_statusor_, __LINE__), lhs, expr)

}  // namespace fenceline

#endif  // FENCELINE_STATUS_H_
