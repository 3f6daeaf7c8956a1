// PublishChild over stand-in children written in sh (a peer tool, as in the other unit tests): the
// exporter's side of the protocol must survive any child, restart it, and always get rid of it.
#include "exporter/publish_child.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::exporter {
namespace {

using testing::Eventually;
using testing::TempDir;

// printf(1) arguments that write one frame to fd 3 (octal escapes, so that any byte can be sent).
std::string FramePrintf(std::uint32_t size, char type, const std::string& payload) {
  std::string out = "printf '";
  char octal[8];
  for (int shift = 24; shift >= 0; shift -= 8) {
    std::snprintf(octal, sizeof(octal), "\\%03o", (size >> shift) & 0xff);
    out += octal;
  }
  out += type;
  out += payload + "' >&3; ";
  return out;
}

constexpr const char* kMetrics = "buildfarm_publish_pending 0\\n";
constexpr std::uint32_t kMetricsSize = 28;  // with the newline

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool ProcessGone(pid_t pid) { return kill(pid, 0) != 0; }  // reaped by PublishChild

class PublishChildTest : public ::testing::Test {
 protected:
  PublishChildOptions Options(const std::string& script) {
    PublishChildOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.initial_backoff_seconds = 0.01;
    options.max_backoff_seconds = 0.05;
    options.stop_timeout_seconds = 5;
    options.ready_timeout_seconds = 30;
    return options;
  }
  static Result<std::string> Document() { return std::string("{}"); }

  TempDir dir_;
  std::string log_path_ = dir_.Join("log");
  int log_fd_ = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  Logger log_{LogLevel::kDebug, log_fd_};
  void TearDown() override { close(log_fd_); }
};

TEST_F(PublishChildTest, ServesTheMetricsTheChildSentAndStopsIt) {
  PublishChild child(Options(FramePrintf(kMetricsSize, 'M', kMetrics) + "exec sleep 600"), Document, log_);
  ASSERT_TRUE(child.Start().ok()) << ReadAll(log_path_);
  EXPECT_EQ(child.metrics_text(), "buildfarm_publish_pending 0\n");
  const pid_t pid = child.child_pid();
  ASSERT_GT(pid, 0);
  child.Stop();
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_EQ(child.restarts(), 0u);
  Families families;
  child.AddMetrics(families);
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "buildfarm_exporter_publish_restarts_total");
}

TEST_F(PublishChildTest, BadFramesAreLoggedAndTheChildRestarted) {
  struct Case {
    std::string name;
    std::string bad_frame;  // sent after a good metrics frame
    std::string logged;
  };
  const Case cases[] = {
      {"unknown type", FramePrintf(0, 'X', ""), "frame type 88"},
      {"length above the cap", FramePrintf(0x7fffffff, 'M', ""), "above the limit"},
      {"foreign metrics", FramePrintf(13, 'M', "node_load1 9\\n"), "want a buildfarm_publish_ sample"},
      {"a frame only the exporter sends", FramePrintf(2, 'd', "{}"), "only the exporter sends it"},
      {"exit", "exit 3; ", "exited with status 3"},
  };
  for (const Case& c : cases) {
    PublishChild child(Options(FramePrintf(kMetricsSize, 'M', kMetrics) + c.bad_frame + "exec sleep 600"),
                       Document, log_);
    ASSERT_TRUE(child.Start().ok()) << c.name << ": " << ReadAll(log_path_);
    EXPECT_TRUE(Eventually([&] { return child.restarts() >= 2; }, 30, c.name + ": two restarts"));
    EXPECT_EQ(child.metrics_text(), "buildfarm_publish_pending 0\n") << c.name << ": only checked text is served";
    EXPECT_NE(ReadAll(log_path_).find(c.logged), std::string::npos) << c.name << ": " << ReadAll(log_path_);
    child.Stop();
  }
}

TEST_F(PublishChildTest, AChildThatIgnoresSigtermIsKilledAfterTheTimeout) {
  PublishChildOptions options = Options("trap '' TERM; " + FramePrintf(kMetricsSize, 'M', kMetrics) + "exec sleep 600");
  options.stop_timeout_seconds = 0.2;
  PublishChild child(std::move(options), Document, log_);
  ASSERT_TRUE(child.Start().ok()) << ReadAll(log_path_);
  const pid_t pid = child.child_pid();
  child.Stop();
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_NE(ReadAll(log_path_).find("publish child did not stop; killing it"), std::string::npos);
}

TEST_F(PublishChildTest, AFirstChildThatExitsIsAStartError) {
  PublishChild child(Options("echo cannot open the mirror >&2; exit 2"), Document, log_);
  Status started = child.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("exited with status 2"), std::string::npos) << started.ToString();
  EXPECT_EQ(child.child_pid(), 0);
}

TEST_F(PublishChildTest, AMissingProgramIsAStartError) {
  PublishChildOptions options = Options("");
  options.argv = {dir_.Join("no-such-program")};
  PublishChild child(std::move(options), Document, log_);
  Status started = child.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("exited with status 127"), std::string::npos) << started.ToString();
}

}  // namespace
}  // namespace buildfarm::exporter
