// recorder/process.h
//
// Forked processes and their clean-up. The recorder forks real client processes (so that
// SIGSTOP freezes a client together with its keep-alive thread), a storage process and a lock
// watcher. None of them may outlive the recorder, whatever ends it:
//   - a normal exit stops each child in turn (StopChild);
//   - SIGINT/SIGTERM/SIGHUP run a handler that SIGKILLs every registered child (kill(2) is
//     async-signal-safe) and exits;
//   - if the recorder itself is SIGKILLed, each child has PR_SET_PDEATHSIG(SIGKILL).
// The local etcd and the temporary directory are owned by a guardian process (etcd_server.h)
// that notices the recorder's death through a pipe, so they are cleaned up in every case too.
#ifndef FENCELINE_RECORDER_PROCESS_H_
#define FENCELINE_RECORDER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>

namespace fenceline::record {

// Installs the signal handlers described above. Call once, before forking.
void InstallCleanupHandlers();

// Forks a child that runs `body` and _exit()s with its result. The child is registered for
// clean-up, dies with the recorder and restores default signal handling. Returns -1 if fork
// failed.
pid_t ForkChild(const std::function<int()>& body);

// Waits up to `grace` for `pid` to exit, then SIGKILLs it (SIGCONT first, in case it is
// stopped) and reaps it. Returns the wait status, or -1 if it was not our child.
int StopChild(pid_t pid, std::chrono::milliseconds grace);

// Children forked later close `fd` first (the guardian's control pipe: only the recorder may
// hold its write end, so that the guardian sees it close when the recorder dies).
void CloseInChildren(int fd);

// Kills and reaps every registered child. Idempotent.
void KillAllChildren();

// Sleeps, resuming after signals, for `d`.
void SleepFor(std::chrono::milliseconds d);

}  // namespace fenceline::record

#endif  // FENCELINE_RECORDER_PROCESS_H_
