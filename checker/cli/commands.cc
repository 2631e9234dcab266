#include "checker/cli/commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "checker/cli/exit_code.h"
#include "checker/cli/fencing_command.h"
#include "checker/cli/flags.h"
#include "checker/cli/output.h"
#include "checker/cli/parse_budget.h"
#include "checker/cli/stream_command.h"
#include "checker/search/memory_budget.h"
#include "fenceline/check.h"
#include "fenceline/model.h"
#include "fenceline/parse.h"
#include "fenceline/report.h"

#ifndef FENCELINE_VERSION
#define FENCELINE_VERSION "0.1.0"
#endif

namespace fenceline::cli {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kFencingModel = "fencing";

int Usage(std::ostream& err, const Status& s, std::string_view command) {
  err << "fenceline " << command << ": " << s.message() << "\n"
      << "try 'fenceline " << command << " --help'\n";
  return kExitUnusable;
}

// The --model choices, from the model registry, so that help never omits a model.
std::string ModelChoices() {
  std::string s;
  for (const std::string& id : ModelIds()) s += id + ", ";
  return s + "or fencing (see `fenceline models`)";
}

int RunCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string model_id = "cas-register", format = "text", input_format = "auto", initial, output;
  const auto run_start = std::chrono::steady_clock::now();
  std::string junit, fail_on = "error";
  std::vector<std::string> allow;
  int threads = 0;
  std::string time_limit_text = "0", deadline_text = "0";
  std::string memory_text = std::to_string(DefaultMemoryBudget() >> 20);
  bool first_violation = false, independent = false, fail_observes = false, allow_empty = false;
  bool no_proof = false, stream = false;
  bool progress = false, timings = false;
  std::string nil_reads = "auto";
  std::vector<std::string> files;
  FencingFlags fencing;

