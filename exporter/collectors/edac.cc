#include "exporter/collectors/edac.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/file_reader.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

std::string_view EdacIndexLabel(std::string_view entry, std::string_view prefix) {
  std::string_view rest = entry.substr(std::min(prefix.size(), entry.size()));
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  return rest.substr(0, digits);
}

namespace {

// Entries of `dir` matching the glob "<prefix>[0-9]*"; a missing directory matches nothing.
Result<std::vector<std::string>> GlobDigits(const std::string& dir, std::string_view prefix) {
  auto names = ListDirectory(dir);
  std::vector<std::string> out;
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return out;
    return names.status();
  }
  for (const std::string& name : *names) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 && name[prefix.size()] >= '0' &&
        name[prefix.size()] <= '9') {
      out.push_back(name);
    }
  }
  return out;
}

Result<double> ReadCount(const std::string& dir, std::string_view file) {
  std::string path = JoinPath(dir, file);
  auto text = ReadFileCapped(path, 4096);
  if (!text.ok()) return text.status();
  auto value = ParseSysfsUint64(*text);
  if (!value.ok()) return value.status().WithContext(path);
  return static_cast<double>(*value);
}

class EdacCollector : public Collector {
 public:
  explicit EdacCollector(std::string mc_dir) : mc_dir_(std::move(mc_dir)) {}
  std::string_view name() const override { return "edac"; }

  Status Collect(Families& out) override {
    auto controllers = GlobDigits(mc_dir_, "mc");
    if (!controllers.ok()) return controllers.status();
    if (controllers->empty()) return Status::Ok();
    Families families;
    auto& ce = AddFamily(families, "node_edac_correctable_errors_total", "Total correctable memory errors.", kCounter);
    auto& ue =
        AddFamily(families, "node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.", kCounter);
    auto& row_ce = AddFamily(families, "node_edac_csrow_correctable_errors_total",
                             "Total correctable memory errors for this csrow.", kCounter);
    auto& row_ue = AddFamily(families, "node_edac_csrow_uncorrectable_errors_total",
                             "Total uncorrectable memory errors for this csrow.", kCounter);
    for (const std::string& entry : *controllers) {
      std::string dir = JoinPath(mc_dir_, entry);
      std::string controller(EdacIndexLabel(entry, "mc"));
      struct Count {
        const char* file;
        prometheus::MetricFamily* family;
        bool unknown_row;
      };
      for (const Count& count : {Count{"ce_count", &ce, false}, Count{"ce_noinfo_count", &row_ce, true},
                                 Count{"ue_count", &ue, false}, Count{"ue_noinfo_count", &row_ue, true}}) {
        auto value = ReadCount(dir, count.file);
        if (!value.ok()) return value.status().WithContext("controller " + controller);
        if (count.unknown_row) {
          AddSample(*count.family, {{"controller", controller}, {"csrow", "unknown"}}, *value);
        } else {
          AddSample(*count.family, {{"controller", controller}}, *value);
        }
      }
      auto rows = GlobDigits(dir, "csrow");
      if (!rows.ok()) return rows.status();
      for (const std::string& row_entry : *rows) {
        std::string row_dir = JoinPath(dir, row_entry);
        std::string row(EdacIndexLabel(row_entry, "csrow"));
        auto corrected = ReadCount(row_dir, "ce_count");
        if (!corrected.ok()) return corrected.status();
        auto uncorrected = ReadCount(row_dir, "ue_count");
        if (!uncorrected.ok()) return uncorrected.status();
        AddSample(row_ce, {{"controller", controller}, {"csrow", row}}, *corrected);
        AddSample(row_ue, {{"controller", controller}, {"csrow", row}}, *uncorrected);
      }
    }
    for (auto& family : families) out.push_back(std::move(family));
    return Status::Ok();
  }

 private:
  std::string mc_dir_;
};

}  // namespace

CollectorSpec MakeEdacSpec() {
  CollectorSpec spec;
  spec.name = "edac";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<EdacCollector>(env.paths.Sys("devices/system/edac/mc")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
