#include "cli/commands.h"

#include "common/text.h"

namespace buildfarm::cli {

std::vector<CommandSpec> AllCommands() {
  std::vector<CommandSpec> all;
  for (auto group : {NodeCommands(), FailoverCommands(), JobCommands(), SubmitCommands(), MessageCommands(),
                     TokenCommands(), ValidateCommands(), CompletionCommands()}) {
    for (auto& spec : group) all.push_back(std::move(spec));
  }
  return all;
}

void AddOptionalInt(FlagSet& flags, const std::string& name, std::int64_t* target, std::int64_t min,
                    std::int64_t max, const std::string& help) {
  flags.AddCustom(name, "N", "", help, [target, min, max](std::string_view v) {
    auto value = text::ParseInt64(v);
    if (!value || *value < min || *value > max) {
      return InvalidArgument("want an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got \"" +
                             std::string(v) + "\"");
    }
    *target = *value;
    return Status::Ok();
  });
}

std::string CommandHelp(const CommandSpec& spec, const FlagSet& flags) {
  std::string usage = flags.Usage();
  // FlagSet's usage reads "usage: PROGRAM [<flags>]"; PROGRAM already holds "build-cli CMD ARGS".
  return usage + "\nExample:\n" + spec.example + "\n";
}

std::optional<int> ParseCommandLine(CommandContext& ctx, const CommandSpec& spec, FlagSet& flags,
                                    const std::vector<std::string>& args, std::vector<std::string>* positional,
                                    std::size_t min_positional, std::size_t max_positional) {
  ctx.AddCommonFlags(flags, /*with_json=*/!flags.Has("json"));
  std::string program = "build-cli " + spec.name;
  std::vector<const char*> argv{program.c_str()};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::vector<std::string> words;
  Status status = flags.Parse(static_cast<int>(argv.size()), argv.data(), &words);
  if (ctx.help()) {
    ctx.out() << CommandHelp(spec, flags);
    return kExitOk;
  }
  if (!status.ok()) return ctx.UsageError(spec.name + ": " + status.message());
  if (words.size() < min_positional || words.size() > max_positional) {
    std::string want = spec.arguments.empty() ? "no arguments" : spec.arguments;
    return ctx.UsageError(spec.name + " takes " + want + ", got " + std::to_string(words.size()) + " argument(s)");
  }
  if (positional != nullptr) *positional = std::move(words);
  return std::nullopt;
}

}  // namespace buildfarm::cli