  const std::string models_help = ModelChoices();
  po::options_description desc(
      "usage: fenceline check [options] FILE...   ('-' reads standard input)\noptions");
  desc.add_options()
      ("help,h", "show this help")
      ("model,m", po::value(&model_id)->default_value(model_id), models_help.c_str())
      ("format,f", po::value(&format)->default_value(format), "report format: text, json, edn or html")
      ("output,o", po::value(&output), "write the report to FILE (atomically) instead of standard output")
      ("junit", po::value(&junit), "also write a JUnit XML report to FILE (a testsuite per input)")
      ("fail-on", po::value(&fail_on)->default_value(fail_on),
       "what exits 1: error, warning, or a list of finding ids (stale-token,forged-token)")
      ("allow", po::value(&allow), "ID: a known finding that does not fail the check (repeatable)")
      ("progress", po::bool_switch(&progress),
       "show progress on standard error (the default when it is a terminal)")
      ("timings", po::bool_switch(&timings),
       "add wall-clock timings to JSON and EDN reports (which then differ between runs)")
      ("input-format", po::value(&input_format)->default_value(input_format),
       "auto, json-lines, edn or jepsen-log")
      ("threads,j", po::value(&threads)->default_value(0),
       "worker threads, at most 1024; 0: every core")
      ("time-limit", po::value(&time_limit_text)->default_value(time_limit_text),
       "per history, parsing included, before its verdict is unknown: 30s, 500ms, 2m (a bare "
       "number is seconds); 0: none")
      ("deadline", po::value(&deadline_text)->default_value(deadline_text),
       "for the whole run, after which every verdict still open is unknown (units as "
       "--time-limit); 0: none")
      ("memory-limit", po::value(&memory_text)->default_value(memory_text),
       "MiB the search may hold, all files and threads together, before a verdict is unknown "
       "(default: half the physical memory); 0: none")
      ("initial", po::value(&initial), "initial value (EDN or JSON) for register, cas-register and kv; a map of key to value for multi-register")
      ("fail-observes", po::bool_switch(&fail_observes),
       "a failed cas observed that the register did not hold `from` (Porcupine); default: a "
       "failed operation did not take place (Jepsen). docs/semantics.md")
      ("nil-reads", po::value(&nil_reads)->default_value(nil_reads),
       "an ok read of nil: auto (the value nil where the register can hold nil, else unknown), "
       "unknown (Knossos) or value")
      ("independent", po::bool_switch(&independent),
       "values are Jepsen [key value] tuples: check each key on its own, with any model")
      ("no-proof", po::bool_switch(&no_proof),
       "skip each violation's proof (the observations that forbid it; a few small searches)")
      ("first-violation", po::bool_switch(&first_violation),
       "stop searching other partitions once one violation is found (they report unknown)")
      ("stream", po::bool_switch(&stream),
       "check one input ('-': a pipe; any format, gzip or zstd too) as it is read, in memory "
       "that follows the concurrency, printing each partition when decided (register, "
       "cas-register, kv, mutex, multi-register; docs/checking.md)")
      ("allow-empty", po::bool_switch(&allow_empty),
       "accept a history without events (else an error: nothing was recorded?)");
  AddFencingFlags(desc, fencing);
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files), "history files");
  po::options_description all;
  all.add(desc).add(hidden);
  po::variables_map vm;
  if (Status s = ParseFlags(args, all, "file", vm); !s.ok()) return Usage(err, s, "check");
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 1 a violation was found (the most important news: it wins over\n"
           "unusable inputs, which the report and standard error still name), else 2 an input\n"
           "or the command line is unusable, else 3 some verdict is unknown, else 0\n"
           "(docs/report.md)\n";
    return kExitOk;
  }
  if (files.empty()) return Usage(err, InvalidArgument("no history file given"), "check");
  if (format != "text" && format != "json" && format != "edn" && format != "html") {
    return Usage(err, InvalidArgument("unknown format '" + format + "' (text, json, edn or html)"),
                 "check");
  }
  if (threads < 0 || threads > kMaxThreads) {
    return Usage(err,
                 InvalidArgument("--threads must be between 0 (every core) and " +
                                 std::to_string(kMaxThreads) + ", got " + std::to_string(threads)),
                 "check");
  }
  StatusOr<std::chrono::nanoseconds> time_limit =
      ParseDuration(time_limit_text, "s", "--time-limit");
  if (!time_limit.ok()) return Usage(err, time_limit.status(), "check");
  StatusOr<std::chrono::nanoseconds> deadline = ParseDuration(deadline_text, "s", "--deadline");
  if (!deadline.ok()) return Usage(err, deadline.status(), "check");
  StatusOr<size_t> memory_budget = ParseMebibytes(memory_text, kNoMemoryLimit, "--memory-limit");
  if (!memory_budget.ok()) return Usage(err, memory_budget.status(), "check");
  // Whole milliseconds, rounded up so that a positive limit never becomes "none".
  const auto limit_ms = std::chrono::ceil<std::chrono::milliseconds>(*time_limit);
  const auto run_deadline = deadline->count() > 0 ? run_start + *deadline
                                                  : std::chrono::steady_clock::time_point::max();
  StatusOr<InputFormat> in_format = ParseInputFormatName(input_format);
  if (!in_format.ok()) return Usage(err, in_format.status(), "check");
  StatusOr<FailPolicy> policy = ParseFailPolicy(fail_on, allow);
  if (!policy.ok()) return Usage(err, policy.status(), "check");
  ParseOptions parse_options;
  parse_options.format = *in_format;
  parse_options.allow_empty = allow_empty;
  parse_options.threads = threads;  // line-oriented inputs are parsed in chunks on every core

  CommonCheckArgs common;
  common.paths = files;
  common.parse = parse_options;
  common.format = format;
  common.threads = threads;
  common.time_limit = limit_ms;
  common.output = output;
  common.junit = junit;
  common.progress = progress || StderrIsTerminal();
  common.timings = timings;
  common.report.version = FENCELINE_VERSION;
  common.report.policy = *policy;
  std::vector<Value> allow_values;
  for (const std::string& id : allow) allow_values.push_back(Value::String(id));
  const Value time_limit_value = Value::Float(static_cast<double>(limit_ms.count()) / 1000);
  const Value deadline_value =
      Value::Float(std::chrono::duration<double>(*deadline).count());
  if (model_id == kFencingModel) {
    common.deadline = run_deadline;
    common.memory_budget = *memory_budget;
    std::vector<Value> lock_for;
    for (const std::string& pair : fencing.lock_for) lock_for.push_back(Value::String(pair));
    common.report.options = {{"input_format", Value::String(input_format)},
                             {"time_limit_s", time_limit_value},
                             {"deadline_s", deadline_value},
                             {"lock_for", Value::Vector(std::move(lock_for))},
                             {"fail_on", Value::String(fail_on)},
                             {"allow", Value::Vector(allow_values)}};
    return RunFencingCheck(common, fencing, out, err);
  }
  for (const char* flag : {"clock-skew", "clock-drift", "lock-for"}) {
    if (vm.count(flag)) {
      return Usage(err,
                   InvalidArgument(std::string("--") + flag +
                                   " applies to --model fencing only, not to " + model_id),
                   "check");
    }
  }

  ModelOptions model_options;
  model_options.fail_observes = fail_observes;
  if (nil_reads == "auto") {
    model_options.nil_reads = NilReads::kAuto;
  } else if (nil_reads == "unknown") {
    model_options.nil_reads = NilReads::kUnknown;
  } else if (nil_reads == "value") {
    model_options.nil_reads = NilReads::kValue;
  } else {
    return Usage(err, InvalidArgument("unknown --nil-reads '" + nil_reads + "' (auto, unknown or value)"),
                 "check");
  }
  if (vm.count("initial")) {
    StatusOr<Value> v = ParseValueText(initial, "--initial");
    if (!v.ok()) return Usage(err, v.status(), "check");
    model_options.initial = *v;
  }
  if (stream) {
    if (files.size() != 1) {
      return Usage(err, InvalidArgument("--stream checks one input, got " +
                                        std::to_string(files.size())),
                   "check");
    }
    StreamCommandArgs sa;
    sa.path = files[0];
    sa.model_id = model_id;
    sa.model = model_options;
    sa.format = *in_format;
    sa.allow_empty = allow_empty;
    sa.independent = independent;
    sa.memory_budget = *memory_budget;
    sa.deadline = run_deadline;
    for (const char* flag : {"first-violation", "junit", "output", "no-proof"}) {
      if (vm.count(flag) && !vm[flag].defaulted()) sa.unsupported.push_back(std::string("--") + flag);
    }
    if (format != "text") sa.unsupported.push_back("--format " + format);
    if (limit_ms.count() > 0) sa.unsupported.push_back("--time-limit (use --deadline)");
    return RunStreamCheck(sa, out, err);
  }
  StatusOr<std::unique_ptr<Model>> model = MakeModel(model_id, model_options);
  if (!model.ok()) return Usage(err, model.status(), "check");

  Progress shown(err, common.progress);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto seconds = [](double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f s", s);
    return std::string(b);
  };
  // Parse every file first, then check them all in one parallel batch.
  std::vector<std::unique_ptr<History>> histories(files.size());
  // For a file whose parse ran out of time: unknown, and an empty history to report it with.
  std::vector<std::unique_ptr<CheckResult>> parse_unknown(files.size());
  std::vector<FileReport> reports(files.size());
  std::vector<const History*> batch;
  std::vector<size_t> batch_file;
  CheckOptions check_options;
  size_t parsed_ops = 0;
  // One account for the parsed histories and every search: --memory-limit bounds the process.
  internal::MemoryBudget budget(*memory_budget);
  // A file whose parse stopped at a budget: unknown, and an empty history to report it with.
  auto stopped = [&](size_t i, const Status& why) {
    err << "fenceline: " << why.message() << "\n";
    parse_unknown[i] = std::make_unique<CheckResult>(UnknownAfterParsing(why));
    histories[i] = std::make_unique<History>();
    histories[i]->source = reports[i].path;
    reports[i].history = histories[i].get();
    reports[i].result = parse_unknown[i].get();
  };
  for (size_t i = 0; i < files.size(); ++i) {
    reports[i].path = files[i] == "-" ? "<stdin>" : files[i];
    shown.Update("fenceline: parsing file " + std::to_string(i + 1) + "/" +
                 std::to_string(files.size()) + " (" + std::to_string(parsed_ops) +
                 " operations so far, " + seconds(elapsed()) + "): " + reports[i].path);
    // --time-limit covers parsing: the history's clock starts here, the parse stops when it
    // runs out, and the time taken counts against the search's share.
    const auto parse_start = std::chrono::steady_clock::now();
    StatusOr<History> h = ParseHistoryFile(
        files[i], WithParseMemory(ParseOptionsFor(parse_options, parse_start, limit_ms, run_deadline),
                                  budget));
    if (!h.ok() && IsBudgetStop(h.status())) {
      stopped(i, h.status());
      continue;
    }
    if (!h.ok()) {
      reports[i].status = h.status();
      err << "fenceline: " << h.status().message() << "\n";
      continue;
    }
    NoteSkippedLines(*h, err);
    if (independent) {
      if (Status split = SplitIndependentKeys(*h); !split.ok()) {
        reports[i].status = split;
        err << "fenceline: " << split.message() << "\n";
        continue;
      }
    }
    if (Status held = ChargeParsedHistory(*h, budget); !held.ok()) {
      stopped(i, held);
      continue;
    }
    parsed_ops += h->ops.size();
    histories[i] = std::make_unique<History>(std::move(h).value());
    batch.push_back(histories[i].get());
    batch_file.push_back(i);
    check_options.time_used.push_back(std::chrono::steady_clock::now() - parse_start);
  }
  const double parse_s = elapsed();
  if (shown.enabled()) {
    const std::string files_text =
        std::to_string(batch.size()) + (batch.size() == 1 ? " file, " : " files, ") +
        std::to_string(parsed_ops) + " operations parsed";
    check_options.on_progress = [&shown, &elapsed, &seconds, files_text](const CheckProgress& p) {
      shown.Update("fenceline: checking " + files_text + ": " + std::to_string(p.partitions_done) +
                       "/" + std::to_string(p.partitions_total) + " partitions done (" +
                       std::to_string(p.histories_done) + "/" + std::to_string(p.histories_total) +
                       " files), " + seconds(elapsed()),
                   p.partitions_done == 0 || p.partitions_done == p.partitions_total);
    };
  }
  check_options.threads = threads;
  check_options.time_limit = limit_ms;
  check_options.deadline = run_deadline;
  check_options.memory_budget = *memory_budget;
  check_options.first_violation_only = first_violation;
  check_options.explain = !no_proof;
  std::vector<StatusOr<CheckResult>> results =
      internal::CheckHistoriesInBudget(batch, **model, check_options, budget);
  shown.Done();
  for (size_t k = 0; k < batch.size(); ++k) {
    FileReport& r = reports[batch_file[k]];
    if (!results[k].ok()) {
      r.status = results[k].status();
      err << "fenceline: " << r.status.message() << "\n";
      continue;
    }
    r.history = batch[k];
    r.result = &results[k].value();
  }

  ReportOptions& report_options = common.report;
  report_options.model_id = model_id;
  report_options.model = model->get();
  report_options.options = {{"input_format", Value::String(input_format)},
                            {"time_limit_s", time_limit_value},
                            {"deadline_s", deadline_value},
                            {"memory_limit_mib",
                             Value::Int(*memory_budget == kNoMemoryLimit
                                            ? 0
                                            : static_cast<int64_t>(*memory_budget >> 20))},
                            {"initial", model_options.initial.value_or(Value())},
                            {"independent", Value::Bool(independent)},
                            {"first_violation", Value::Bool(first_violation)},
                            {"fail_observes", Value::Bool(fail_observes)},
                            {"nil_reads", Value::String(nil_reads)},
                            {"allow_empty", Value::Bool(allow_empty)},
                            {"fail_on", Value::String(fail_on)},
                            {"allow", Value::Vector(allow_values)}};
  if (timings) report_options.timings = ReportTimings{parse_s, elapsed() - parse_s};
  std::string text = format == "json"   ? RenderJsonReport(reports, report_options)
                     : format == "edn"  ? RenderEdnReport(reports, report_options)
                     : format == "html" ? RenderHtmlReport(reports, report_options)
                                        : RenderTextReport(reports, report_options);
  const std::string junit_text = junit.empty() ? "" : RenderJunitReport(reports, report_options);

  bool unusable = false, violation = false, unknown = false;
  size_t valid = 0, invalid = 0, unknowns = 0, errors = 0;
  for (const FileReport& r : reports) {
    if (!r.status.ok()) {
      unusable = true;
      ++errors;
      continue;
    }
    for (const PartitionResult& p : r.result->partitions) {
      violation |= p.verdict == Verdict::kNotLinearizable &&
                   report_options.policy.Fails("not-linearizable", true);
      unknown |= p.verdict == Verdict::kUnknown;
    }
    valid += r.result->verdict == Verdict::kLinearizable;
    invalid += r.result->verdict == Verdict::kNotLinearizable;
    unknowns += r.result->verdict == Verdict::kUnknown;
  }
  const std::string summary =
      std::to_string(reports.size()) + (reports.size() == 1 ? " file: " : " files: ") +
      std::to_string(valid) + " linearizable, " + std::to_string(invalid) +
      " not linearizable, " + std::to_string(unknowns) + " unknown, " + std::to_string(errors) +
      " unusable";
  if (int code = EmitReports(common, text, junit_text, summary, out, err); code != kExitOk) {
    return code;
  }
  // A violation is the most important news; unusable inputs are named in the report and above.
  if (violation) return kExitViolation;
  if (unusable) return kExitUnusable;
  if (unknown) return kExitUnknown;
  return kExitOk;
}

