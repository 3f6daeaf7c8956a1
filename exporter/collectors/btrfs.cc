#include "exporter/collectors/btrfs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

std::uint64_t ParseBtrfsValue(std::string_view text) {
  return ParseGoUint(text).value_or(0);
}

double BtrfsAllocationRatio(std::string_view mode, std::size_t devices) {
  const double count = static_cast<double>(devices);
  if (mode == "single" || mode == "raid0") return 1;
  if (mode == "dup" || mode == "raid1" || mode == "raid10") return 2;
  if (mode == "raid5") return count / (count - 1);  // Go's float division: +Inf for one device
  if (mode == "raid6") return count / (count - 2);
  return 0;
}

namespace {

// A missing attribute reads as "" (node_exporter ignores it); any other failure is an error.
class AttributeReader {
 public:
  explicit AttributeReader(std::string dir) : dir_(std::move(dir)) {}

  std::string Text(std::string_view relative) {
    std::string path = JoinPath(dir_, relative);
    SysfsAttribute attribute = ReadSysfsAttribute(path);
    if (attribute.error == ENOENT) return "";
    if (attribute.error != 0 && status_.ok()) status_ = IoError(path + ": " + std::strerror(attribute.error));
    return attribute.value;
  }
  std::uint64_t Value(std::string_view relative) { return ParseBtrfsValue(Text(relative)); }

  // Every entry of a directory that must exist, as Go's ReadDir lists it.
  std::vector<std::string> List(std::string_view relative) {
    auto names = ListDirectory(JoinPath(dir_, relative));
    if (!names.ok()) {
      if (status_.ok()) status_ = names.status();
      return {};
    }
    std::sort(names->begin(), names->end());
    return *names;
  }

  bool IsDirectory(std::string_view relative) const {
    struct stat info;
    return ::lstat(JoinPath(dir_, relative).c_str(), &info) == 0 && S_ISDIR(info.st_mode);
  }

  const Status& status() const { return status_; }

 private:
  std::string dir_;
  Status status_ = Status::Ok();
};

}  // namespace

Result<BtrfsFilesystem> ReadBtrfsFilesystem(const std::string& dir) {
  AttributeReader reader(dir);
  BtrfsFilesystem fs;
  for (const std::string& device : reader.List("devices")) {
    // Sizes are in 512-byte sectors; Go's uint64 arithmetic wraps.
    fs.device_sizes[ToValidUtf8(device)] = 512u * reader.Value("devices/" + device + "/size");
  }
  fs.label = ToValidUtf8(reader.Text("label"));
  fs.uuid = ToValidUtf8(reader.Text("metadata_uuid"));
  (void)reader.List("features");  // node_exporter fails a filesystem without it
  fs.global_rsv_size = reader.Value("allocation/global_rsv_size");
  for (std::string_view type : {"data", "metadata", "system"}) {
    std::string base = "allocation/" + std::string(type);
    BtrfsAllocation allocation;
    allocation.reserved_bytes = reader.Value(base + "/bytes_reserved");
    for (const std::string& entry : reader.List(base)) {
      if (!reader.IsDirectory(base + "/" + entry)) continue;
      allocation.layouts[ToValidUtf8(entry)] = {reader.Value(base + "/" + entry + "/total_bytes"),
                                                reader.Value(base + "/" + entry + "/used_bytes")};
    }
    fs.allocations[std::string(type)] = std::move(allocation);
  }
  if (!reader.status().ok()) return reader.status().WithContext(dir);
  return fs;
}

namespace {

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

class BtrfsCollector : public Collector {
 public:
  explicit BtrfsCollector(std::string btrfs_dir) : btrfs_dir_(std::move(btrfs_dir)) {}
  std::string_view name() const override { return "btrfs"; }

  Status Collect(Families& out) override {
    const std::size_t first_family = out.size();
    auto entries = ListDirectory(btrfs_dir_);
    if (!entries.ok()) return entries.status();  // kNotFound without the btrfs module: "no data"
    std::sort(entries->begin(), entries->end());
    std::vector<BtrfsFilesystem> filesystems;
    for (const std::string& entry : *entries) {
      if (entry.find('-') == std::string::npos) continue;  // node_exporter globs "*-*" ("features" is not one)
      auto fs = ReadBtrfsFilesystem(JoinPath(btrfs_dir_, entry));
      // A filesystem unmounted since the listing is skipped (node_exporter fails the scrape then).
      if (!fs.ok() && fs.status().code() == StatusCode::kNotFound && !Exists(JoinPath(btrfs_dir_, entry))) continue;
      if (!fs.ok()) return fs.status();
      if (fs->uuid.empty()) fs->uuid = ToValidUtf8(entry);
      filesystems.push_back(std::move(fs).value());
    }
    if (filesystems.empty()) return Status::Ok();
    auto& info = AddFamily(out, "node_btrfs_info", "Filesystem information", kGauge);
    auto& rsv = AddFamily(out, "node_btrfs_global_rsv_size_bytes", "Size of global reserve.", kGauge);
    auto& reserved = AddFamily(out, "node_btrfs_reserved_bytes", "Amount of space reserved for a data type", kGauge);
    auto& used = AddFamily(out, "node_btrfs_used_bytes", "Amount of used space by a layout/data type", kGauge);
    auto& size = AddFamily(out, "node_btrfs_size_bytes", "Amount of space allocated for a layout/data type", kGauge);
    auto& ratio = AddFamily(out, "node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type", kGauge);
    auto& device_size =
        AddFamily(out, "node_btrfs_device_size_bytes", "Size of a device that is part of the filesystem.", kGauge);
    for (const BtrfsFilesystem& fs : filesystems) {
      AddSample(info, {{"label", fs.label}, {"uuid", fs.uuid}}, 1);
      AddSample(rsv, {{"uuid", fs.uuid}}, static_cast<double>(fs.global_rsv_size));
      for (const auto& [type, allocation] : fs.allocations) {
        AddSample(reserved, {{"block_group_type", type}, {"uuid", fs.uuid}},
                  static_cast<double>(allocation.reserved_bytes));
        for (const auto& [mode, layout] : allocation.layouts) {
          LabelPairs labels = {{"block_group_type", type}, {"mode", mode}, {"uuid", fs.uuid}};
          AddSample(used, labels, static_cast<double>(layout.used_bytes));
          AddSample(size, labels, static_cast<double>(layout.total_bytes));
          AddSample(ratio, labels, BtrfsAllocationRatio(mode, fs.device_sizes.size()));
        }
      }
      for (const auto& [device, bytes] : fs.device_sizes) {
        AddSample(device_size, {{"device", device}, {"uuid", fs.uuid}}, static_cast<double>(bytes));
      }
    }
    DropEmptyFamilies(out, first_family);  // filesystems without profile directories or devices
    return Status::Ok();
  }

 private:
  std::string btrfs_dir_;
};

}  // namespace

CollectorSpec MakeBtrfsSpec() {
  CollectorSpec spec;
  spec.name = "btrfs";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<BtrfsCollector>(env.paths.Sys("fs/btrfs")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
