#include "exporter/collectors/vmstat.h"

#include <memory>
#include <unordered_map>

#include "common/text.h"
#include "exporter/procfs/field_regex_filter.h"
#include "exporter/procfs/kept_open_file.h"
#include "exporter/procfs/metric_name_part.h"

namespace buildfarm::exporter {

Result<std::vector<VmstatField>> ParseVmstat(std::string_view text) {
  std::vector<VmstatField> fields;
  fields.reserve(200);
  std::unordered_map<std::string, std::size_t> index;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "vmstat line " + std::to_string(lines.line_number()) + ": "; };
    auto parts = text::Fields(line);
    if (parts.empty()) continue;
    if (parts.size() < 2) return ParseError(where() + "want \"name value\"");
    if (!IsMetricNamePart(parts[0])) return ParseError(where() + "field name may only hold letters, digits and '_'");
    auto value = text::ParseDouble(parts[1]);
    if (!value) return ParseError(where() + "value of " + std::string(parts[0]) + " is not a number");
    // A repeated name keeps its first place and its last value, so no metric is served twice.
    auto [it, inserted] = index.try_emplace(std::string(parts[0]), fields.size());
    if (inserted) {
      fields.push_back({it->first, *value});
    } else {
      fields[it->second].value = *value;
    }
  }
  return fields;
}

namespace {

struct VmstatOptions {
  std::string fields = kDefaultVmstatFields;
};

class VmstatCollector : public Collector {
 public:
  VmstatCollector(std::string path, std::unique_ptr<FieldRegexFilter> filter)
      : file_(std::move(path)), filter_(std::move(filter)) {}
  std::string_view name() const override { return "vmstat"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto fields = ParseVmstat(*text);
    if (!fields.ok()) return fields.status().WithContext(file_.path());
    for (const auto& field : *fields) {
      if (!filter_->Matches(field.name)) continue;
      AddSingle(out, "node_vmstat_" + field.name, "/proc/vmstat information field " + field.name + ".", kUntyped,
                field.value);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::unique_ptr<FieldRegexFilter> filter_;
};

}  // namespace

CollectorSpec MakeVmstatSpec() {
  auto options = std::make_shared<VmstatOptions>();
  CollectorSpec spec;
  spec.name = "vmstat";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.vmstat.fields", &options->fields, "Regexp of fields to return for vmstat collector.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = FieldRegexFilter::Create("collector.vmstat.fields", options->fields);
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(std::make_unique<VmstatCollector>(env.paths.Proc("vmstat"), std::move(*filter)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
