#include "exporter/collectors/stat.h"

#include <memory>
#include <string>
#include <utility>

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "exporter/procfs/proc_stat_parser.h"

namespace buildfarm::exporter {
namespace {

struct StatOptions {
  bool softirq = false;
};

class StatCollector : public Collector {
 public:
  StatCollector(std::string path, bool softirq) : file_(std::move(path)), softirq_(softirq) {}
  std::string_view name() const override { return "stat"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto stat = ParseProcStat(*text);
    if (!stat.ok()) return stat.status().WithContext(file_.path());
    auto d = [](std::uint64_t v) { return static_cast<double>(v); };
    AddSingle(out, "node_intr_total", "Total number of interrupts serviced.", kCounter, d(stat->interrupts_total));
    AddSingle(out, "node_context_switches_total", "Total number of context switches.", kCounter,
              d(stat->context_switches));
    AddSingle(out, "node_forks_total", "Total number of forks.", kCounter, d(stat->forks));
    AddSingle(out, "node_boot_time_seconds", "Node boot time, in unixtime.", kGauge, d(stat->boot_time));
    AddSingle(out, "node_procs_running", "Number of processes in runnable state.", kGauge, d(stat->procs_running));
    AddSingle(out, "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", kGauge,
              d(stat->procs_blocked));
    if (softirq_) {
      // Like node_exporter, a kernel without the line reports zeros.
      const SoftirqCounts& s = stat->softirq;
      const std::pair<std::string_view, std::uint64_t> vectors[] = {
          {"hi", s.hi},           {"timer", s.timer},   {"net_tx", s.net_tx},   {"net_rx", s.net_rx},
          {"block", s.block},     {"block_iopoll", s.block_iopoll}, {"tasklet", s.tasklet},
          {"sched", s.sched},     {"hrtimer", s.hrtimer}, {"rcu", s.rcu}};
      auto& family = AddFamily(out, "node_softirqs_total", "Number of softirq calls.", kCounter);
      for (const auto& [vector, count] : vectors) AddSample(family, {{"vector", vector}}, d(count));
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  const bool softirq_;
};

}  // namespace

CollectorSpec MakeStatSpec() {
  auto options = std::make_shared<StatOptions>();
  CollectorSpec spec;
  spec.name = "stat";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddBool("collector.stat.softirq", &options->softirq, "Export softirq calls per vector");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<StatCollector>(env.paths.Proc("stat"), options->softirq));
  };
  return spec;
}

}  // namespace buildfarm::exporter
