#include "cli/cli.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace buildfarm::cli {
namespace {

std::vector<const char*> Argv(const std::string& program, const std::vector<std::string>& args) {
  std::vector<const char*> argv{program.c_str()};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return argv;
}

// Index of the command word: the first word that is neither a flag nor the value of --url/--token.
std::size_t FindCommand(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--url" || arg == "--token" || arg == "--color") {
      ++i;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;
    return i;
  }
  return args.size();
}

}  // namespace

std::string TopLevelHelp() {
  std::ostringstream out;
  out << "usage: build-cli [<flags>] <command> [<args>...]\n\n"
         "The command line for the buildfarm scheduler: submit builds, watch them, manage nodes.\n\n"
         "Commands:\n";
  for (const auto& spec : AllCommands()) {
    std::string left = "  " + spec.name + (spec.arguments.empty() ? "" : " " + spec.arguments);
    out << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << spec.summary << "\n";
  }
  out << "\nFlags (before or after the command):\n"
         "  --url=URL         scheduler URL, e.g. http://127.0.0.1:8080\n"
         "  --token=TOKEN     bearer token\n"
         "  --ca-file=FILE    CA certificates that verify an https scheduler (else BUILDFARM_CA_FILE, else ca_file:)\n"
         "  --cert-file=FILE  client certificate for a scheduler that asks for one, with --key-file=FILE\n"
         "  --json            print the scheduler's JSON instead of a table (every read command)\n"
         "  --color=WHEN      auto (default: only when stdout is a terminal and NO_COLOR is unset), always, never\n"
         "  --help            show help; `build-cli CMD --help` shows a command's flags and an example\n"
         "  --version         print build-cli's version and exit\n"
         "\nThe URL and token come from the flags, else BUILDFARM_URL and BUILDFARM_TOKEN, else the YAML file\n"
         "named by BUILDFARM_CONFIG (keys url: and token:; ./deploy/quickstart.sh writes .farm/cli.yaml).\n"
         "\nTables fit $COLUMNS, else the terminal's width. `build-cli completion bash|zsh` prints shell completion.\n"
         "\nExit codes: 0 success, 1 the scheduler refused or could not be reached, 2 usage error.\n"
         "\nExample:\n"
         "  export BUILDFARM_CONFIG=$PWD/.farm/cli.yaml\n"
         "  build-cli submit --command 'make -j2' --branch main --cores 2 --memory 2Gi\n"
         "  build-cli logs -f JOB_ID\n";
  return out.str();
}

int RunCli(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err, const EnvLookup& env,
           const TerminalInfo& terminal) {
  CommandContext ctx(out, err, env, terminal);
  std::vector<std::string> args;
  args.reserve(raw_args.size());
  for (const auto& arg : raw_args) args.push_back(arg == "-h" ? "--help" : arg);
  // Alone, as the daemons take it: not a flag of every command.
  if (args.size() == 1 && args.front() == "--version") {
    out << "build-cli, version " << BUILDFARM_VERSION << " (revision: " << BUILDFARM_REVISION << ")\n";
    return kExitOk;
  }
  std::size_t command_index = FindCommand(args);
  std::vector<std::string> global_args(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(command_index));
  FlagSet global("build-cli", "");
  ctx.AddCommonFlags(global);
  auto argv = Argv("build-cli", global_args);
  if (Status status = global.Parse(static_cast<int>(argv.size()), argv.data()); !status.ok()) {
    return ctx.UsageError(status.message());
  }
  if (command_index == args.size()) {
    if (ctx.help()) {
      out << TopLevelHelp();
      return kExitOk;
    }
    err << TopLevelHelp();
    return ctx.UsageError("no command given");
  }
  std::string name = args[command_index];
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(command_index) + 1, args.end());
  if (name == "help") {
    if (rest.empty()) {
      out << TopLevelHelp();
      return kExitOk;
    }
    name = rest.front();
    rest = {"--help"};
  }
  for (const auto& spec : AllCommands()) {
    if (spec.name != name) continue;
    try {
      return spec.run(ctx, spec, rest);
    } catch (const nlohmann::json::exception& e) {
      return ctx.Refused(std::string("unexpected answer from the scheduler: ") + e.what());
    }
  }
  return ctx.UsageError("unknown command \"" + name + "\"");
}

}  // namespace buildfarm::cli
