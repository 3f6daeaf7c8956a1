// RunDaemon, the start-up the exporter, scheduler and agent share: exit codes, the one-line usage
// errors, --help/--version, the config loader, the start callback and the stop signal.
#include "common/daemon.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

namespace buildfarm::app {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::CaptureStdout;
using ::testing::internal::GetCapturedStderr;
using ::testing::internal::GetCapturedStdout;

int CountLines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void ExpectListedInOrder(const std::string& help, const std::vector<std::string>& flags) {
  std::size_t previous = 0;
  for (const auto& flag : flags) {
    std::size_t at = help.find(flag);
    ASSERT_NE(at, std::string::npos) << flag << " missing from --help:\n" << help;
    EXPECT_GT(at, previous) << flag << " out of order:\n" << help;
    previous = at;
  }
}

class FakeProgram final : public RunningDaemon {
 public:
  explicit FakeProgram(int* stops) : stops_(stops) {}
  void Stop() override { ++*stops_; }

 private:
  int* stops_;
};

// A small daemon with one flag of its own, placed before --config.file. It records what RunDaemon
// hands its callbacks; each test changes the piece it is about.
struct TestDaemon {
  std::int64_t workers = 1;
  std::vector<std::string> loaded_paths;
  Status load_result = Status::Ok();
  std::string started_with_config;
  bool started = false;
  int stops = 0;
  DaemonSpec spec;

  TestDaemon() {
    spec.program = "testd";
    spec.summary = "A daemon for tests.";
    spec.version = "1.2.3";
    spec.revision = "abc123";
    spec.config_file_help = "The test config.";
    spec.add_flags = [this](FlagSet& flags, StandardFlags& standard) {
      flags.AddInt("workers", &workers, 1, 8, "How many workers.");
      standard.AddConfigFile();
    };
    spec.load_config = [this](const std::string& path) {
      loaded_paths.push_back(path);
      return load_result;
    };
    spec.start = [this](const DaemonContext& context) -> StartResult {
      started = true;
      started_with_config = context.config_file;
      return std::make_unique<FakeProgram>(&stops);
    };
    spec.wait_for_stop = [] { return std::string_view("SIGTERM"); };
  }
};

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

Outcome RunTestDaemon(const TestDaemon& daemon, std::vector<const char*> args) {
  args.insert(args.begin(), "testd");
  CaptureStdout();
  CaptureStderr();
  int code = RunDaemon(static_cast<int>(args.size()), args.data(), daemon.spec);
  std::string out = GetCapturedStdout();
  return {code, out, GetCapturedStderr()};
}

// RunDaemon blocks SIGINT/SIGTERM and ignores SIGPIPE in this thread; put both back after each test.
class RunDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pthread_sigmask(SIG_SETMASK, nullptr, &saved_mask_);
    sigaction(SIGPIPE, nullptr, &saved_sigpipe_);
  }
  void TearDown() override {
    pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
    sigaction(SIGPIPE, &saved_sigpipe_, nullptr);
  }

 private:
  sigset_t saved_mask_;
  struct sigaction saved_sigpipe_;
};

TEST_F(RunDaemonTest, BadFlagsExitTwoWithOneLineNamingTheFlag) {
  struct Case {
    std::vector<const char*> args;
    std::string must_name;
  };
  const Case cases[] = {
      {{"--no-such-flag"}, "no-such-flag"},
      {{"--workers=many"}, "workers"},
      {{"--workers=9"}, "workers"},
      {{"--log.level=loud"}, "--log.level"},
      {{"--config.file"}, "config.file"},
  };
  for (const auto& c : cases) {
    TestDaemon daemon;
    Outcome outcome = RunTestDaemon(daemon, c.args);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << c.must_name;
    EXPECT_EQ(CountLines(outcome.err), 1) << outcome.err;
    EXPECT_EQ(outcome.err.rfind("testd: error: ", 0), 0u) << outcome.err;
    EXPECT_TRUE(Contains(outcome.err, c.must_name)) << outcome.err;
    EXPECT_FALSE(daemon.started) << c.must_name << ": started despite a usage error";
  }
}