int RunValidate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string input_format = "auto";
  bool allow_empty = false;
  std::string time_limit_text = "0";
  std::string memory_text = std::to_string(DefaultMemoryBudget() >> 20);
  std::vector<std::string> files;
  po::options_description desc("usage: fenceline validate [options] FILE...\noptions");
  desc.add_options()
      ("help,h", "show this help")
      ("input-format", po::value(&input_format)->default_value(input_format),
       "auto, json-lines, edn or jepsen-log")
      ("allow-empty", po::bool_switch(&allow_empty), "accept a history without events")
      // The budgets of `check`'s parsing, so that what check would stop, validate stops too,
      // with the same message, and never says ok about a history it did not read to its end.
      ("time-limit", po::value(&time_limit_text)->default_value(time_limit_text),
       "per history, for its parsing, before it is unknown (exit 3): 30s, 500ms, 2m (a bare "
       "number is seconds); 0: none")
      ("memory-limit", po::value(&memory_text)->default_value(memory_text),
       "MiB a history's parse may hold before it is unknown (exit 3), as check counts it "
       "(default: half the physical memory); 0: none")
      ("file", po::value(&files), "history files");
  po::variables_map vm;
  if (Status s = ParseFlags(args, desc, "file", vm); !s.ok()) return Usage(err, s, "validate");
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 2 an input or the command line is unusable, else 3 a parse stopped at "
           "--time-limit\nor --memory-limit, else 0\n";
    return kExitOk;
  }
  if (files.empty()) return Usage(err, InvalidArgument("no history file given"), "validate");
  StatusOr<InputFormat> in_format = ParseInputFormatName(input_format);
  if (!in_format.ok()) return Usage(err, in_format.status(), "validate");
  StatusOr<std::chrono::nanoseconds> time_limit =
      ParseDuration(time_limit_text, "s", "--time-limit");
  if (!time_limit.ok()) return Usage(err, time_limit.status(), "validate");
  StatusOr<size_t> memory_limit = ParseMebibytes(memory_text, kNoMemoryLimit, "--memory-limit");
  if (!memory_limit.ok()) return Usage(err, memory_limit.status(), "validate");
  const auto limit_ms = std::chrono::ceil<std::chrono::milliseconds>(*time_limit);
  bool unusable = false, unknown = false;
  for (const std::string& path : files) {
    ParseOptions parse_options;
    parse_options.format = *in_format;
    parse_options.allow_empty = allow_empty;
    // Nothing is kept from one file to the next: each parse has the whole budget.
    const internal::MemoryBudget budget(*memory_limit);
    StatusOr<History> h = ParseHistoryFile(
        path, WithParseMemory(ParseOptionsFor(parse_options, std::chrono::steady_clock::now(),
                                              limit_ms,
                                              std::chrono::steady_clock::time_point::max()),
                              budget));
    if (!h.ok()) {
      err << "fenceline: " << h.status().message() << "\n";
      if (IsBudgetStop(h.status())) {
        out << (path == "-" ? "<stdin>" : path) << ": unknown: " << h.status().message() << "\n";
        unknown = true;
      } else {
        unusable = true;
      }
      continue;
    }
    NoteSkippedLines(*h, err);
    size_t info = 0;
    for (const Operation& op : h->ops) info += op.outcome == Outcome::kInfo;
    out << h->source << ": ok, " << h->ops.size() << " operations (" << info
        << " info or pending), " << h->process_names.size() << " processes, "
        << h->other_events.size() << " non-client events, "
        << (h->timed ? "timed" : "ordered by input") << "\n";
  }
  if (unusable) return kExitUnusable;
  if (unknown) return kExitUnknown;
  return kExitOk;
}

