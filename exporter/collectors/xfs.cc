#include "exporter/collectors/xfs.h"

#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

// How many values node_exporter's procfs requires of the groups it knows.
bool CountFits(std::string_view group, std::size_t count) {
  static const std::map<std::string_view, std::size_t> kCounts = {
      {"extent_alloc", 4}, {"abt", 4}, {"blk_map", 7}, {"bmbt", 4},     {"dir", 4},  {"trans", 3}, {"ig", 7},
      {"log", 5},          {"rw", 2},  {"attr", 4},    {"icluster", 3}, {"buf", 9},  {"xpc", 3}};
  if (group == "vnodes") return count == 7 || count == 8;  // older kernels lack "free"
  auto known = kCounts.find(group);
  return known == kCounts.end() || known->second == count;
}

struct XfsMetric {
  std::string_view group;
  std::size_t index;
  std::string_view name;  // after node_xfs_
  std::string_view help;
};

// node_exporter 1.5's series, in its order. The kernel writes "rw <writes> <reads>".
constexpr XfsMetric kMetrics[] = {
    {"extent_alloc", 0, "extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem."},
    {"extent_alloc", 1, "extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem."},
    {"extent_alloc", 2, "extent_allocation_extents_freed_total",
     "Number of extents freed for a filesystem."},
    {"extent_alloc", 3, "extent_allocation_blocks_freed_total",
     "Number of blocks freed for a filesystem."},
    {"abt", 0, "allocation_btree_lookups_total",
     "Number of allocation B-tree lookups for a filesystem."},
    {"abt", 1, "allocation_btree_compares_total",
     "Number of allocation B-tree compares for a filesystem."},
    {"abt", 2, "allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem."},
    {"abt", 3, "allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem."},
    {"blk_map", 0, "block_mapping_reads_total",
     "Number of block map for read operations for a filesystem."},
    {"blk_map", 1, "block_mapping_writes_total",
     "Number of block map for write operations for a filesystem."},
    {"blk_map", 2, "block_mapping_unmaps_total",
     "Number of block unmaps (deletes) for a filesystem."},
    {"blk_map", 3, "block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem."},
    {"blk_map", 4, "block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem."},
    {"blk_map", 5, "block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem."},
    {"blk_map", 6, "block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem."},
    {"bmbt", 0, "block_map_btree_lookups_total",
     "Number of block map B-tree lookups for a filesystem."},
    {"bmbt", 1, "block_map_btree_compares_total",
     "Number of block map B-tree compares for a filesystem."},
    {"bmbt", 2, "block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem."},
    {"bmbt", 3, "block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem."},
    {"dir", 0, "directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name lookup cache."},
    {"dir", 1, "directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem."},
    {"dir", 2, "directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem."},
    {"dir", 3, "directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem."},
    {"ig", 0, "inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache."},
    {"ig", 1, "inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache."},
    {"ig", 2, "inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."},
    {"ig", 3, "inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it."},
    {"ig", 4, "inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process."},
    {"ig", 5, "inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."},
    {"ig", 6, "inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode."},
    {"rw", 1, "read_calls_total",
     "Number of read(2) system calls made to files in a filesystem."},
    {"rw", 0, "write_calls_total",
     "Number of write(2) system calls made to files in a filesystem."},
    {"vnodes", 0, "vnode_active_total",
     "Number of vnodes not on free lists for a filesystem."},
    {"vnodes", 1, "vnode_allocate_total",
     "Number of times vn_alloc called for a filesystem."},
    {"vnodes", 2, "vnode_get_total",
     "Number of times vn_get called for a filesystem."},
    {"vnodes", 3, "vnode_hold_total",
     "Number of times vn_hold called for a filesystem."},
    {"vnodes", 4, "vnode_release_total",
     "Number of times vn_rele called for a filesystem."},
    {"vnodes", 5, "vnode_reclaim_total",
     "Number of times vn_reclaim called for a filesystem."},
    {"vnodes", 6, "vnode_remove_total",
     "Number of times vn_remove called for a filesystem."},
};

}  // namespace

Result<XfsStats> ParseXfsStats(std::string_view text) {
  XfsStats stats;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto fields = text::Fields(line);
    if (fields.size() < 2) continue;  // a label needs at least one value
    std::string_view group = fields[0];
    int bits = group == "xpc" ? 64 : 32;  // only the extended-precision byte counters are 64-bit
    std::vector<std::uint64_t> values;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto value = ParseGoUint(fields[i], 10, bits);
      if (!value) {
        return ParseError("line " + std::to_string(lines.line_number()) + " (" + std::string(group.substr(0, 40)) +
                          "): \"" + std::string(fields[i].substr(0, 40)) + "\" is not a " + std::to_string(bits) +
                          "-bit counter");
      }
      values.push_back(*value);
    }
    if (!CountFits(group, values.size())) {
      return ParseError("line " + std::to_string(lines.line_number()) + ": " + std::to_string(values.size()) +
                        " values for XFS group \"" + std::string(group) + "\" is not the kernel's count");
    }
    stats[std::string(group)] = std::move(values);
  }
  return stats;
}

namespace {

constexpr std::size_t kMaxStatsBytes = 64 * 1024;  // about 1 KiB on current kernels

class XfsCollector : public Collector {
 public:
  explicit XfsCollector(std::string xfs_dir) : xfs_dir_(std::move(xfs_dir)) {}
  std::string_view name() const override { return "xfs"; }

  Status Collect(Families& out) override {
    auto entries = ListDirectory(xfs_dir_);
    if (!entries.ok()) return entries.status();  // kNotFound without the xfs module: "no data"
    std::sort(entries->begin(), entries->end());  // node_exporter globs, which sorts
    std::vector<std::pair<std::string, XfsStats>> filesystems;
    for (const std::string& device : *entries) {
      std::string path = JoinPath(xfs_dir_, device + "/stats/stats");
      struct stat info;
      if (::stat(path.c_str(), &info) != 0) continue;  // "stats" (the global one) and others without it
      auto text = ReadFileCapped(path, kMaxStatsBytes);
      // A filesystem unmounted since the listing is skipped (node_exporter fails the scrape then).
      if (!text.ok() && text.status().code() == StatusCode::kNotFound) continue;
      if (!text.ok()) return text.status();
      auto stats = ParseXfsStats(*text);
      if (!stats.ok()) return stats.status().WithContext(path);
      filesystems.emplace_back(ToValidUtf8(device), std::move(stats).value());
    }
    if (filesystems.empty()) return Status::Ok();
    for (const XfsMetric& metric : kMetrics) {
      auto& family = AddFamily(out, "node_xfs_" + std::string(metric.name), std::string(metric.help), kCounter);
      for (const auto& [device, stats] : filesystems) {
        auto group = stats.find(metric.group);
        // node_exporter serves 0 for a group the file lacks.
        bool present = group != stats.end() && metric.index < group->second.size();
        AddSample(family, {{"device", device}}, present ? static_cast<double>(group->second[metric.index]) : 0);
      }
    }
    return Status::Ok();
  }

 private:
  std::string xfs_dir_;
};

}  // namespace

CollectorSpec MakeXfsSpec() {
  CollectorSpec spec;
  spec.name = "xfs";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<XfsCollector>(env.paths.Sys("fs/xfs")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
