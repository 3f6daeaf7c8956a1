#include "exporter/collectors/bonding.h"

#include <memory>
#include <set>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/collectors/go_fields.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

std::vector<std::string_view> ParseBondingNames(std::string_view text) { return GoFields(text); }

namespace {

// These are one-line sysfs lists; the cap only bounds a corrupt or hostile tree.
constexpr std::size_t kMaxListBytes = 1 << 20;

struct BondStatus {
  std::string master;
  int slaves = 0;
  int active = 0;
};

class BondingCollector : public Collector {
 public:
  explicit BondingCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "bonding"; }

  Status Collect(Families& out) override {
    auto masters = ReadFileCapped(JoinPath(class_dir_, "bonding_masters"), kMaxListBytes);
    if (!masters.ok()) return masters.status();  // kNotFound without the bonding driver: "no data"
    std::vector<BondStatus> bonds;
    std::set<std::string> seen;
    for (std::string_view master : ParseBondingNames(*masters)) {
      auto status = ReadBond(std::string(master));
      // A bond deleted since bonding_masters was read is skipped.
      if (!status.ok() && status.status().code() == StatusCode::kNotFound) continue;
      if (!status.ok()) return status.status();
      // Go keeps one map entry per name; the first reading is as good as a later one.
      if (!seen.insert(status->master).second) continue;
      bonds.push_back(std::move(status).value());
    }
    if (bonds.empty()) return Status::Ok();
    auto& slaves = AddFamily(out, "node_bonding_slaves", "Number of configured slaves per bonding interface.", kGauge);
    auto& active = AddFamily(out, "node_bonding_active", "Number of active slaves per bonding interface.", kGauge);
    for (const BondStatus& bond : bonds) {
      AddSample(slaves, {{"master", bond.master}}, bond.slaves);
      AddSample(active, {{"master", bond.master}}, bond.active);
    }
    return Status::Ok();
  }

 private:
  Result<BondStatus> ReadBond(const std::string& master) const {
    std::string bond_dir = JoinPath(class_dir_, master);
    auto slave_list = ReadFileCapped(JoinPath(bond_dir, "bonding/slaves"), kMaxListBytes);
    if (!slave_list.ok()) return slave_list.status();
    BondStatus status{ToValidUtf8(master)};
    for (std::string_view slave : ParseBondingNames(*slave_list)) {
      std::string suffix = std::string(slave) + "/bonding_slave/mii_status";
      auto state = ReadFileCapped(JoinPath(bond_dir, "lower_" + suffix), kMaxListBytes);
      if (!state.ok() && state.status().code() == StatusCode::kNotFound) {
        state = ReadFileCapped(JoinPath(bond_dir, "slave_" + suffix), kMaxListBytes);  // kernels before 4.13
      }
      // A slave released since the list was read is no longer configured: it is not counted.
      if (!state.ok() && state.status().code() == StatusCode::kNotFound) continue;
      if (!state.ok()) return state.status();
      ++status.slaves;
      if (text::Trim(*state) == "up") ++status.active;
    }
    return status;
  }

  std::string class_dir_;
};

}  // namespace

CollectorSpec MakeBondingSpec() {
  CollectorSpec spec;
  spec.name = "bonding";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<BondingCollector>(env.paths.Sys("class/net")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
