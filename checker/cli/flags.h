// checker/cli/flags.h
//
// Boost.Program_options stays behind this boundary: it throws po::error, which ParseFlags
// turns into kInvalidArgument. Numeric flags whose values po would accept too loosely
// (durations, sizes: po takes "nan", "1e30" and "-1" for an unsigned) are read as text and
// parsed here, strictly.
#ifndef FENCELINE_CHECKER_CLI_FLAGS_H_
#define FENCELINE_CHECKER_CLI_FLAGS_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "fenceline/status.h"

namespace fenceline::cli {

// Parses `args` against `desc`; `positional` names the option that takes bare arguments ("" if
// none). `--help` is left for the caller to check in `vm`.
Status ParseFlags(const std::vector<std::string>& args,
                  const boost::program_options::options_description& desc,
                  const std::string& positional, boost::program_options::variables_map& vm);

// The longest duration a flag takes: 100 years, so that now + d cannot overflow a clock.
inline constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::hours(24 * 365 * 100);

// A duration flag's value: a decimal number (digits, optionally a fraction) and an optional
// unit, ns, us, ms, s, m or h ("30s", "500ms", "2m", "1.5h"); a bare number is in
// `bare_unit`. Rejects signs, exponents, "nan", "inf" and anything over kMaxDuration with
// kInvalidArgument naming `flag`. Fractions below a nanosecond are dropped.
StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string_view bare_unit,
                                                 std::string_view flag);

// A whole number of MiB (digits only). 0 gives `zero_means`; a count whose bytes do not fit
// in size_t is kInvalidArgument naming `flag`.
StatusOr<size_t> ParseMebibytes(std::string_view text, size_t zero_means, std::string_view flag);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_FLAGS_H_
