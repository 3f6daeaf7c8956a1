#include "exporter/collectors/mdadm.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

std::string OneDevice(const std::string& device_line, const std::string& status_line, const std::string& third = "",
                      const std::string& fourth = "") {
  return device_line + "\n" + status_line + "\n" + third + "\n" + fourth + "\n";
}

const MdDevice* Find(const std::vector<MdDevice>& devices, const std::string& name) {
  for (const auto& md : devices) {
    if (md.name == name) return &md;
  }
  return nullptr;
}

TEST(ParseMdstat, ReadsTheFixtureLikeNodeExporter) {
  auto text = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/mdstat"));
  ASSERT_TRUE(text.ok());
  auto devices = ParseMdstat(*text);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 8u);
  struct Want {
    const char* name;
    const char* state;
    std::int64_t active, total, failed, spare, blocks, synced;
  };
  const Want wants[] = {
      {"md3", "resyncing", 6, 6, 0, 0, 7813772288, 160289792},
      {"md127", "active", 2, 2, 0, 0, 976630464, 976630464},
      {"md4", "recovering", 3, 4, 1, 1, 2929890816, 219264512},
      {"md0", "active", 2, 2, 0, 0, 1953260544, 1953260544},  // raid0: disks counted from the device line
      {"md5", "active", 2, 2, 0, 0, 1953260544, 1953260544},  // linear likewise
      {"md6", "inactive", 0, 0, 0, 1, 976630488, 976630488},
      {"md7", "checking", 4, 4, 0, 0, 1953260544, 928022912},
      {"md8", "resyncing", 2, 2, 0, 0, 104320, 0},  // resync=PENDING
  };
  for (const Want& want : wants) {
    SCOPED_TRACE(want.name);
    const MdDevice* md = Find(*devices, want.name);
    ASSERT_NE(md, nullptr);
    EXPECT_EQ(md->activity_state, want.state);
    EXPECT_EQ(md->disks_active, want.active);
    EXPECT_EQ(md->disks_total, want.total);
    EXPECT_EQ(md->disks_failed, want.failed);
    EXPECT_EQ(md->disks_spare, want.spare);
    EXPECT_EQ(md->blocks_total, want.blocks);
    EXPECT_EQ(md->blocks_synced, want.synced);
  }
  EXPECT_EQ(Find(*devices, "md4")->disks_down, 1);
}

TEST(ParseMdstat, FollowsNodeExporterOnOddButValidInput) {
  struct Case {
    const char* name;
    std::string text;
    const char* state;
    std::int64_t active, total, synced;
  };
  const std::string raid1 = "md0 : active raid1 sda1[0] sdb1[1]";
  const Case cases[] = {
      {"last [n/m] [U_] wins", OneDevice(raid1, "   100 blocks [2/1] [U_] [3/3] [UUU]"), "active", 3, 3, 100},
      {"negative size", OneDevice(raid1, "   -100 blocks [2/1] [U_]"), "active", 1, 2, -100},
      {"tab-indented device line is still a device", OneDevice("\t" + raid1, "   100 blocks [2/1] [U_]"), "active", 1,
       2, 100},
      {"resync=DELAYED", OneDevice(raid1, "   100 blocks [2/1] [U_]", "   \tresync=DELAYED"), "resyncing", 1, 2, 0},
      {"recovery beats check",
       OneDevice(raid1, " 100 blocks [2/1] [U_]", " check = 5% (5/100) finish=1min speed=1K/s recovery"), "recovering",
       1, 2, 5},
      {"check beats resync",
       OneDevice(raid1, " 100 blocks [2/1] [U_]", " resync = 5% (6/100) finish=1min speed=1K/s check"), "checking", 1,
       2, 6},
      {"bitmap line is skipped", OneDevice(raid1, " 100 blocks [2/2] [UU]", " bitmap: resync", " plain"), "active", 2,
       2, 100},
      {"Go float syntax in the sync line",
       OneDevice(raid1, " 100 blocks [2/1] [U_]", " recovery = 0x1p3% (7/100) finish=1_0.5min speed=infK/s"),
       "recovering", 1, 2, 7},
      {"greedy speed up to the last capital",
       OneDevice(raid1, " 100 blocks [2/1] [U_]", " recovery = 1% (8/100) speed=1K/s finish=1min"), "recovering", 1, 2,
       8},
      {"auto-read-only keeps active", OneDevice("md0 : active (auto-read-only) raid1 sda1[0]", " 100 blocks [1/1] [U]"),
       "active", 1, 1, 100},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto devices = ParseMdstat(c.text);
    ASSERT_TRUE(devices.ok()) << devices.status().ToString();
    ASSERT_EQ(devices->size(), 1u);
    EXPECT_EQ((*devices)[0].activity_state, c.state);
    EXPECT_EQ((*devices)[0].disks_active, c.active);
    EXPECT_EQ((*devices)[0].disks_total, c.total);
    EXPECT_EQ((*devices)[0].blocks_synced, c.synced);
  }
}

