// Live-host cross-check against Debian's node_exporter 1.5 (prometheus-node-exporter): both exporters
// run on their defaults (no collector flags, no path flags) against this machine and are scraped side
// by side. Two checks:
//  - every node_* (and Go-client process_*) family node_exporter serves here, buildfarm-exporter serves
//    too, with the same label names; every difference is listed in one failure message;
//  - series whose value cannot move between the scrapes (kStableFamilies below, each with the reason
//    it cannot move) carry the same value and the same label values.
// Everything else on a live host moves (counters, free memory, load) and is compared on the fixture
// tree instead (node_exporter_crosscheck_test.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"

namespace buildfarm::testing {
namespace {

constexpr char kNodeExporter[] = "prometheus-node-exporter";

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }
bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Families node_exporter serves that buildfarm-exporter deliberately does not, with the reason.
struct Exclusion {
  std::string prefix;
  std::string why;
};
const std::vector<Exclusion> kExcludedFamilies = {
    {"go_", "Go runtime statistics; buildfarm-exporter is C++ and has no Go runtime"},
    {"promhttp_", "instrumentation of the Go client's HTTP handler, not of the host"},
    {"node_systemd_",
     "Debian's package turns the systemd collector on by default; upstream 1.5 leaves it off and so "
     "does buildfarm-exporter (issue 12), so these appear only with --collector.systemd"},
};

std::string Excluded(const std::string& family) {
  for (const auto& exclusion : kExcludedFamilies) {
    if (StartsWith(family, exclusion.prefix)) return exclusion.why;
  }
  return "";
}

// Debian's package also gives node_exporter a default textfile directory (upstream 1.5 and buildfarm
// have none): families that only its *.prom files bring are the host's, not a collector's.
constexpr char kDebianTextfileDirectory[] = "/var/lib/prometheus/node-exporter";
const char kTextfileReason[] =
    "from a *.prom file in Debian's default --collector.textfile.directory, which upstream 1.5 and "
    "buildfarm-exporter do not have";

std::set<std::string> DebianTextfileFamilies() {
  std::set<std::string> families;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(kDebianTextfileDirectory, error)) {
    if (entry.path().extension() != ".prom") continue;
    families.insert("node_textfile_mtime_seconds");
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      families.insert(line.substr(0, line.find_first_of("{ \t")));
    }
  }
  return families;
}

// Label names a family of ours carries beyond node_exporter's, on purpose.
const std::map<std::string, std::set<std::string>> kExtraLabelNames = {
    {"node_exporter_build_info", {"exporter"}},  // says the exporter is buildfarm (issue 12)
};

// Families compared by value on the live host. A series of these is compared when node_exporter serves
// it with the same value before and after our scrape; the rule may narrow it to some label values.
struct StableFamily {
  std::string name;
  std::string why;
  std::function<bool(const PromSample&)> applies = [](const PromSample&) { return true; };
};

bool FsTypeIn(const PromSample& sample, const std::set<std::string>& types) {
  return types.count(sample.Label("fstype")) > 0;
}

