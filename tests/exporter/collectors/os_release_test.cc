#include "exporter/collectors/os_release.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseOsRelease, ReadsQuotedBareAndEscapedValues) {
  auto values = ParseOsRelease(
      "# comment\n\nNAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE='debian'\nVERSION=\"22.04.3 LTS (Jammy \\\"J\\\" \\\\ \\$x)\"\n"
      "  PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"   # trailing comment\nEMPTY=\nVERSION_ID=22.04 # bare with comment\n");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(values->at("NAME"), "Ubuntu");
  EXPECT_EQ(values->at("ID"), "ubuntu");
  EXPECT_EQ(values->at("ID_LIKE"), "debian");
  EXPECT_EQ(values->at("VERSION"), "22.04.3 LTS (Jammy \"J\" \\ $x)");
  EXPECT_EQ(values->at("PRETTY_NAME"), "Ubuntu 22.04.3 LTS");
  EXPECT_EQ(values->at("EMPTY"), "");
  EXPECT_EQ(values->at("VERSION_ID"), "22.04");
}

TEST(ParseOsRelease, RejectsGarbledAndTruncatedInput) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{{"NAME\n", "line 1: want KEY=value"},
                                         {"ID=x\n=value\n", "line 2: empty key"},
                                         {"9ID=x\n", "line 1: key must be"},
                                         {"NA-ME=x\n", "line 1: key must be"},
                                         {"NAME=\"Debian\nID=x\n", "line 1: unterminated"},
                                         {"NAME='Debian", "line 1: unterminated"},
                                         {"NAME=\"Debian\" GNU\n", "line 1: unexpected text"}}) {
    auto values = ParseOsRelease(c.text);
    ASSERT_FALSE(values.ok()) << c.text;
    EXPECT_NE(values.status().message().find(c.error), std::string::npos) << values.status().message();
  }
}

TEST(ParseOsRelease, HugeInputIsParsedWithoutTrouble) {
  std::string huge = "ID=debian\nPRETTY_NAME=\"" + std::string(100000, 'x') + "\"\n";
  auto values = ParseOsRelease(huge);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->at("PRETTY_NAME").size(), 100000u);
}

TEST(OsMajorMinorVersion, TakesTheLeadingMajorMinor) {
  struct Case {
    const char* version_id;
    double want;
  };
  for (const Case& c : std::vector<Case>{{"12", 12}, {"22.04", 22.04}, {"22.04.3", 22.04}, {"7.", 7}, {"", 0},
                                         {"rolling", 0}, {"3.18beta", 3.18}, {"v1.2", 0}}) {
    EXPECT_DOUBLE_EQ(OsMajorMinorVersion(c.version_id), c.want) << c.version_id;
  }
}

TEST(OsCollector, ExportsFixtureOsRelease) {
  auto families = CollectFromFixtures(MakeOsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  LabelMap info{{"build_id", "2026-11-30"},
                {"id", "debian"},
                {"id_like", "linux"},
                {"image_id", "buildfarm-node"},
                {"image_version", "4.2 \"rolling\""},
                {"name", "Debian GNU/Linux"},
                {"pretty_name", "Debian GNU/Linux 12 (bookworm)"},
                {"variant", "Build Node"},
                {"variant_id", "build-node"},
                {"version", "12 (bookworm)"},
                {"version_codename", "bookworm"},
                {"version_id", "12"}};
  EXPECT_EQ(SampleValue(*families, "node_os_info", info), 1);
  EXPECT_EQ(SampleValue(*families, "node_os_version", {{"id", "debian"}, {"id_like", "linux"}, {"name", "Debian GNU/Linux"}}),
            12);
}

TEST(OsCollector, FallsBackToUsrLibAndLeavesOutVersionZero) {
  testing::TempDir dir;
  dir.WriteFile("rootfs/usr/lib/os-release", "NAME=\"Arch Linux\"\nID=arch\nBUILD_ID=rolling\n");
  auto families = CollectFrom(MakeOsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* info = FindFamily(*families, "node_os_info");
  ASSERT_NE(info, nullptr);
  EXPECT_NE(FindSample(*families, "node_os_info",
                       {{"build_id", "rolling"}, {"id", "arch"}, {"id_like", ""}, {"image_id", ""},
                        {"image_version", ""}, {"name", "Arch Linux"}, {"pretty_name", ""}, {"variant", ""},
                        {"variant_id", ""}, {"version", ""}, {"version_codename", ""}, {"version_id", ""}}),
            nullptr);
  EXPECT_EQ(FindFamily(*families, "node_os_version"), nullptr);
}

TEST(OsCollector, EtcWinsOverUsrLib) {
  testing::TempDir dir;
  dir.WriteFile("rootfs/etc/os-release", "ID=first\nVERSION_ID=1.5\n");
  dir.WriteFile("rootfs/usr/lib/os-release", "ID=second\nVERSION_ID=2\n");
  auto families = CollectFrom(MakeOsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_os_version", {{"id", "first"}, {"id_like", ""}, {"name", ""}}), 1.5);
}

TEST(OsCollector, NoFileIsNoData) {
  testing::TempDir dir;
  dir.MakeDir("rootfs/etc");
  auto families = CollectFrom(MakeOsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kNotFound);
}

TEST(OsCollector, GarbledAndHugeFilesFail) {
  for (const std::string& contents : {std::string("NAME=\"unterminated\n"), std::string(200 * 1024, 'x')}) {
    testing::TempDir dir;
    dir.WriteFile("rootfs/etc/os-release", contents);
    auto families = CollectFrom(MakeOsSpec(), HostPathsIn(dir));
    ASSERT_FALSE(families.ok());
    EXPECT_NE(families.status().code(), StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace buildfarm::exporter
