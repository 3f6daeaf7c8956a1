#include "exporter/collectors/topology.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

std::string Processor(int id, int package, int core, const char* model = "Test CPU") {
  return "processor\t: " + std::to_string(id) + "\nmodel name\t: " + model + "\nphysical id\t: " +
         std::to_string(package) + "\ncore id\t\t: " + std::to_string(core) + "\nflags\t\t: fpu vme\n\n";
}

TEST(ParseCpuinfo, CountsPackagesCoresAndThreads) {
  struct Case {
    std::string name;
    std::string text;
    unsigned packages, cores, pus;
  };
  std::vector<Case> cases{
      {"one core", Processor(0, 0, 0), 1, 1, 1},
      {"smt pair", Processor(0, 0, 0) + Processor(1, 0, 0), 1, 1, 2},
      {"two sockets, core ids reused", Processor(0, 0, 0) + Processor(1, 0, 1) + Processor(2, 1, 0) + Processor(3, 1, 1),
       2, 4, 4},
      // arm64 has neither physical id nor core id: every processor is a core of one package.
      {"arm64", "processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n", 1, 2, 2},
  };
  for (const auto& c : cases) {
    auto summary = ParseCpuinfo(c.text);
    ASSERT_TRUE(summary.ok()) << c.name << ": " << summary.status().ToString();
    EXPECT_EQ(summary->packages, c.packages) << c.name;
    EXPECT_EQ(summary->cores, c.cores) << c.name;
    EXPECT_EQ(summary->processing_units, c.pus) << c.name;
  }
}

TEST(ParseCpuinfo, ReadsTheFixture) {
  auto text = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/cpuinfo"));
  ASSERT_TRUE(text.ok());
  auto summary = ParseCpuinfo(*text);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->packages, 1u);
  EXPECT_EQ(summary->cores, 4u);
  EXPECT_EQ(summary->processing_units, 8u);
  EXPECT_EQ(summary->cpu_model, "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz");
}

TEST(ParseCpuinfo, RejectsBadInput) {
  for (const char* bad : {"", "\n\n", "garbage", "vendor_id : x\n", "processor : x\n", "processor : 0\nphysical id : ?\n",
                          "processor : 0\ncore id : -1\n"}) {
    EXPECT_FALSE(ParseCpuinfo(bad).ok()) << "input: " << bad;
  }
}

TEST(ParseMemTotalBytes, ReadsKilobytes) {
  auto bytes = ParseMemTotalBytes("MemFree: 1 kB\nMemTotal:       16318612 kB\n");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, 16318612ull * 1024);
  EXPECT_FALSE(ParseMemTotalBytes("MemFree: 1 kB\n").ok());
  EXPECT_FALSE(ParseMemTotalBytes("MemTotal: lots kB\n").ok());
  EXPECT_FALSE(ParseMemTotalBytes("MemTotal: 99999999999999999999 kB\n").ok());
}

// The fixture tree has sys/ and proc/ side by side, so hwloc reads it through HWLOC_FSROOT.
TEST(TopologyCollector, ReadsFixtureSysfsWithHwloc) {
  auto families = CollectFromFixtures(MakeTopologySpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_info",
                        {{"source", "hwloc"}, {"cpu_model", "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz"}}),
            1);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_packages", {}), 1);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_cores", {}), 4);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_processing_units", {}), 8);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_numa_nodes", {}), 1);
  // MemTotal of the fixture's proc/meminfo when there is one; otherwise hwloc's NUMA node sum.
  double memory = 16318612.0 * 1024;
  if (auto meminfo = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/meminfo")); meminfo.ok()) {
    auto total = ParseMemTotalBytes(*meminfo);
    ASSERT_TRUE(total.ok());
    memory = static_cast<double>(*total);
  }
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_memory_bytes", {}), memory);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_cache_bytes", {{"level", "1"}, {"type", "data"}}),
            4 * 32 * 1024);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_caches", {{"level", "1"}, {"type", "instruction"}}), 4);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_cache_bytes", {{"level", "2"}, {"type", "unified"}}),
            4 * 512 * 1024);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_cache_bytes", {{"level", "3"}, {"type", "unified"}}),
            16 * 1024 * 1024);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_caches", {{"level", "3"}, {"type", "unified"}}), 1);
}

TEST(TopologyCollector, FallsBackToProcfsWithoutSysfsTopology) {
  testing::TempDir dir;
  dir.WriteFile("proc/cpuinfo", Processor(0, 0, 0, "Fallback CPU") + Processor(1, 0, 1, "Fallback CPU"));
  dir.WriteFile("proc/meminfo", "MemTotal:       2048 kB\nMemFree: 1 kB\n");
  dir.MakeDir("sys");
  auto families = CollectFrom(MakeTopologySpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_info", {{"source", "procfs"}, {"cpu_model", "Fallback CPU"}}),
            1);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_cores", {}), 2);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_processing_units", {}), 2);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_numa_nodes", {}), 1);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_memory_bytes", {}), 2048.0 * 1024);
  EXPECT_EQ(FindFamily(*families, "buildfarm_node_topology_cache_bytes"), nullptr);
}

// sysfs and procfs in unrelated places: hwloc cannot be pointed at them, so procfs is used even
// though the sysfs tree is complete.
TEST(TopologyCollector, FallsBackWhenPathsAreNotSiblings) {
  testing::TempDir dir;
  dir.WriteFile("elsewhere/cpuinfo", Processor(0, 0, 0));
  HostPaths paths = FixturePaths();
  paths.procfs = dir.Join("elsewhere");
  auto families = CollectFrom(MakeTopologySpec(), paths);
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_info", {{"source", "procfs"}, {"cpu_model", "Test CPU"}}), 1);
  EXPECT_EQ(SampleValue(*families, "buildfarm_node_topology_processing_units", {}), 1);
  // No meminfo there: memory is unknown and left out rather than reported as 0.
  EXPECT_EQ(FindFamily(*families, "buildfarm_node_topology_memory_bytes"), nullptr);
}

TEST(TopologyCollector, FailsScrapesWhenNothingIsReadable) {
  testing::TempDir dir;
  dir.WriteFile("proc/cpuinfo", "garbled\x01\x02");
  auto families = CollectFrom(MakeTopologySpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("cpuinfo"), std::string::npos) << families.status().ToString();
}

TEST(TopologyCollector, ReadsThisHost) {
  auto families = CollectFrom(MakeTopologySpec(), HostPaths{});
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_GE(SampleValue(*families, "buildfarm_node_topology_processing_units", {}), 1);
  EXPECT_GE(SampleValue(*families, "buildfarm_node_topology_cores", {}), 1);
}

}  // namespace
}  // namespace buildfarm::exporter
