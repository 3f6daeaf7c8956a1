#include "exporter/collectors/selinux.h"

#include <climits>
#include <memory>
#include <string>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::exporter {

int SelinuxConfigMode(std::string_view config_text) {
  for (std::string_view line : text::Lines(config_text)) {
    line = text::Trim(line);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos || line.substr(0, equals) != "SELINUX") continue;
    std::string_view value = line.substr(equals + 1);
    while (!value.empty() && value.front() == '"') value.remove_prefix(1);
    while (!value.empty() && value.back() == '"') value.remove_suffix(1);
    if (value == "enforcing") return 1;
    if (value == "permissive") return 0;
    return -1;  // the first SELINUX= line decides, as in go-selinux
  }
  return -1;
}

int SelinuxEnforceMode(std::string_view enforce_text) {
  // go-selinux runs strconv.Atoi on the raw contents (the kernel writes no newline).
  bool double_sign =
      enforce_text.size() >= 2 && enforce_text[0] == '+' && (enforce_text[1] == '-' || enforce_text[1] == '+');
  auto value = double_sign ? std::nullopt : text::ParseInt64(enforce_text);
  if (!value || *value < INT_MIN || *value > INT_MAX) return -1;
  return static_cast<int>(*value);
}

namespace {

class SelinuxCollector : public Collector {
 public:
  explicit SelinuxCollector(const HostPaths& paths)
      : enforce_path_(paths.Sys("fs/selinux/enforce")),
        process_label_path_(paths.Proc("self/attr/current")),
        config_path_(paths.Root("/etc/selinux/config")) {}
  std::string_view name() const override { return "selinux"; }

  Status Collect(Families& out) override {
    auto enforce = ReadFileCapped(enforce_path_, 4096);
    bool enabled = enforce.ok();
    if (enabled) {
      auto label = ReadFileCapped(process_label_path_, 4096);
      // The label ends in a NUL; a process labelled "kernel" means SELinux is not really on.
      if (label.ok()) {
        std::string_view current = text::Trim(*label);
        while (!current.empty() && current.back() == '\0') current.remove_suffix(1);
        enabled = current != "kernel";
      }
    }
    AddSingle(out, "node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", kGauge, enabled ? 1 : 0);
    if (!enabled) return Status::Ok();
    auto config = ReadFileCapped(config_path_, 1 << 20);
    AddSingle(out, "node_selinux_config_mode", "Configured SELinux enforcement mode", kGauge,
              SelinuxConfigMode(config.ok() ? std::string_view(*config) : std::string_view()));
    AddSingle(out, "node_selinux_current_mode", "Current SELinux enforcement mode", kGauge,
              SelinuxEnforceMode(*enforce));
    return Status::Ok();
  }

 private:
  std::string enforce_path_;
  std::string process_label_path_;
  std::string config_path_;
};

}  // namespace

CollectorSpec MakeSelinuxSpec() {
  CollectorSpec spec;
  spec.name = "selinux";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<SelinuxCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