const std::vector<StableFamily>& StableFamilies() {
  static const std::vector<StableFamily> kFamilies = {
      {"node_boot_time_seconds", "btime of /proc/stat, fixed at boot"},
      {"node_os_version", "VERSION_ID of /etc/os-release"},
      {"node_memory_MemTotal_bytes", "RAM size (a balloon could move it: then it moves on node_exporter's side too)"},
      {"node_memory_SwapTotal_bytes", "configured swap"},
      {"node_memory_VmallocTotal_bytes", "vmalloc address space, fixed by the kernel"},
      {"node_memory_Hugepagesize_bytes", "page size, fixed by the CPU and boot options"},
      {"node_memory_HugePages_Total", "huge pages reserved by sysctl"},
      {"node_filesystem_readonly", "mount flags"},
      {"node_filesystem_size_bytes", "size of a filesystem whose size is set at mkfs or mount time",
       [](const PromSample& s) { return FsTypeIn(s, {"ext2", "ext3", "ext4", "xfs", "vfat", "tmpfs", "iso9660"}); }},
      {"node_filesystem_files", "inode count, fixed at mkfs for ext2/3/4 (xfs and tmpfs allocate on demand)",
       [](const PromSample& s) { return FsTypeIn(s, {"ext2", "ext3", "ext4"}); }},
      {"node_cpu_frequency_max_hertz", "cpuinfo_max_freq, the hardware's limit"},
      {"node_cpu_frequency_min_hertz", "cpuinfo_min_freq, the hardware's limit"},
      {"node_network_mtu_bytes", "interface configuration"},
      {"node_network_address_assign_type", "interface configuration"},
      {"node_network_device_id", "interface configuration"},
      {"node_network_iface_id", "interface configuration"},
      {"node_network_iface_link", "interface configuration"},
      {"node_network_iface_link_mode", "interface configuration"},
      {"node_network_name_assign_type", "interface configuration"},
      {"node_network_net_dev_group", "interface configuration"},
      {"node_network_protocol_type", "interface configuration"},
      {"node_network_speed_bytes", "link speed, fixed while the link is up"},
      {"node_network_transmit_queue_length", "interface configuration"},
      {"node_entropy_pool_size_bits", "fixed by the kernel"},
      {"node_filefd_maximum", "fs.file-max sysctl"},
      {"node_nf_conntrack_entries_limit", "nf_conntrack_max sysctl"},
      {"node_selinux_enabled", "whether SELinux is on, fixed at boot"},
      {"node_time_zone_offset_seconds", "the zone's offset (moves only at a DST change)"},
      {"node_timex_tick_seconds", "the kernel's tick length"},
      {"node_timex_tai_offset_seconds", "TAI-UTC, moves only at a leap second"},
  };
  return kFamilies;
}

// *_info families are always 1 and say everything in their label values (uname, os, disk, network,
// clocksource, dmi, power supply...), so each of node_exporter's series must be ours too, label values
// and all. node_exporter_build_info names the program and its version, so it differs by design.
const StableFamily* StableRuleFor(const PromSample& sample) {
  static const StableFamily kInfo{"*_info", "constant 1; its label values describe the host"};
  if (!Excluded(sample.name).empty()) return nullptr;  // go_info: the Go version
  if (EndsWith(sample.name, "_info") && sample.name != "node_exporter_build_info") return &kInfo;
  for (const auto& family : StableFamilies()) {
    if (family.name == sample.name) return family.applies(sample) ? &family : nullptr;
  }
  return nullptr;
}

std::string FamilyOf(const std::string& sample_name, const PromExposition& scrape) {
  if (scrape.type.count(sample_name)) return sample_name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (!EndsWith(sample_name, suffix)) continue;
    std::string base = sample_name.substr(0, sample_name.size() - std::string(suffix).size());
    if (scrape.type.count(base)) return base;
  }
  return sample_name;
}

// family -> the label names of all its series.
std::map<std::string, std::set<std::string>> LabelNamesByFamily(const PromExposition& scrape) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [family, type] : scrape.type) out[family];
  for (const auto& sample : scrape.samples) {
    auto& names = out[FamilyOf(sample.name, scrape)];
    for (const auto& [name, value] : sample.labels) names.insert(name);
  }
  return out;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return "{" + out + "}";
}

class NodeExporterLive : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
    // Defaults on both sides: only the listen address is given.
    node_exporter_ = StartOnPortZero({kNodeExporter, "--web.listen-address=127.0.0.1:0"});
    ASSERT_FALSE(node_exporter_.address.empty());
    ASSERT_TRUE(Eventually([&] { return HttpGet(node_exporter_.address, "/metrics", {}, 10).status == 200; }, 30,
                           "node_exporter serving /metrics"))
        << "log:\n" << node_exporter_.process->Log();
    ours_ = StartExporter({});
    ASSERT_FALSE(ours_.address.empty());
    // Ours between two of node_exporter's scrapes: a series that is the same in both of those did not
    // move while ours was taken.
    theirs_before_ = ScrapeMetrics(node_exporter_.address, "node_exporter");
    ours_scrape_ = ScrapeMetrics(ours_.address, "buildfarm-exporter");
    theirs_after_ = ScrapeMetrics(node_exporter_.address, "node_exporter");
  }

  RunningProgram node_exporter_, ours_;
  PromExposition theirs_before_, ours_scrape_, theirs_after_;
};

