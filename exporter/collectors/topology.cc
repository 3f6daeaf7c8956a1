#include "exporter/collectors/topology.h"

#include <hwloc.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "common/file_reader.h"
#include "common/mutex.h"
#include "common/text.h"
#include "exporter/collectors/topology_isolated.h"

namespace buildfarm::exporter {
namespace {

// "key\t: value" -> (key, value); nullopt for lines without a colon.
std::optional<std::pair<std::string_view, std::string_view>> SplitKeyValue(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::make_pair(text::Trim(line.substr(0, colon)), text::Trim(line.substr(colon + 1)));
}

}  // namespace

Result<CpuinfoSummary> ParseCpuinfo(std::string_view text) {
  CpuinfoSummary summary;
  std::set<std::uint64_t> packages;
  std::set<std::pair<std::uint64_t, std::uint64_t>> cores;
  std::optional<std::uint64_t> package, core;
  bool in_processor = false;
  bool any_package_id = false;
  bool any_core_id = false;
  auto finish_processor = [&] {
    if (!in_processor) return;
    if (package) packages.insert(*package);
    if (core) cores.insert({package.value_or(0), *core});
    package.reset();
    core.reset();
    in_processor = false;
  };
  for (std::string_view line : text::Lines(text)) {
    auto kv = SplitKeyValue(line);
    if (!kv) continue;
    auto [key, value] = *kv;
    if (key == "processor") {
      // On x86 and arm64 each "processor : N" opens an entry; s390x has a summary "processor 0: ..." form
      // which has a different key and is ignored.
      if (!text::ParseUint64(value)) return ParseError("cpuinfo: processor id \"" + std::string(value) + "\" is not a number");
      finish_processor();
      in_processor = true;
      ++summary.processing_units;
    } else if (key == "physical id") {
      package = text::ParseUint64(value);
      if (!package) return ParseError("cpuinfo: physical id \"" + std::string(value) + "\" is not a number");
      any_package_id = true;
    } else if (key == "core id") {
      core = text::ParseUint64(value);
      if (!core) return ParseError("cpuinfo: core id \"" + std::string(value) + "\" is not a number");
      any_core_id = true;
    } else if (summary.cpu_model.empty() && (key == "model name" || key == "cpu model" || key == "Processor")) {
      summary.cpu_model = std::string(value);
    }
  }
  finish_processor();
  if (summary.processing_units == 0) return ParseError("cpuinfo: no processor entries");
  summary.packages = any_package_id ? static_cast<unsigned>(packages.size()) : 1;
  summary.cores = any_core_id ? static_cast<unsigned>(cores.size()) : summary.processing_units;
  return summary;
}

Result<std::uint64_t> ParseMemTotalBytes(std::string_view meminfo) {
  for (std::string_view line : text::Lines(meminfo)) {
    if (line.substr(0, 9) != "MemTotal:") continue;
    auto fields = text::Fields(line.substr(9));
    if (fields.empty()) return ParseError("meminfo: MemTotal has no value");
    auto value = text::ParseUint64(fields[0]);
    if (!value || *value > (UINT64_MAX >> 10)) return ParseError("meminfo: MemTotal is not a number");
    if (fields.size() >= 2 && fields[1] == "kB") return *value * 1024;
    return *value;
  }
  return ParseError("meminfo: no MemTotal line");
}

namespace {

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The directory holding both sysfs (as "sys") and procfs (as "proc"), or nullopt.
std::optional<std::string> CommonFsRoot(const HostPaths& paths) {
  std::string sys = StripTrailingSlashes(paths.sysfs);
  std::string proc = StripTrailingSlashes(paths.procfs);
  auto split = [](const std::string& p) -> std::pair<std::string, std::string> {
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return {".", p};
    return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
  };
  auto [sys_parent, sys_name] = split(sys);
  auto [proc_parent, proc_name] = split(proc);
  if (sys_name != "sys" || proc_name != "proc" || sys_parent != proc_parent) return std::nullopt;
  return sys_parent;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string_view CacheTypeName(hwloc_obj_cache_type_t type) {
  switch (type) {
    case HWLOC_OBJ_CACHE_DATA: return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "instruction";
    default: return "unified";
  }
}

// hwloc reads HWLOC_FSROOT from the environment: discoveries take turns setting it.
Mutex& FsRootMutex() {
  static Mutex mutex;
  return mutex;
}

// Owns an hwloc topology for the duration of one discovery.
class HwlocTopology {
 public:
  HwlocTopology() { hwloc_topology_init(&topology_); }
  ~HwlocTopology() { hwloc_topology_destroy(topology_); }
  HwlocTopology(const HwlocTopology&) = delete;
  HwlocTopology& operator=(const HwlocTopology&) = delete;
  hwloc_topology_t get() const { return topology_; }

 private:
  hwloc_topology_t topology_{};
};

Result<NodeTopology> DiscoverWithHwloc(const std::string& fsroot) {
  HwlocTopology topology;
  hwloc_topology_t t = topology.get();
  // I/O devices are not capacity; keep discovery to CPUs, caches and memory.
  hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
  // Instruction caches are filtered out by default; the capacity view wants them.
  hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL);
  bool foreign_root = fsroot != "/";
  if (foreign_root) hwloc_topology_set_components(t, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
  int loaded;
  {
    MutexLock lock(FsRootMutex());
    const char* previous = getenv("HWLOC_FSROOT");
    std::optional<std::string> saved = previous ? std::optional<std::string>(previous) : std::nullopt;
    if (foreign_root) {
      setenv("HWLOC_FSROOT", fsroot.c_str(), 1);
    } else {
      unsetenv("HWLOC_FSROOT");
    }
    loaded = hwloc_topology_load(t);
    if (saved) {
      setenv("HWLOC_FSROOT", saved->c_str(), 1);
    } else {
      unsetenv("HWLOC_FSROOT");
    }
  }
  if (loaded != 0) return Unavailable("hwloc: cannot load the topology");
  hwloc_obj_t root = hwloc_get_root_obj(t);
  const char* backend = hwloc_obj_get_info_by_name(root, "Backend");
  if (backend == nullptr || std::string_view(backend) != "Linux") {
    return Unavailable("hwloc: the Linux backend did not read the topology");
  }
  NodeTopology out;
  out.source = "hwloc";
  auto count = [t](hwloc_obj_type_t type) {
    int n = hwloc_get_nbobjs_by_type(t, type);
    return n > 0 ? static_cast<unsigned>(n) : 0u;
  };
  out.packages = count(HWLOC_OBJ_PACKAGE);
  out.cores = count(HWLOC_OBJ_CORE);
  out.processing_units = count(HWLOC_OBJ_PU);
  out.numa_nodes = count(HWLOC_OBJ_NUMANODE);
  out.memory_bytes = root->total_memory;
  if (out.processing_units == 0) return Unavailable("hwloc: no processing units found");
  if (out.packages == 0) out.packages = 1;
  if (out.cores == 0) out.cores = out.processing_units;
  if (out.numa_nodes == 0) out.numa_nodes = 1;
  if (hwloc_obj_t package = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0)) {
    if (const char* model = hwloc_obj_get_info_by_name(package, "CPUModel")) {
      out.cpu_model = std::string(text::Trim(model));
    }
  }
  std::map<std::pair<unsigned, std::string>, CacheSummary> caches;
  for (hwloc_obj_type_t type : {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE,
                                HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3ICACHE}) {
    for (hwloc_obj_t obj = hwloc_get_next_obj_by_type(t, type, nullptr); obj != nullptr;
         obj = hwloc_get_next_obj_by_type(t, type, obj)) {
      CacheSummary key{obj->attr->cache.depth, std::string(CacheTypeName(obj->attr->cache.type)), 0, 0};
      CacheSummary& entry = caches.try_emplace({key.level, key.type}, key).first->second;
      entry.size_bytes += obj->attr->cache.size;
      ++entry.count;
    }
  }
  for (auto& [key, cache] : caches) out.caches.push_back(std::move(cache));
  return out;
}

Result<NodeTopology> DiscoverFromProcfs(const HostPaths& paths) {
  std::string cpuinfo_path = paths.Proc("cpuinfo");
  auto cpuinfo_text = ReadFileCapped(cpuinfo_path);
  if (!cpuinfo_text.ok()) return cpuinfo_text.status();
  auto cpuinfo = ParseCpuinfo(*cpuinfo_text);
  if (!cpuinfo.ok()) return cpuinfo.status().WithContext(cpuinfo_path);
  NodeTopology out;
  out.source = "procfs";
  out.cpu_model = cpuinfo->cpu_model;
  out.packages = cpuinfo->packages;
  out.cores = cpuinfo->cores;
  out.processing_units = cpuinfo->processing_units;
  out.numa_nodes = 1;
  return out;
}

Families BuildFamilies(const NodeTopology& topology) {
  Families out;
  AddSample(AddFamily(out, "buildfarm_node_topology_info",
                      "Node topology: where it was read from (hwloc or procfs) and the CPU model.", kGauge),
            {{"source", topology.source}, {"cpu_model", topology.cpu_model}}, 1);
  AddSingle(out, "buildfarm_node_topology_packages", "Number of CPU packages (sockets).", kGauge, topology.packages);
  AddSingle(out, "buildfarm_node_topology_cores", "Number of physical CPU cores.", kGauge, topology.cores);
  AddSingle(out, "buildfarm_node_topology_processing_units",
            "Number of processing units (hardware threads, logical CPUs).", kGauge, topology.processing_units);
  AddSingle(out, "buildfarm_node_topology_numa_nodes", "Number of NUMA nodes.", kGauge, topology.numa_nodes);
  if (topology.memory_bytes > 0) {
    AddSingle(out, "buildfarm_node_topology_memory_bytes", "Total memory of the node in bytes.", kGauge,
              static_cast<double>(topology.memory_bytes));
  }
  if (!topology.caches.empty()) {
    auto& bytes = AddFamily(out, "buildfarm_node_topology_cache_bytes",
                            "Total size in bytes of all CPU caches of this level and type.", kGauge);
    auto& count = AddFamily(out, "buildfarm_node_topology_caches",
                            "Number of CPU cache instances of this level and type.", kGauge);
    for (const auto& cache : topology.caches) {
      std::string level = std::to_string(cache.level);
      AddSample(bytes, {{"level", level}, {"type", cache.type}}, static_cast<double>(cache.size_bytes));
      AddSample(count, {{"level", level}, {"type", cache.type}}, cache.count);
    }
  }
  return out;
}

// Serves what discovery found; a failed discovery fails every scrape (success 0) instead of startup.
class TopologyCollector : public Collector {
 public:
  explicit TopologyCollector(Result<NodeTopology> topology)
      : error_(topology.status()), families_(topology.ok() ? BuildFamilies(*topology) : Families{}) {}
  std::string_view name() const override { return "topology"; }

