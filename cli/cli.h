// build-cli's entry point as a library function, so tests can run it in-process with their own
// streams and environment as well as through the built binary.
//
// Thread-compatible: concurrent calls must use different streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/context.h"

namespace buildfarm::cli {

// `args` are the words after the program name. Returns the exit code: kExitOk, kExitRefused or
// kExitUsage.
// `terminal` says whether out/err are terminals and how wide (main passes DetectTerminal()).
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const EnvLookup& env,
           const TerminalInfo& terminal = {});

// The top-level help: every command with its summary, the common flags and the environment.
std::string TopLevelHelp();

}  // namespace buildfarm::cli
