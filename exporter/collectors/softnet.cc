#include "exporter/collectors/softnet.h"

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMinColumns = 9;

std::optional<std::uint32_t> ParseHex32(std::string_view s) {
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (error != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<SoftnetCpu>> ParseSoftnet(std::string_view text) {
  std::vector<SoftnetCpu> cpus;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "softnet_stat line " + std::to_string(lines.line_number()) + ": "; };
    auto columns = text::Fields(line);
    if (columns.size() < kMinColumns) {
      return ParseError(where() + "want at least " + std::to_string(kMinColumns) + " columns, got " +
                        std::to_string(columns.size()));
    }
    std::uint32_t values[3];
    for (int i = 0; i < 3; ++i) {
      auto value = ParseHex32(columns[i]);
      if (!value) return ParseError(where() + "column " + std::to_string(i + 1) + " is not a 32-bit hex number");
      values[i] = *value;
    }
    cpus.push_back({values[0], values[1], values[2]});
  }
  return cpus;
}

namespace {

class SoftnetCollector : public Collector {
 public:
  explicit SoftnetCollector(std::string path) : file_(std::move(path)) {}
  std::string_view name() const override { return "softnet"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto cpus = ParseSoftnet(*text);
    if (!cpus.ok()) return cpus.status().WithContext(file_.path());
    if (cpus->empty()) return Status::Ok();
    auto& processed = AddFamily(out, "node_softnet_processed_total", "Number of processed packets", kCounter);
    auto& dropped = AddFamily(out, "node_softnet_dropped_total", "Number of dropped packets", kCounter);
    auto& squeezed = AddFamily(out, "node_softnet_times_squeezed_total",
                               "Number of times processing packets ran out of quota", kCounter);
    for (std::size_t i = 0; i < cpus->size(); ++i) {
      std::string cpu = std::to_string(i);
      const SoftnetCpu& stats = (*cpus)[i];
      AddSample(processed, {{"cpu", cpu}}, stats.processed);
      AddSample(dropped, {{"cpu", cpu}}, stats.dropped);
      AddSample(squeezed, {{"cpu", cpu}}, stats.time_squeezed);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

CollectorSpec MakeSoftnetSpec() {
  CollectorSpec spec;
  spec.name = "softnet";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<SoftnetCollector>(env.paths.Proc("net/softnet_stat")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