  Status Collect(Families& out) override {
    if (!error_.ok()) return error_;
    out.insert(out.end(), families_.begin(), families_.end());
    return Status::Ok();
  }

 private:
  const Status error_;
  const Families families_;
};

}  // namespace

Result<NodeTopology> DiscoverTopology(const HostPaths& paths, const Logger& log) {
  Result<NodeTopology> topology = Unavailable("hwloc not tried");
  std::optional<std::string> fsroot = CommonFsRoot(paths);
  if (!fsroot) {
    log.Info("topology: --path.sysfs and --path.procfs are not sys and proc under one directory, which hwloc "
             "needs; reading /proc/cpuinfo instead", {{"sysfs", paths.sysfs}, {"procfs", paths.procfs}});
  } else if (!IsDirectory(paths.Sys("devices/system/cpu"))) {
    log.Info("topology: no CPU topology in sysfs; reading /proc/cpuinfo instead", {{"sysfs", paths.sysfs}});
  } else {
    // In a child, so that hwloc's pages and heap never become the exporter's (topology_isolated.h).
    topology = DiscoverInChild([&] { return DiscoverWithHwloc(*fsroot); });
    if (!topology.ok()) {
      log.Warn("topology: hwloc failed; reading /proc/cpuinfo instead", {{"err", topology.status().ToString()}});
    }
  }
  if (!topology.ok()) topology = DiscoverFromProcfs(paths);
  if (!topology.ok()) return topology;
  // MemTotal is the memory the kernel manages, the same figure as node_memory_MemTotal_bytes. hwloc
  // sums the NUMA nodes' meminfo, which leaves out memory that is not in a node's zones (seen with
  // hotplugged VM memory), so it is only the fallback. A missing or odd meminfo is not fatal.
  if (auto meminfo = ReadFileCapped(paths.Proc("meminfo")); meminfo.ok()) {
    if (auto total = ParseMemTotalBytes(*meminfo); total.ok()) topology->memory_bytes = *total;
  }
  return topology;
}

CollectorSpec MakeTopologySpec() {
  CollectorSpec spec;
  spec.name = "topology";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto topology = DiscoverTopology(env.paths, env.log);
    if (!topology.ok()) env.log.Warn("topology: cannot discover", {{"err", topology.status().ToString()}});
    return std::unique_ptr<Collector>(std::make_unique<TopologyCollector>(std::move(topology)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
