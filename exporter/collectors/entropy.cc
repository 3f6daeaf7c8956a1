#include "exporter/collectors/entropy.h"

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {

Result<std::uint64_t> ParseEntropyValue(std::string_view text) {
  auto value = text::ParseUint64(text::Trim(text));
  if (!value) return ParseError("entropy: want one unsigned integer");
  return *value;
}

namespace {

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const HostPaths& paths)
      : available_(paths.Proc("sys/kernel/random/entropy_avail"), 4096),
        pool_size_(paths.Proc("sys/kernel/random/poolsize"), 4096) {}
  std::string_view name() const override { return "entropy"; }

  Status Collect(Families& out) override {
    auto available = ReadValue(available_);
    if (!available.ok()) return available.status();
    auto pool_size = ReadValue(pool_size_);
    if (!pool_size.ok()) return pool_size.status();
    AddSingle(out, "node_entropy_available_bits", "Bits of available entropy.", kGauge,
              static_cast<double>(*available));
    AddSingle(out, "node_entropy_pool_size_bits", "Bits of entropy pool.", kGauge, static_cast<double>(*pool_size));
    return Status::Ok();
  }

 private:
  static Result<std::uint64_t> ReadValue(KeptOpenFile& file) {
    auto text = file.Read();
    if (!text.ok()) return text.status();
    auto value = ParseEntropyValue(*text);
    if (!value.ok()) return ParseError(file.path() + ": " + value.status().message());
    return value;
  }

  KeptOpenFile available_;
  KeptOpenFile pool_size_;
};

}  // namespace

CollectorSpec MakeEntropySpec() {
  CollectorSpec spec;
  spec.name = "entropy";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<EntropyCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
