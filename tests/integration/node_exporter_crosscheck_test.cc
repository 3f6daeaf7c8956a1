// Cross-check against Debian's node_exporter 1.5 (prometheus-node-exporter): both exporters read the
// same fixture tree with the same collectors, and every series that both expose must carry the
// same value. Only collectors our binary knows take part, so the test grows with the exporter.
// It also prints, for information, the series node_exporter has and we don't.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

constexpr char kNodeExporter[] = "prometheus-node-exporter";

// The collectors the issue requires to be cross-checked.
const std::vector<std::string> kCrossCheckedCollectors = {
    "cpu", "meminfo", "filesystem", "diskstats", "hwmon", "thermal_zone", "loadavg", "netdev", "stat", "time",
    // Issue 12, /proc kernel-statistics group.
    "vmstat", "netstat", "sockstat", "pressure", "softnet", "schedstat", "conntrack", "arp", "udp_queues",
    // Issue 12, identity group.
    "uname", "os", "textfile", "filefd", "entropy", "timex",
    // Issue 12, sysfs/hardware group.
    "netclass", "cpufreq", "mdadm", "dmi", "powersupplyclass", "edac", "rapl", "nvme", "selinux",
    // Issue 12, network/storage-fabric and NFS group.
    "bonding", "infiniband", "fibrechannel", "tapestats", "nfs", "nfsd",
    // Issue 12, filesystem/storage group.
    "xfs", "btrfs", "bcache", "ipvs", "zfs"};

// Which collector a series belongs to, by name; empty for series outside the set.
std::string CollectorOf(const PromSample& sample) {
  static const std::vector<std::pair<std::string, std::string>> kPrefixes = {
      {"node_cpu_frequency_", "cpufreq"},
      {"node_cpu_scaling_", "cpufreq"},
      {"node_cpu_", "cpu"},
      {"node_memory_", "meminfo"},
      {"node_filesystem_", "filesystem"},
      {"node_disk_", "diskstats"},
      {"node_hwmon_", "hwmon"},
      {"node_thermal_zone_", "thermal_zone"},
      {"node_load", "loadavg"},
      {"node_network_transmit_queue_length", "netclass"},
      {"node_network_receive_", "netdev"},
      {"node_network_transmit_", "netdev"},
      {"node_network_", "netclass"},
      {"node_md_", "mdadm"},
      {"node_dmi_", "dmi"},
      {"node_power_supply_", "powersupplyclass"},
      {"node_edac_", "edac"},
      {"node_rapl_", "rapl"},
      {"node_nvme_", "nvme"},
      {"node_selinux_", "selinux"},
      {"node_boot_time_seconds", "stat"},
      {"node_context_switches_total", "stat"},
      {"node_forks_total", "stat"},
      {"node_intr_total", "stat"},
      {"node_procs_", "stat"},
      {"node_time_", "time"},
      // Issue 12, /proc kernel-statistics group.
      {"node_vmstat_", "vmstat"},
      {"node_netstat_", "netstat"},
      {"node_sockstat_", "sockstat"},
      {"node_pressure_", "pressure"},
      {"node_softnet_", "softnet"},
      {"node_schedstat_", "schedstat"},
      {"node_nf_conntrack_", "conntrack"},
      {"node_arp_", "arp"},
      {"node_udp_queues", "udp_queues"},
      // Issue 12, identity group; buildfarm_job_ and smart_ are the fixture textfiles' metrics.
      {"node_uname_info", "uname"},
      {"node_os_", "os"},
      {"node_textfile_", "textfile"},
      {"buildfarm_job_", "textfile"},
      {"smart_", "textfile"},
      {"node_filefd_", "filefd"},
      {"node_entropy_", "entropy"},
      {"node_timex_", "timex"},
      // Issue 12, network/storage-fabric and NFS group.
      {"node_bonding_", "bonding"},
      {"node_infiniband_", "infiniband"},
      {"node_fibrechannel_", "fibrechannel"},
      {"node_tape_", "tapestats"},
      {"node_nfs_", "nfs"},
      {"node_nfsd_", "nfsd"},
      // Issue 12, filesystem/storage group.
      {"node_xfs_", "xfs"},
      {"node_btrfs_", "btrfs"},
      {"node_bcache_", "bcache"},
      {"node_ipvs_", "ipvs"},
      {"node_zfs_", "zfs"},
  };
  for (const auto& [prefix, collector] : kPrefixes) {
    if (sample.name.rfind(prefix, 0) == 0) return collector;
  }
  return "";
}