int RunModels(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] != "--help" && args[0] != "-h") {
    return Usage(err, InvalidArgument("models takes no arguments"), "models");
  }
  for (const std::string& id : ModelIds()) {
    std::unique_ptr<Model> m = std::move(MakeModel(id).value());
    out << id << ": " << m->description() << "\n";
    for (const OperationDoc& op : m->operations()) out << "  " << op.f << ": " << op.description << "\n";
  }
  out << kFencingModel
      << ": lease and fencing-token analysis of lock and storage operations (docs/fencing.md)\n"
         "  acquire, renew, release, write, read; grant, expire, revoke records\n";
  return kExitOk;
}

int RunHelp(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // `fenceline help check` is `fenceline check --help`.
  if (!args.empty()) {
    for (const Command& c : Commands()) {
      if (c.name == args[0] && c.name != "help") return c.run({"--help"}, out, err);
    }
    err << "fenceline help: unknown command '" << args[0] << "'\ntry 'fenceline help'\n";
    return kExitUnusable;
  }
  out << "fenceline " FENCELINE_VERSION
         " - checks histories of distributed systems for linearizability and fencing violations\n\n"
         "usage: fenceline COMMAND [options]\n\ncommands:\n";
  for (const Command& c : Commands()) {
    out << "  " << c.name << std::string(10 - std::min<size_t>(9, c.name.size()), ' ') << c.summary
        << "\n";
  }
  out << "\n'fenceline help COMMAND' or 'fenceline COMMAND --help' describes a command's "
         "options.\n";
  return kExitOk;
}

int RunVersion(const std::vector<std::string>&, std::ostream& out, std::ostream&) {
  out << "fenceline " FENCELINE_VERSION "\n";
  return kExitOk;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"check", "check histories against a model (linearizability, or --model fencing)", RunCheck},
      {"validate", "parse histories and report format problems only", RunValidate},
      {"models", "list models and the operations each accepts", RunModels},
      {"help", "show this list", RunHelp},
      {"version", "print the version", RunVersion},
  };
  return kCommands;
}

int RunMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    RunHelp({}, err, err);
    return kExitUnusable;
  }
  std::string name = args[0];
  if (name == "--help" || name == "-h") name = "help";
  if (name == "--version" || name == "-V") name = "version";
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const Command& c : Commands()) {
    if (c.name == name) return c.run(rest, out, err);
  }
  err << "fenceline: unknown command '" << name << "'";
  for (const Command& c : Commands()) {
    if (c.name.substr(0, 2) == std::string_view(name).substr(0, 2)) {
      err << ", did you mean '" << c.name << "'?";
      break;
    }
  }
  err << "\ntry 'fenceline help'\n";
  return kExitUnusable;
}

}  // namespace fenceline::cli
