#include "agent/capacity.h"

#include <hwloc.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::agent {
namespace {

std::int64_t MemTotalFromProc() {
  auto text = ReadFileCapped("/proc/meminfo", 1 << 20);
  if (!text.ok()) return 0;
  for (auto line : text::Lines(*text)) {
    auto fields = text::Fields(line);
    if (fields.size() >= 2 && fields[0] == "MemTotal:") {
      auto kib = text::ParseUint64(fields[1]);
      return kib ? static_cast<std::int64_t>(*kib * 1024) : 0;
    }
  }
  return 0;
}

}  // namespace

Capacity DetectCapacity(const std::string& workspace) {
  Capacity capacity;
  hwloc_topology_t topology;
  if (hwloc_topology_init(&topology) == 0) {
    if (hwloc_topology_load(topology) == 0) {
      int pus = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU);
      if (pus > 0) capacity.cores = pus;
      hwloc_obj_t root = hwloc_get_root_obj(topology);
      if (root != nullptr) capacity.memory_bytes = static_cast<std::int64_t>(root->total_memory);
    }
    hwloc_topology_destroy(topology);
  }
  if (capacity.cores <= 0) capacity.cores = sysconf(_SC_NPROCESSORS_ONLN);
  // MemTotal wins over hwloc's NUMA total, which undercounts on some VMs (seen: 6.1 GiB of 24 GiB),
  // and must agree with the MemAvailable the scheduler reads from the node's exporter.
  if (std::int64_t mem_total = MemTotalFromProc(); mem_total > 0) capacity.memory_bytes = mem_total;
  struct statfs fs {};
  if (statfs(workspace.c_str(), &fs) == 0) {
    capacity.disk_bytes = static_cast<std::int64_t>(fs.f_blocks) * static_cast<std::int64_t>(fs.f_bsize);
  }
  return capacity;
}

std::string GoArch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "ppc64le") return "ppc64le";
  return machine;
}

std::map<std::string, std::string> BuiltinLabels() {
  std::map<std::string, std::string> labels{{"os", "linux"}};
  struct utsname name {};
  if (uname(&name) == 0) labels["arch"] = GoArch(name.machine);
  return labels;
}

}  // namespace buildfarm::agent
