// The start-up shared by the daemons (buildfarm-exporter, -scheduler, -agent). RunDaemon does the
// part they have in common: flags, --help/--version, --log.level, --config.file, the stop signals
// and the shutdown. The program brings its own flags, a config loader and a start callback, and
// RunDaemon turns the outcome into the exit code:
//
//   0  --help, --version, or a clean stop after SIGINT/SIGTERM
//   1  the program could not start (logged as `cannot start err=...`)
//   2  a bad flag, config file or value (one line "PROGRAM: error: ..." on stderr)
//
// Stop signals are taken by sigwait so that shutdown runs outside a signal handler. RunDaemon blocks
// them before it calls the start callback; threads inherit the mask, so call RunDaemon (or
// BlockStopSignals) from main's thread before any other thread starts. Everything here runs on that
// one thread; the smaller helpers below are stateless and serve commands that are not daemons.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/flags.h"
#include "common/log.h"
#include "common/status.h"

namespace buildfarm::app {

// Exit code for a bad flag, config file or value.
inline constexpr int kExitUsage = 2;
// Exit code when the program cannot start (a port in use, a workspace it cannot create).
inline constexpr int kExitCannotStart = 1;

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

// The program a start callback left running. RunDaemon calls Stop() once, after the stop signal,
// and destroys it afterwards; Stop() returns when the program's threads have finished.
class RunningDaemon {
 public:
  virtual ~RunningDaemon() = default;
  virtual void Stop() = 0;
};

// Any object with a Stop() method (SchedulerApp, for one) as a RunningDaemon that owns it.
template <typename T>
std::unique_ptr<RunningDaemon> RunningObject(std::unique_ptr<T> object) {
  class Owner final : public RunningDaemon {
   public:
    explicit Owner(std::unique_ptr<T> owned) : owned_(std::move(owned)) {}
    void Stop() override { owned_->Stop(); }

   private:
    std::unique_ptr<T> owned_;
  };
  return std::make_unique<Owner>(std::move(object));
}

// A start callback's answer: the running program, or why there is none.
class StartResult {
 public:
  template <typename Program>
    requires std::derived_from<Program, RunningDaemon>
  StartResult(std::unique_ptr<Program> running) : running_(std::move(running)) {}  // NOLINT: implicit by design

  // A bad flag, config key or value found while starting: one line on stderr, exit 2.
  static StartResult BadUsage(std::string message) { return StartResult(kExitUsage, std::move(message)); }
  // Anything else, e.g. Status::ToString() of a listener that failed: logged as "cannot start", exit 1.
  static StartResult CannotStart(std::string reason) { return StartResult(kExitCannotStart, std::move(reason)); }

  bool ok() const { return running_ != nullptr; }
  int exit_code() const { return exit_code_; }
  const std::string& error() const { return error_; }
  std::unique_ptr<RunningDaemon> TakeRunning() { return std::move(running_); }

 private:
  StartResult(int exit_code, std::string error) : exit_code_(exit_code), error_(std::move(error)) {}

  std::unique_ptr<RunningDaemon> running_;
  int exit_code_ = 0;
  std::string error_;
};

// --config.file, --log.level, --version and --help: every daemon has them. A program places them
// in its --help where it wants them by calling Add* from its flag registration; RunDaemon adds the
// ones it left out after the program's own flags, in the order of the methods below.
class StandardFlags {
 public:
  StandardFlags(FlagSet& flags, std::string config_file_help)
      : flags_(flags), config_file_help_(std::move(config_file_help)) {}

  void AddConfigFile();
  void AddLogLevel();
  void AddVersionAndHelp();
  void AddRemaining();

  const std::string& config_file() const { return config_file_; }
  const std::string& log_level() const { return log_level_; }
  bool help() const { return help_; }
  bool version() const { return version_; }

 private:
  FlagSet& flags_;
  std::string config_file_help_;
  std::string config_file_;
  std::string log_level_ = "info";
  bool help_ = false;
  bool version_ = false;
  bool config_file_added_ = false;
  bool log_level_added_ = false;
  bool version_and_help_added_ = false;
};

// What the start callback gets to work with.
struct DaemonContext {
  FlagSet& flags;                  // parsed; the program may Set() what the command line left alone
  const Logger& log;               // at --log.level; outlives the running program
  const std::string& config_file;  // empty without --config.file
};

struct DaemonSpec {
  std::string program;           // "buildfarm-exporter": the usage line, errors and --version
  std::string summary;           // the --help paragraph
  std::string version;           // for --version, e.g. BUILDFARM_VERSION
  std::string revision;          // for --version, e.g. BUILDFARM_REVISION
  std::string config_file_help;  // --config.file's help text
  // Registers the program's own flags, and places the standard ones (see StandardFlags).
  std::function<void(FlagSet& flags, StandardFlags& standard)> add_flags;
  // Reads --config.file when it was given. An error exits 2; RunDaemon names the file when the
  // message does not already.
  std::function<Status(const std::string& path)> load_config;
  // Checks what is left, builds the program and starts it; runs with the stop signals blocked.
  std::function<StartResult(const DaemonContext& context)> start;
  // Logged with signal=NAME when the stop signal arrives, before Stop().
  std::string stopping_message = "stopping";
  // Returns the stop signal's name; tests may answer without a real signal.
  std::function<std::string_view()> wait_for_stop = WaitForStopSignal;
};

// Runs the daemon described by `spec` until a stop signal; returns the process exit code.
int RunDaemon(int argc, const char* const* argv, const DaemonSpec& spec);

// A DaemonSpec::load_config that keeps what `load(path)` returns (a Result<Config>) in *config.
template <typename Config, typename Load>
std::function<Status(const std::string&)> StoreConfigInto(Config* config, Load load) {
  return [config, load](const std::string& path) -> Status {
    auto loaded = load(path);
    if (!loaded.ok()) return loaded.status();
    *config = std::move(loaded).value();
    return Status::Ok();
  };
}

}  // namespace buildfarm::app
