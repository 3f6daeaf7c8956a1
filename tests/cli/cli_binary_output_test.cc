// How the built build-cli decides on color by itself (main() detecting the terminal): no escape codes
// into a pipe; colors on a pseudo-terminal unless NO_COLOR. The in-process cases are in cli_output_test.cc.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"

namespace buildfarm::testing {
namespace {

class CliBinaryOutputTest : public ::testing::Test {
 protected:
  void SetUp() override { fake.RespondWithTwoNodeStatus(); }
  FakeScheduler fake;
};

TEST_F(CliBinaryOutputTest, IntoAPipeWritesNoEscapeCodes) {
  CliRun piped = RunBinary({"status"}, {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=t"});
  ASSERT_EQ(piped.code, 0) << piped.output;
  EXPECT_NE(piped.output.find("ready"), std::string::npos) << piped.output;
  EXPECT_EQ(piped.output.find('\033'), std::string::npos) << piped.output;
}

// The built binary on a real pseudo-terminal (util-linux `script`): main() detects it and colors.
TEST_F(CliBinaryOutputTest, OnAPseudoTerminalColorsUnlessNoColor) {
  auto command_with = [this](const std::string& extra_env) {
    return "env -i PATH=/usr/bin:/bin " + extra_env + " BUILDFARM_URL=" + fake.url() + " BUILDFARM_TOKEN=t " +
           BinaryPath("cli/build-cli") + " status";
  };
  std::string output;
  ASSERT_EQ(RunCommand({"script", "-qec", command_with(""), "/dev/null"}, &output, 30), 0) << output;
  EXPECT_NE(output.find("\033[32mready\033[0m"), std::string::npos) << output;
  ASSERT_EQ(RunCommand({"script", "-qec", command_with("NO_COLOR=1"), "/dev/null"}, &output, 30), 0) << output;
  EXPECT_NE(output.find("ready"), std::string::npos) << output;
  // (script itself may emit terminal-mode sequences; none of build-cli's colors may appear)
  for (const char* code : {"\033[0m", "\033[1m", "\033[32m", "\033[31m"}) {
    EXPECT_EQ(output.find(code), std::string::npos) << output;
  }
}

}  // namespace
}  // namespace buildfarm::testing
