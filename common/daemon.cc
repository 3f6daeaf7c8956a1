#include "common/daemon.h"

#include <signal.h>

#include <cstdio>

namespace buildfarm::app {
namespace {

sigset_t StopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

int UsageError(std::string_view program, const std::string& message) {
  std::fprintf(stderr, "%.*s: error: %s\n", static_cast<int>(program.size()), program.data(), message.c_str());
  return kExitUsage;
}

std::optional<int> HelpOrVersion(const FlagSet& flags, bool help, bool version, std::string_view program,
                                 std::string_view version_text, std::string_view revision) {
  if (help) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (version) {
    std::printf("%.*s, version %.*s (revision: %.*s)\n", static_cast<int>(program.size()), program.data(),
                static_cast<int>(version_text.size()), version_text.data(), static_cast<int>(revision.size()),
                revision.data());
    return 0;
  }
  return std::nullopt;
}

void BlockStopSignals() {
  sigset_t set = StopSignalSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string_view WaitForStopSignal() {
  sigset_t set = StopSignalSet();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace buildfarm::app