TEST(ParseMdstat, RejectsWhatNodeExporterRejects) {
  const std::string raid1 = "md0 : active raid1 sda1[0] sdb1[1]";
  const std::string status = "   100 blocks [2/1] [U_]";
  const std::pair<const char*, std::string> cases[] = {
      {"truncated after the device line", raid1 + "\n"},
      {"truncated after the status line", raid1 + "\n" + status + "\n"},
      {"device line with two fields", OneDevice("md0 :", status)},
      {"garbled size", OneDevice(raid1, "   xyz blocks [2/1] [U_]")},
      {"size out of range", OneDevice(raid1, "   99999999999999999999 blocks [2/1] [U_]")},
      {"disk count out of range", OneDevice(raid1, "   100 blocks [99999999999999999999/1] [U_]")},
      {"double sign", OneDevice(raid1, "   +-100 blocks [2/1] [U_]")},
      {"empty status line", OneDevice(raid1, "")},
      {"raid1 without [n/m]", OneDevice(raid1, "   100 blocks super 1.2")},
      {"health with other letters", OneDevice(raid1, "   100 blocks [2/1] [UX]")},
      {"recovery without blocks", OneDevice(raid1, status, "   recovery = 5% finish=1min speed=1K/s")},
      {"recovery without percentage", OneDevice(raid1, status, "   recovery (5/100) finish=1min speed=1K/s")},
      {"recovery without finish", OneDevice(raid1, status, "   recovery = 5% (5/100) speed=1K/s")},
      {"recovery without speed", OneDevice(raid1, status, "   recovery = 5% (5/100) finish=1min")},
      {"garbage percentage", OneDevice(raid1, status, "   recovery = fast% (5/100) finish=1min speed=1K/s")},
      {"percentage out of range", OneDevice(raid1, status, "   recovery = 1e400% (5/100) finish=1min speed=1K/s")},
      {"spaced finish", OneDevice(raid1, status, "   recovery = 5% (5/100) finish= 1min speed=1K/s")},
      {"capital after speed", OneDevice(raid1, status, "   recovery = 5% (5/100) finish=1min speed=1K/s FOO")},
      {"signed nan", OneDevice(raid1, status, "   recovery = -nan% (5/100) finish=1min speed=1K/s")},
  };
  for (const auto& [name, text] : cases) {
    EXPECT_FALSE(ParseMdstat(text).ok()) << name;
  }
}

TEST(ParseMdstat, EmptyAndHeaderOnlyFilesHaveNoDevices) {
  for (const char* text : {"", "\n", "Personalities : [raid1]\nunused devices: <none>\n", "   \n\t\n"}) {
    auto devices = ParseMdstat(text);
    ASSERT_TRUE(devices.ok()) << text;
    EXPECT_TRUE(devices->empty());
  }
}

TEST(ParseMdstat, SurvivesHugeAndBinaryInput) {
  std::string huge = "md0 : active raid1 " + std::string(1 << 20, '[') + "\n" + std::string(1 << 20, '(') + "\n\n\n";
  EXPECT_FALSE(ParseMdstat(huge).ok());
  std::string many;
  for (int i = 0; i < 20000; ++i)
    many += OneDevice("md" + std::to_string(i) + " : active raid1 sda1[0]", " 1 blocks [1/1] [U]");
  auto devices = ParseMdstat(many);
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->size(), 20000u);
  const char raw[] = "md0 : active raid1\0\xff\n\x01 blocks\n\n\n";
  std::string binary(raw, sizeof raw - 1);
  EXPECT_FALSE(ParseMdstat(binary).ok());
}

TEST(MdadmCollector, ExportsFixtureArrays) {
  auto families = CollectFromFixtures(MakeMdadmSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_md_disks_required", {{"device", "md4"}}), 4);
  EXPECT_EQ(SampleValue(f, "node_md_disks", {{"device", "md4"}, {"state", "active"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_md_disks", {{"device", "md4"}, {"state", "failed"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_md_disks", {{"device", "md4"}, {"state", "spare"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_md_state", {{"device", "md4"}, {"state", "recovering"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_md_state", {{"device", "md4"}, {"state", "active"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_md_state", {{"device", "md3"}, {"state", "resync"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_md_state", {{"device", "md7"}, {"state", "check"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_md_blocks", {{"device", "md3"}}), 7813772288);
  EXPECT_EQ(SampleValue(f, "node_md_blocks_synced", {{"device", "md3"}}), 160289792);
  EXPECT_EQ(FindFamily(f, "node_md_state")->metric.size(), 8u * 5u);
}

TEST(MdadmCollector, RepeatedNamesServeTheFirstAndNamesAreRepairedToUtf8) {
  testing::TempDir dir;
  dir.WriteFile("proc/mdstat", OneDevice("md4 : active raid1 sda1[0] sdb1[1]", " 100 blocks [2/1] [U_]",
                                         " recovery = 5% (5/100) finish=1min speed=1K/s") +
                                   OneDevice("md4 : active raid1 sda1[0] sdb1[1]", " 200 blocks [2/2] [UU]") +
                                   OneDevice("md\xff"
                                             "9 : active raid1 sda1[0]",
                                             " 300 blocks [1/1] [U]"));
  auto families = CollectFrom(MakeMdadmSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_md_blocks", {{"device", "md4"}}), 100);  // node_exporter keeps the first
  EXPECT_EQ(SampleValue(*families, "node_md_state", {{"device", "md4"}, {"state", "recovering"}}), 1);
  EXPECT_EQ(SampleValue(*families, "node_md_blocks",
                        {{"device",
                          "md\xEF\xBF\xBD"
                          "9"}}),
            300);
  EXPECT_EQ(FindFamily(*families, "node_md_blocks")->metric.size(), 2u);
}

TEST(MdadmCollector, MissingMdstatIsNoDataAndGarbageIsAnError) {
  testing::TempDir dir;
  dir.MakeDir("proc");
  auto missing = CollectFrom(MakeMdadmSpec(), HostPathsIn(dir));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  dir.WriteFile("proc/mdstat", "md0 : active raid1 sda1[0]\n");
  auto truncated = CollectFrom(MakeMdadmSpec(), HostPathsIn(dir));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().ToString().find("mdstat"), std::string::npos) << truncated.status().ToString();
  dir.WriteFile("proc/mdstat", std::string((1 << 20) + 1, '\n'));  // over the 1 MiB cap: refused, not indexed
  auto huge = CollectFrom(MakeMdadmSpec(), HostPathsIn(dir));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace buildfarm::exporter