// Values that legitimately move between the two scrapes: free space and inodes of the real disk
// under the fixture rootfs, and the clock.
bool ValuesAgree(const PromSample& ours, const PromSample& theirs) {
  if (std::isnan(ours.value) && std::isnan(theirs.value)) return true;
  if (ours.value == theirs.value) return true;
  if (ours.name.rfind("node_filesystem_", 0) == 0 && ours.name != "node_filesystem_readonly" &&
      ours.name != "node_filesystem_device_error") {
    double scale = std::max(std::fabs(ours.value), std::fabs(theirs.value));
    return std::fabs(ours.value - theirs.value) <= 0.01 * scale;
  }
  if (ours.name == "node_time_seconds") return std::fabs(ours.value - theirs.value) <= 30;
  // The kernel's clock discipline (adjtimex) is live: the offset, frequency and error estimates may
  // move between the two scrapes; the status bits, tick and counters may not.
  static const std::set<std::string> kLiveTimex = {"node_timex_offset_seconds", "node_timex_frequency_adjustment_ratio",
                                                   "node_timex_maxerror_seconds", "node_timex_estimated_error_seconds"};
  if (kLiveTimex.count(ours.name)) return true;
  return false;
}

TEST(NodeExporterCrossCheck, OverlappingSeriesHaveTheSameValues) {
  ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
  std::set<std::string> known = KnownCollectors();
  std::set<std::string> collectors;
  for (const auto& name : kCrossCheckedCollectors) {
    if (known.count(name)) collectors.insert(name);
  }
  ASSERT_FALSE(collectors.empty()) << "buildfarm-exporter knows none of the cross-checked collectors";

  std::string node_help;
  RunCommand({kNodeExporter, "--help"}, &node_help, 30);
  std::vector<std::string> node_args{kNodeExporter, "--web.listen-address=127.0.0.1:0"};
  for (const auto& flag : FixturePathFlags()) node_args.push_back(flag);
  for (const auto& flag : CollectorFlags(collectors)) node_args.push_back(flag);
  const std::string textfile_flag = "--collector.textfile.directory=" + SourcePath("tests/fixtures/textfile");
  node_args.push_back(textfile_flag);
  // node_exporter 1.5 reads interface counters over netlink by default; the fixture is /proc/net/dev,
  // so both exporters are told to read it (netlink mode is cross-checked live, in
  // netdev_netlink_crosscheck_test.cc). Debian patches netdev's default exclude to "^lo$"; upstream
  // (and buildfarm) exclude nothing, so the flag is reset to compare lo too.
  if (node_help.find("collector.netdev.netlink") != std::string::npos) {
    node_args.push_back("--no-collector.netdev.netlink");
  }
  node_args.push_back("--collector.netdev.device-exclude=");
  RunningProgram node_exporter = StartOnPortZero(node_args);
  ASSERT_FALSE(node_exporter.address.empty());
  const std::string& node_address = node_exporter.address;
  ASSERT_TRUE(Eventually([&] { return HttpGet(node_address, "/metrics", {}, 5).status == 200; }, 20,
                         "node_exporter serving /metrics"))
      << "log:\n" << node_exporter.process->Log();

  std::vector<std::string> our_args = FixturePathFlags();
  for (const auto& flag : CollectorFlags(collectors)) our_args.push_back(flag);
  if (collectors.count("textfile")) our_args.push_back(textfile_flag);
  if (collectors.count("netdev")) our_args.push_back("--no-collector.netdev.netlink");
  RunningProgram ours = StartExporter(our_args);
  ASSERT_FALSE(ours.address.empty());

  PromExposition our_scrape = ScrapeMetrics(ours.address, "buildfarm-exporter");
  PromExposition their_scrape = ScrapeMetrics(node_address, "node_exporter");
  auto our_series = our_scrape.ByKey();
  auto their_series = their_scrape.ByKey();
  auto& our_types = our_scrape.type;
  auto& their_types = their_scrape.type;
  std::set<std::string> checked_types;

  std::map<std::string, int> overlap;
  std::vector<std::string> only_theirs;
  for (const auto& [key, theirs] : their_series) {
    std::string collector = CollectorOf(theirs);
    bool scrape_meta = theirs.name == "node_scrape_collector_success";
    if (collector.empty() && !scrape_meta) continue;  // go_*, process_*, promhttp_*, duration
    auto mine = our_series.find(key);
    if (mine == our_series.end()) {
      if (!scrape_meta) only_theirs.push_back(key + " " + theirs.value_text);
      continue;
    }
    if (!collector.empty()) ++overlap[collector];
    EXPECT_TRUE(ValuesAgree(mine->second, theirs))
        << key << ": buildfarm-exporter " << mine->second.value_text << ", node_exporter " << theirs.value_text;
    if (checked_types.insert(theirs.name).second) {
      EXPECT_EQ(our_types[theirs.name], their_types[theirs.name]) << "TYPE of " << theirs.name;
      EXPECT_EQ(our_scrape.help[theirs.name], their_scrape.help[theirs.name]) << "HELP of " << theirs.name;
    }
  }

  // The exporter's own families: node_exporter_build_info (ours carries one label more, exporter) and
  // the Go client's process_* metrics, same names, types and HELP texts.
  std::map<std::string, std::set<std::string>> our_label_names, their_label_names;
  for (const auto& sample : our_scrape.samples) {
    for (const auto& [name, value] : sample.labels) our_label_names[sample.name].insert(name);
  }
  for (const auto& sample : their_scrape.samples) {
    if (sample.name != "node_exporter_build_info" && sample.name.rfind("process_", 0) != 0) continue;
    for (const auto& [name, value] : sample.labels) their_label_names[sample.name].insert(name);
    EXPECT_EQ(our_types[sample.name], their_types[sample.name]) << "TYPE of " << sample.name;
    EXPECT_EQ(our_scrape.help[sample.name], their_scrape.help[sample.name]) << "HELP of " << sample.name;
  }
  for (const auto& [name, labels] : their_label_names) {
    for (const auto& label : labels) EXPECT_TRUE(our_label_names[name].count(label)) << name << " lacks label " << label;
  }
  EXPECT_TRUE(our_label_names["node_exporter_build_info"].count("exporter"));

  std::cout << "[cross-check] overlapping series per collector:\n";
  for (const auto& name : collectors) {
    std::cout << "  " << name << ": " << overlap[name] << "\n";
    EXPECT_GT(overlap[name], 0) << "collector " << name
                                << ": no series in common with node_exporter, so nothing was compared";
  }
  std::cout << "[cross-check] series node_exporter exposes that buildfarm-exporter does not ("
            << only_theirs.size() << "):\n";
  for (const auto& line : only_theirs) std::cout << "  " << line << "\n";
}


