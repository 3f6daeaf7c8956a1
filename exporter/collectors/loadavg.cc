#include "exporter/collectors/loadavg.h"

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"

namespace buildfarm::exporter {

Result<LoadAverage> ParseLoadavg(std::string_view text) {
  auto fields = text::Fields(text::Trim(text));
  if (fields.size() < 3) return ParseError("loadavg: want at least 3 fields, got " + std::to_string(fields.size()));
  double values[3];
  for (int i = 0; i < 3; ++i) {
    auto v = text::ParseDouble(fields[i]);
    if (!v) return ParseError("loadavg: field " + std::to_string(i + 1) + " is not a number");
    values[i] = *v;
  }
  return LoadAverage{values[0], values[1], values[2]};
}

namespace {

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(std::string path) : file_(std::move(path)) {}
  std::string_view name() const override { return "loadavg"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto load = ParseLoadavg(*text);
    if (!load.ok()) return load.status();
    AddSingle(out, "node_load1", "1m load average.", kGauge, load->load1);
    AddSingle(out, "node_load5", "5m load average.", kGauge, load->load5);
    AddSingle(out, "node_load15", "15m load average.", kGauge, load->load15);
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

CollectorSpec MakeLoadavgSpec() {
  CollectorSpec spec;
  spec.name = "loadavg";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<LoadavgCollector>(env.paths.Proc("loadavg")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
