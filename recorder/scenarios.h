// recorder/scenarios.h
//
// One recording, start to finish: the guardian (and local etcd), the lock watcher, the
// storage, the client processes, the scenario's script, then the merge of every process's log
// into the history. Any failure on the way is returned and no history is written: a history
// the recorder did not fully record must never reach a checker.
#ifndef FENCELINE_RECORDER_SCENARIOS_H_
#define FENCELINE_RECORDER_SCENARIOS_H_

#include <iosfwd>

#include "fenceline/status.h"
#include "recorder/flags.h"

namespace fenceline::record {

// Runs `options.scenario` and writes the history to `options.output`. Progress and the seed
// go to `err`. kNotFound if etcd is missing (the message says how to install it), kIoError if
// it cannot start or a process of the recording failed.
Status RunRecording(const RecordOptions& options, std::ostream& err);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_SCENARIOS_H_
