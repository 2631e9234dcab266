// tests/stream/stream_testing.h
//
// Helpers shared by the streaming tests: a parsed history turned back into its events (in
// input order), a streamed check of events, and the comparison of a streamed result with the
// whole-file one.
#ifndef FENCELINE_TESTS_STREAM_STREAM_TESTING_H_
#define FENCELINE_TESTS_STREAM_STREAM_TESTING_H_

#include <string>
#include <vector>

#include "fenceline/check.h"
#include "fenceline/history.h"
#include "fenceline/status.h"
#include "fenceline/stream.h"

namespace fenceline::testing {

// The events `h` was built from, in input order (by line, then column).
std::vector<Event> EventsOf(const History& h);

// Streams `events` through a StreamChecker; `stats` (if given) receives its statistics.
StatusOr<CheckResult> StreamEvents(const std::vector<Event>& events, const std::string& model,
                                   const StreamOptions& options, StreamStats* stats = nullptr);

// Streams JSON Lines text through the chunked reader's parser and a StreamChecker.
StatusOr<CheckResult> StreamJsonLines(const std::string& text, const std::string& model,
                                      const StreamOptions& options, StreamStats* stats = nullptr);

// "" if the two agree on the verdict and on every partition's key, verdict and op_count; else
// what differs.
std::string Disagreement(const CheckResult& whole, const CheckResult& streamed);

}  // namespace fenceline::testing

#endif  // FENCELINE_TESTS_STREAM_STREAM_TESTING_H_