TEST_F(RunDaemonTest, HelpListsEveryFlagInThePlacedOrderAndExitsZero) {
  TestDaemon daemon;
  Outcome outcome = RunTestDaemon(daemon, {"--help"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_FALSE(daemon.started);
  EXPECT_TRUE(Contains(outcome.out, "usage: testd [<flags>]")) << outcome.out;
  EXPECT_TRUE(Contains(outcome.out, "A daemon for tests.")) << outcome.out;
  EXPECT_TRUE(Contains(outcome.out, "The test config.")) << outcome.out;
  // The program placed --config.file after its own flag; the standard flags it left out follow.
  ExpectListedInOrder(outcome.out, {"--workers=", "--config.file=", "--log.level=", "--[no-]version", "--[no-]help"});
}

TEST_F(RunDaemonTest, ProgramCanPlaceEveryStandardFlag) {
  TestDaemon daemon;
  bool ignored = false;
  daemon.spec.add_flags = [&](FlagSet& flags, StandardFlags& standard) {
    standard.AddVersionAndHelp();
    standard.AddLogLevel();
    flags.AddBool("extra", &ignored, "An extra flag.");
    standard.AddConfigFile();
  };
  Outcome outcome = RunTestDaemon(daemon, {"--help"});
  EXPECT_EQ(outcome.exit_code, 0);
  ExpectListedInOrder(outcome.out, {"--[no-]version", "--[no-]help", "--log.level=", "--[no-]extra", "--config.file="});
  EXPECT_EQ(outcome.out.find("--config.file="), outcome.out.rfind("--config.file=")) << "listed twice:\n" << outcome.out;
}

TEST_F(RunDaemonTest, VersionPrintsOneLineAndExitsZero) {
  TestDaemon daemon;
  Outcome outcome = RunTestDaemon(daemon, {"--version"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "testd, version 1.2.3 (revision: abc123)\n");
  EXPECT_FALSE(daemon.started);
}

TEST_F(RunDaemonTest, LoadsTheConfigFileOnlyWhenGiven) {
  TestDaemon without;
  EXPECT_EQ(RunTestDaemon(without, {}).exit_code, 0);
  EXPECT_TRUE(without.loaded_paths.empty());

  TestDaemon with;
  EXPECT_EQ(RunTestDaemon(with, {"--config.file=/etc/testd.yml"}).exit_code, 0);
  EXPECT_EQ(with.loaded_paths, std::vector<std::string>{"/etc/testd.yml"});
  EXPECT_EQ(with.started_with_config, "/etc/testd.yml");
}

TEST_F(RunDaemonTest, ConfigErrorsExitTwoWithOneLineNamingTheFile) {
  struct Case {
    std::string loader_message;
    std::string want_line;
  };
  const Case cases[] = {
      {"key pots: unknown", "testd: error: config file /etc/testd.yml: key pots: unknown\n"},
      // A message that names the file already is printed as it is.
      {"/etc/testd.yml line 3: key pots: unknown", "testd: error: /etc/testd.yml line 3: key pots: unknown\n"},
  };
  for (const auto& c : cases) {
    TestDaemon daemon;
    daemon.load_result = InvalidArgument(c.loader_message);
    Outcome outcome = RunTestDaemon(daemon, {"--config.file=/etc/testd.yml"});
    EXPECT_EQ(outcome.exit_code, kExitUsage);
    EXPECT_EQ(outcome.err, c.want_line);
    EXPECT_FALSE(daemon.started);
  }
}

TEST_F(RunDaemonTest, StartFailuresPickTheExitCode) {
  TestDaemon bad_usage;
  bad_usage.spec.start = [](const DaemonContext&) { return StartResult::BadUsage("flag --workers: too many for 1 core"); };
  Outcome usage = RunTestDaemon(bad_usage, {});
  EXPECT_EQ(usage.exit_code, kExitUsage);
  EXPECT_EQ(usage.err, "testd: error: flag --workers: too many for 1 core\n");

  TestDaemon cannot_start;
  cannot_start.spec.start = [](const DaemonContext&) {
    return StartResult::CannotStart(Unavailable("cannot listen on 127.0.0.1:1").ToString());
  };
  Outcome failed = RunTestDaemon(cannot_start, {});
  EXPECT_EQ(failed.exit_code, kExitCannotStart);
  EXPECT_EQ(CountLines(failed.err), 1) << failed.err;
  EXPECT_TRUE(Contains(failed.err, "level=error msg=\"cannot start\" err=\"unavailable: cannot listen on 127.0.0.1:1\""))
      << failed.err;
}

TEST_F(RunDaemonTest, StartSeesTheParsedFlagsTheLoggerAndBlockedStopSignals) {
  TestDaemon daemon;
  bool debug_enabled = false;
  bool stop_signals_blocked = false;
  daemon.spec.start = [&](const DaemonContext& context) -> StartResult {
    debug_enabled = context.log.enabled(LogLevel::kDebug);
    EXPECT_TRUE(context.flags.WasSet("workers"));
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    stop_signals_blocked = sigismember(&mask, SIGTERM) == 1 && sigismember(&mask, SIGINT) == 1;
    return std::make_unique<FakeProgram>(&daemon.stops);
  };
  EXPECT_EQ(RunTestDaemon(daemon, {"--workers=3", "--log.level=debug"}).exit_code, 0);
  EXPECT_EQ(daemon.workers, 3);
  EXPECT_TRUE(debug_enabled);
  EXPECT_TRUE(stop_signals_blocked);
}

TEST_F(RunDaemonTest, SigtermStopsTheStartedProgramOnceAndExitsZero) {
  TestDaemon daemon;
  daemon.spec.wait_for_stop = WaitForStopSignal;  // the real sigwait
  daemon.spec.stopping_message = "stopping now";
  daemon.spec.start = [&](const DaemonContext&) -> StartResult {
    // The mask is in place by now, so the signal waits, pending on this thread, for sigwait.
    pthread_kill(pthread_self(), SIGTERM);
    return std::make_unique<FakeProgram>(&daemon.stops);
  };
  Outcome outcome = RunTestDaemon(daemon, {});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(daemon.stops, 1);
  EXPECT_TRUE(Contains(outcome.err, "msg=\"stopping now\" signal=SIGTERM")) << outcome.err;
}

TEST_F(RunDaemonTest, StoreConfigIntoKeepsTheLoadedValueOrReturnsTheError) {
  int config = 0;
  auto loader = StoreConfigInto(&config, [](const std::string& path) -> Result<int> {
    if (path == "bad.yml") return ParseError("bad.yml: not yaml");
    return 42;
  });
  EXPECT_EQ(loader("bad.yml").message(), "bad.yml: not yaml");
  EXPECT_EQ(config, 0);
  EXPECT_TRUE(loader("good.yml").ok());
  EXPECT_EQ(config, 42);
}

TEST(RunningObjectTest, StopsTheOwnedObject) {
  struct Stoppable {
    int* stops;
    void Stop() { ++*stops; }
  };
  int stops = 0;
  auto running = RunningObject(std::make_unique<Stoppable>(Stoppable{&stops}));
  running->Stop();
  EXPECT_EQ(stops, 1);
}

}  // namespace
}  // namespace buildfarm::app
