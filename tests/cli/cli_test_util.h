// Helpers for build-cli tests: run the built binary with a chosen environment, or RunCli in-process
// with separate stdout and stderr. For one test thread; nothing here is shared between tests.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "tests/support/process.h"

namespace buildfarm::testing {

struct CliRun {
  int code = -1;
  std::string output;  // stdout and stderr together (binary) or stdout only (in-process)
  std::string error;   // stderr (in-process only)
};

// Runs build/cli/build-cli with only `env` ("NAME=value") in its environment besides PATH.
inline CliRun RunBinary(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv{"env", "-i", "PATH=/usr/bin:/bin"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(BinaryPath("cli/build-cli"));
  argv.insert(argv.end(), args.begin(), args.end());
  CliRun run;
  run.code = RunCommand(argv, &run.output, 30);
  return run;
}

// RunCli in-process with an environment given as NAME -> value.
// `terminal` stands for what main() detects: whether stdout/stderr are terminals, and the width.
inline CliRun RunInProcess(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
                           const cli::TerminalInfo& terminal = {}) {
  std::ostringstream out, err;
  cli::EnvLookup lookup = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  CliRun run;
  run.code = cli::RunCli(args, out, err, lookup, terminal);
  run.output = out.str();
  run.error = err.str();
  return run;
}

}  // namespace buildfarm::testing
