// The build-cli commands: one CommandSpec per command (name, arguments, help text, example and
// the function that runs it), grouped by area in commands_jobs.cc, commands_submit.cc,
// commands_nodes.cc, commands_failover.cc, commands_messages.cc, commands_validate.cc and
// commands_completion.cc and commands_tokens.cc.
//
// A command's Run gets the words after its name. Stateless; each run uses its own context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/flags.h"
#include "cli/context.h"

namespace buildfarm::cli {

struct CommandSpec {
  std::string name;
  std::string arguments;  // e.g. "ID" or "[NAME]"; empty when none
  std::string summary;    // one line for `build-cli --help`
  std::string example;    // shown by `build-cli CMD --help`
  int (*run)(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) = nullptr;
};

std::vector<CommandSpec> JobCommands();     // jobs, job, cancel, retry, assign, logs, explain
std::vector<CommandSpec> SubmitCommands();  // submit
std::vector<CommandSpec> NodeCommands();    // status, nodes, cordon, uncordon, drain
std::vector<CommandSpec> FailoverCommands();  // failover, failovers
std::vector<CommandSpec> MessageCommands();   // msg (send, unread, read, search, thread, archive)
std::vector<CommandSpec> MessageSubcommands();  // send, unread, ...: run with the words after "msg NAME"
std::vector<CommandSpec> ValidateCommands();  // validate
std::vector<CommandSpec> CompletionCommands();  // completion
std::vector<CommandSpec> TokenCommands();  // token (create, list, revoke), audit
std::vector<CommandSpec> AllCommands();

// Parses a command's words with its FlagSet (to which the common flags are added). Returns an exit
// code when the command should stop here: kExitOk after printing --help, kExitUsage on a bad flag or
// a wrong number of positional arguments. Otherwise nullopt, with `positional` filled.
std::optional<int> ParseCommandLine(CommandContext& ctx, const CommandSpec& spec, FlagSet& flags,
                                    const std::vector<std::string>& args, std::vector<std::string>* positional,
                                    std::size_t min_positional, std::size_t max_positional);

// An integer flag without a default of its own (the scheduler's applies when it is not given):
// `target` keeps its sentinel value unless the flag is set within [min, max].
void AddOptionalInt(FlagSet& flags, const std::string& name, std::int64_t* target, std::int64_t min,
                    std::int64_t max, const std::string& help);

// The help text of one command: summary, usage with flags, example.
std::string CommandHelp(const CommandSpec& spec, const FlagSet& flags);

}  // namespace buildfarm::cli