TEST_F(NodeExporterLive, EveryFamilyNodeExporterServesWithTheSameLabelNames) {
  auto theirs = LabelNamesByFamily(theirs_before_);
  for (const auto& [family, names] : LabelNamesByFamily(theirs_after_)) theirs[family].insert(names.begin(), names.end());
  auto ours = LabelNamesByFamily(ours_scrape_);

  const std::set<std::string> textfile_families = DebianTextfileFamilies();
  std::vector<std::string> missing, label_mismatch;
  std::map<std::string, int> excluded;
  int checked = 0;
  for (const auto& [family, their_names] : theirs) {
    if (!StartsWith(family, "node_") && !StartsWith(family, "process_") && !StartsWith(family, "go_") &&
        !StartsWith(family, "promhttp_")) {
      continue;
    }
    if (!Excluded(family).empty()) {
      ++excluded[Excluded(family)];
      continue;
    }
    if (textfile_families.count(family)) {
      ++excluded[kTextfileReason];
      continue;
    }
    ++checked;
    auto mine = ours.find(family);
    if (mine == ours.end()) {
      missing.push_back(family + Join(their_names));
      continue;
    }
    std::set<std::string> expected = their_names;
    auto extra = kExtraLabelNames.find(family);
    if (extra != kExtraLabelNames.end()) expected.insert(extra->second.begin(), extra->second.end());
    if (mine->second != expected) {
      label_mismatch.push_back(family + ": node_exporter " + Join(their_names) + ", buildfarm-exporter " +
                               Join(mine->second));
    }
  }
  std::cout << "[live] families checked: " << checked << "\n";
  for (const auto& [why, count] : excluded) std::cout << "[live] excluded " << count << " families: " << why << "\n";

  std::ostringstream report;
  report << missing.size() << " of node_exporter's " << checked << " families missing from buildfarm-exporter:\n";
  for (const auto& line : missing) report << "  " << line << "\n";
  report << label_mismatch.size() << " families with other label names:\n";
  for (const auto& line : label_mismatch) report << "  " << line << "\n";
  EXPECT_TRUE(missing.empty() && label_mismatch.empty()) << report.str();
  EXPECT_GT(checked, 100) << "node_exporter served too little to compare against";
}

TEST_F(NodeExporterLive, SeriesThatCannotMoveHaveTheSameValues) {
  auto before = theirs_before_.ByKey();
  auto after = theirs_after_.ByKey();
  auto ours = ours_scrape_.ByKey();

  const std::set<std::string> textfile_families = DebianTextfileFamilies();
  std::vector<std::string> differences;
  std::map<std::string, int> compared;
  int moved = 0;
  for (const auto& [key, theirs] : before) {
    const StableFamily* rule = StableRuleFor(theirs);
    if (rule == nullptr || textfile_families.count(theirs.name)) continue;
    auto later = after.find(key);
    if (later == after.end() || later->second.value_text != theirs.value_text) {
      ++moved;  // it moved (or went) between node_exporter's own scrapes: not comparable
      std::cout << "[live] moved on node_exporter's side, not compared: " << key << "\n";
      continue;
    }
    ++compared[rule->name];
    auto mine = ours.find(key);
    if (mine == ours.end()) {
      differences.push_back(key + " " + theirs.value_text + ": not served by buildfarm-exporter (" + rule->why + ")");
    } else if (mine->second.value != theirs.value) {
      differences.push_back(key + ": node_exporter " + theirs.value_text + ", buildfarm-exporter " +
                            mine->second.value_text + " (" + rule->why + ")");
    }
  }
  std::cout << "[live] series compared by value, per rule:\n";
  for (const auto& [name, count] : compared) std::cout << "  " << name << ": " << count << "\n";
  std::ostringstream report;
  report << differences.size() << " series that cannot move differ:\n";
  for (const auto& line : differences) report << "  " << line << "\n";
  EXPECT_TRUE(differences.empty()) << report.str();
  // The host always has these: an empty comparison would pass without checking anything.
  for (const char* family : {"*_info", "node_boot_time_seconds", "node_memory_MemTotal_bytes", "node_os_version"}) {
    EXPECT_GT(compared[family], 0) << family << " was not compared";
  }
}

}  // namespace
}  // namespace buildfarm::testing
