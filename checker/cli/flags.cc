#include "checker/cli/flags.h"

#include <cstdint>
#include <limits>

namespace fenceline::cli {

namespace po = boost::program_options;

Status ParseFlags(const std::vector<std::string>& args, const po::options_description& desc,
                  const std::string& positional, po::variables_map& vm) {
  try {
    po::positional_options_description pos;
    if (!positional.empty()) pos.add(positional.c_str(), -1);
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return InvalidArgument(e.what());
  }
  return OkStatus();
}

namespace {

constexpr struct {
  std::string_view name;
  int64_t nanos;
} kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"min", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

std::string UnitWord(std::string_view unit) {
  if (unit == "s") return "seconds";
  if (unit == "ms") return "milliseconds";
  return std::string(unit);
}

}  // namespace

StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text, std::string_view bare_unit,
                                                 std::string_view flag) {
  auto bad = [&] {
    return InvalidArgument(
        std::string(flag) + ": expected a duration such as 30s, 500ms or 2m (a " +
        "bare number is in " + UnitWord(bare_unit) + "), got '" + std::string(text) + "'");
  };
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return text.substr(from, i - from);
  };
  const std::string_view whole = digits();
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (whole.empty() && fraction.empty()) return bad();
  std::string_view unit = text.substr(i);
  if (unit.empty()) unit = bare_unit;
  int64_t scale = 0;
  for (const auto& u : kUnits) {
    if (u.name == unit) scale = u.nanos;
  }
  if (scale == 0) return bad();

  // Exact in integers: whole * scale, plus the fraction's digits, each a tenth of the last.
  const int64_t max = kMaxDuration.count();
  auto too_long = [&] {
    return InvalidArgument(std::string(flag) + ": '" + std::string(text) +
                           "' is too long (at most 100 years)");
  };
  int64_t n = 0;
  for (char c : whole) {
    if (n > (max - (c - '0')) / 10) return too_long();
    n = n * 10 + (c - '0');
  }
  if (n > max / scale) return too_long();
  n *= scale;
  int64_t place = scale;
  for (char c : fraction) {
    place /= 10;
    if (place == 0) break;
    n += (c - '0') * place;
  }
  if (n > max) return too_long();
  return std::chrono::nanoseconds(n);
}

StatusOr<size_t> ParseMebibytes(std::string_view text, size_t zero_means, std::string_view flag) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidArgument(std::string(flag) +
                           ": expected a whole number of MiB (0: no limit), got '" +
                           std::string(text) + "'");
  }
  constexpr size_t kMaxMib = std::numeric_limits<size_t>::max() >> 20;
  size_t mib = 0;
  for (char c : text) {
    const auto d = static_cast<size_t>(c - '0');
    if (mib > (kMaxMib - d) / 10) {
      return InvalidArgument(std::string(flag) + ": '" + std::string(text) + "' MiB is more than " +
                             std::to_string(kMaxMib) + " MiB");
    }
    mib = mib * 10 + d;
  }
  if (mib == 0) return zero_means;
  return mib << 20;
}

}  // namespace fenceline::cli
