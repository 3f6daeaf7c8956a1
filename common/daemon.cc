#include "common/daemon.h"

#include <signal.h>

#include <cstdio>
#include <utility>

namespace buildfarm::app {
namespace {

sigset_t StopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Config errors must say which file they are about; most loaders' messages already do.
std::string NamingFile(const std::string& path, const std::string& message) {
  if (message.find(path) != std::string::npos) return message;
  return "config file " + path + ": " + message;
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

void StandardFlags::AddConfigFile() {
  if (config_file_added_) return;
  config_file_added_ = true;
  flags_.AddString("config.file", &config_file_, config_file_help_);
}

void StandardFlags::AddLogLevel() {
  if (log_level_added_) return;
  log_level_added_ = true;
  flags_.AddString("log.level", &log_level_, "Only log messages with the given severity or above: debug, info, warn, error.");
}

void StandardFlags::AddVersionAndHelp() {
  if (version_and_help_added_) return;
  version_and_help_added_ = true;
  flags_.AddBool("version", &version_, "Show the version and exit.");
  flags_.AddBool("help", &help_, "Show this help and exit.");
}

void StandardFlags::AddRemaining() {
  AddConfigFile();
  AddLogLevel();
  AddVersionAndHelp();
}

int RunDaemon(int argc, const char* const* argv, const DaemonSpec& spec) {
  FlagSet flags(spec.program, spec.summary);
  StandardFlags standard(flags, spec.config_file_help);
  if (spec.add_flags) spec.add_flags(flags, standard);
  standard.AddRemaining();

  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return UsageError(spec.program, parsed.message());
  auto exit_code = HelpOrVersion(flags, standard.help(), standard.version(), spec.program, spec.version, spec.revision);
  if (exit_code) return *exit_code;
  auto level = ParseLogLevel(standard.log_level());
  if (!level.ok()) return UsageError(spec.program, "flag --log.level: " + level.status().message());
  Logger log(*level);

  const std::string& config_file = standard.config_file();
  if (!config_file.empty() && spec.load_config) {
    Status loaded = spec.load_config(config_file);
    if (!loaded.ok()) return UsageError(spec.program, NamingFile(config_file, loaded.message()));
  }

  // Before the program starts any thread, so that only the waiter below sees the stop signals.
  BlockStopSignals();
  StartResult started = spec.start(DaemonContext{flags, log, config_file});
  if (!started.ok()) {
    if (started.exit_code() == kExitUsage) return UsageError(spec.program, started.error());
    log.Error("cannot start", {{"err", started.error()}});
    return started.exit_code();
  }
  std::unique_ptr<RunningDaemon> running = started.TakeRunning();
  std::string_view stop_signal = spec.wait_for_stop();
  log.Info(spec.stopping_message, {{"signal", stop_signal}});
  running->Stop();
  return 0;
}

}  // namespace buildfarm::app