// /proc/mdstat is loosely formatted: both exporters read every mdadm seed (real layouts, the fuzzer's
// finds, inputs node_exporter rejects) and must agree on every node_md_* series and on success.
TEST(NodeExporterCrossCheck, MdstatVariantsMatchNodeExporter) {
  ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
  TempDir root;
  root.MakeDir("sys");
  root.MakeDir("rootfs");
  const std::string mdstat = root.WriteFile("proc/mdstat", "");
  std::vector<std::string> paths{"--path.procfs=" + root.Join("proc"), "--path.sysfs=" + root.Join("sys"),
                                 "--path.rootfs=" + root.Join("rootfs")};
  std::vector<std::string> node_args{kNodeExporter, "--web.listen-address=127.0.0.1:0"};
  node_args.insert(node_args.end(), paths.begin(), paths.end());
  std::vector<std::string> our_args = paths;
  for (const auto& flag : CollectorFlags({"mdadm"})) {
    node_args.push_back(flag);
    our_args.push_back(flag);
  }
  RunningProgram node_exporter = StartOnPortZero(node_args);
  ASSERT_FALSE(node_exporter.address.empty());
  ASSERT_TRUE(Eventually([&] { return HttpGet(node_exporter.address, "/metrics", {}, 5).status == 200; }, 20,
                         "node_exporter serving /metrics"));
  RunningProgram ours = StartExporter(our_args);
  ASSERT_FALSE(ours.address.empty());

  // A series served twice (Prometheus rejects the scrape) shows up as a value of its own.
  auto md_series = [](const std::string& address, const char* who) {
    std::map<std::string, std::string> out;
    for (const auto& sample : ScrapeMetrics(address, who).samples) {
      if (sample.name.rfind("node_md_", 0) != 0 && sample.name != "node_scrape_collector_success") continue;
      auto [it, inserted] = out.emplace(sample.Key(), sample.value_text);
      if (!inserted) it->second += " (served twice)";
    }
    return out;
  };
  int compared = 0;
  int with_arrays = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("tests/fixtures/seeds/mdadm"))) {
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(mdstat, std::ios::binary | std::ios::trunc) << contents;
    auto theirs = md_series(node_exporter.address, "node_exporter");
    auto mine = md_series(ours.address, "buildfarm-exporter");
    EXPECT_EQ(mine, theirs);
    ++compared;
    if (theirs.size() > 1) ++with_arrays;
  }
  EXPECT_GE(compared, 10);
  EXPECT_GE(with_arrays, 5) << "too few seeds that node_exporter reads arrays from";
}

