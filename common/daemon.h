// Process plumbing shared by the daemons (buildfarm-exporter, -scheduler, -agent): usage errors,
// --help/--version, and stop signals taken by sigwait so that shutdown runs outside a signal handler.
//
// BlockStopSignals() must be called in main's thread before any other thread starts: threads
// inherit the mask, so only WaitForStopSignal() sees SIGINT and SIGTERM. The rest is stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/flags.h"

namespace buildfarm::app {

// Exit code for a bad flag, config file or value.
inline constexpr int kExitUsage = 2;

// Prints "PROGRAM: error: MESSAGE" to stderr and returns kExitUsage.
int UsageError(std::string_view program, const std::string& message);

// After flags.Parse: prints the usage for --help, or "PROGRAM, version V (revision: R)" for
// --version, and returns the exit code 0; nullopt when neither was asked for.
std::optional<int> HelpOrVersion(const FlagSet& flags, bool help, bool version, std::string_view program,
                                 std::string_view version_text, std::string_view revision);

// Blocks SIGINT and SIGTERM in the calling thread and ignores SIGPIPE.
void BlockStopSignals();

// Waits for SIGINT or SIGTERM (blocked by BlockStopSignals) and returns its name.
std::string_view WaitForStopSignal();

}  // namespace buildfarm::app
