// checker/cli/parse_budget.h
//
// --time-limit is per history and covers its parsing: a history's clock starts when its reading
// starts, and a parse still running when the history's time (or the run's --deadline) is up
// stops there. --memory-limit covers parsing too: one account holds what the parsed histories
// hold and what the searches hold, and a parse that would pass what is left stops. That history
// is then inconclusive, with the cause and how far parsing got, never a verdict drawn from the
// part that was read. `check` and `check --model fencing` share this.
#ifndef FENCELINE_CHECKER_CLI_PARSE_BUDGET_H_
#define FENCELINE_CHECKER_CLI_PARSE_BUDGET_H_

#include <chrono>
#include <string>

#include "fenceline/check.h"
#include "fenceline/fencing.h"
#include "fenceline/parse.h"
#include "fenceline/status.h"
#include "checker/search/memory_budget.h"

namespace fenceline::cli {

// `base` with the deadline of a history whose clock started at `start`: `start + time_limit`
// (0: none) or `run_deadline` (max(): none), whichever comes first, and that one named as
// the cause ("time limit of 500 ms", "deadline of the whole run").
ParseOptions ParseOptionsFor(const ParseOptions& base, std::chrono::steady_clock::time_point start,
                             std::chrono::milliseconds time_limit,
                             std::chrono::steady_clock::time_point run_deadline);

// `base` with the memory limit of a parse charged to `budget`: what the budget has left (the
// histories parsed before hold the rest), named by the whole limit ("memory limit of 64 MiB").
// A budget of kNoMemoryLimit: none.
ParseOptions WithParseMemory(ParseOptions base, const internal::MemoryBudget& budget);

// Charges parsed `history` to `budget` for as long as the searches run (the caller keeps it).
// kResourceExhausted if it does not fit (the parse's estimate and this one differ a little),
// for the caller to report as UnknownAfterParsing.
Status ChargeParsedHistory(const History& history, internal::MemoryBudget& budget);

// True for a parse that stopped at a budget (kDeadlineExceeded, kResourceExhausted) rather than
// at an input error.
bool IsBudgetStop(const Status& s);

// The result of a history whose parse stopped with `late` (IsBudgetStop): unknown, one
// partition, the reason being late's message ("h.jsonl:812:1: time limit of 500 ms reached
// while parsing, after 811 lines").
CheckResult UnknownAfterParsing(const Status& late);
// The same for the fencing analysis: inconclusive, with that message as its one note.
FencingResult InconclusiveAfterParsing(const Status& late);

}  // namespace fenceline::cli

#endif  // FENCELINE_CHECKER_CLI_PARSE_BUDGET_H_