// /proc/net/rpc/nfs and nfsd are strict formats node_exporter fails on in many ways: both exporters
// read every nfs/nfsd seed (real layouts, older and newer kernels, garbled and over-long lines) and
// must agree on every node_nfs_*/node_nfsd_* series and on success.
TEST(NodeExporterCrossCheck, RpcStatsVariantsMatchNodeExporter) {
  ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
  for (const std::string collector : {"nfs", "nfsd"}) {
    SCOPED_TRACE(collector);
    TempDir root;
    root.MakeDir("sys");
    root.MakeDir("rootfs");
    const std::string stats_file = root.WriteFile("proc/net/rpc/" + collector, "");
    std::vector<std::string> paths{"--path.procfs=" + root.Join("proc"), "--path.sysfs=" + root.Join("sys"),
                                   "--path.rootfs=" + root.Join("rootfs")};
    std::vector<std::string> node_args{kNodeExporter, "--web.listen-address=127.0.0.1:0"};
    node_args.insert(node_args.end(), paths.begin(), paths.end());
    std::vector<std::string> our_args = paths;
    for (const auto& flag : CollectorFlags({collector})) {
      node_args.push_back(flag);
      our_args.push_back(flag);
    }
    RunningProgram node_exporter = StartOnPortZero(node_args);
    ASSERT_FALSE(node_exporter.address.empty());
    ASSERT_TRUE(Eventually([&] { return HttpGet(node_exporter.address, "/metrics", {}, 5).status == 200; }, 20,
                           "node_exporter serving /metrics"));
    RunningProgram ours = StartExporter(our_args);
    ASSERT_FALSE(ours.address.empty());
    const std::string prefix = "node_" + collector + "_";
    auto series = [&prefix](const std::string& address, const char* who) {
      std::map<std::string, std::string> out;
      for (const auto& sample : ScrapeMetrics(address, who).samples) {
        if (sample.name.rfind(prefix, 0) != 0 && sample.name != "node_scrape_collector_success") continue;
        auto [it, inserted] = out.emplace(sample.Key(), sample.value_text);
        if (!inserted) it->second += " (served twice)";
      }
      return out;
    };
    int compared = 0, read = 0;
    for (const auto& entry : std::filesystem::directory_iterator(SourcePath("tests/fixtures/seeds/" + collector))) {
      SCOPED_TRACE(entry.path().filename().string());
      std::ifstream in(entry.path(), std::ios::binary);
      std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::ofstream(stats_file, std::ios::binary | std::ios::trunc) << contents;
      auto theirs = series(node_exporter.address, "node_exporter");
      EXPECT_EQ(series(ours.address, "buildfarm-exporter"), theirs);
      ++compared;
      if (theirs.size() > 1) ++read;
    }
    EXPECT_GE(compared, 20);
    EXPECT_GE(read, 8) << "too few seeds that node_exporter reads";
  }
}

}  // namespace
}  // namespace buildfarm::testing
