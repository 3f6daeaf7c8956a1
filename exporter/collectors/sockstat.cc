#include "exporter/collectors/sockstat.h"

#include <unistd.h>

#include <memory>
#include <set>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"
#include "exporter/procfs/metric_name_part.h"

namespace buildfarm::exporter {
namespace {

constexpr std::string_view kExportedStates[] = {"inuse", "orphan", "tw", "alloc", "mem", "memory"};

}  // namespace

Result<Sockstat> ParseSockstat(std::string_view text) {
  Sockstat stat;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "sockstat line " + std::to_string(lines.line_number()) + ": "; };
    auto parts = text::Fields(line);
    if (parts.empty()) continue;
    std::string_view label = parts[0];
    if (label.size() < 2 || label.back() != ':') return ParseError(where() + "want \"PROTO: key value ...\"");
    if ((parts.size() - 1) % 2 != 0) return ParseError(where() + "keys and values do not pair up");
    std::vector<std::pair<std::string_view, double>> pairs;
    for (std::size_t i = 1; i < parts.size(); i += 2) {
      auto value = text::ParseInt64(parts[i + 1]);
      if (!value) {
        return ParseError(where() + "value of " + std::string(parts[i]) + " is not an integer");
      }
      pairs.emplace_back(parts[i], static_cast<double>(*value));
    }
    if (label == "sockets:") {
      if (pairs.empty() || pairs[0].first != "used") return ParseError(where() + "want \"sockets: used N\"");
      stat.sockets_used = pairs[0].second;
      continue;
    }
    SockstatProtocol protocol;
    protocol.protocol = std::string(label.substr(0, label.size() - 1));
    if (!IsMetricNamePart(protocol.protocol)) {
      return ParseError(where() + "protocol name may only hold letters, digits and '_'");
    }
    for (std::string_view state : kExportedStates) {
      for (const auto& [key, value] : pairs) {
        if (key == state) {
          protocol.states.emplace_back(std::string(state), value);
          break;
        }
      }
    }
    for (const auto& earlier : stat.protocols) {
      if (earlier.protocol == protocol.protocol) return ParseError(where() + protocol.protocol + " appears twice");
    }
    stat.protocols.push_back(std::move(protocol));
  }
  return stat;
}

namespace {

class SockstatCollector : public Collector {
 public:
  explicit SockstatCollector(const HostPaths& paths)
      : ipv4_(paths.Proc("net/sockstat")), ipv6_(paths.Proc("net/sockstat6")), page_size_(sysconf(_SC_PAGESIZE)) {}
  std::string_view name() const override { return "sockstat"; }

  Status Collect(Families& out) override {
    int absent = 0;
    std::set<std::string> exported;  // a protocol both files name (never on a sane kernel) is served once
    for (KeptOpenFile* file : {&ipv4_, &ipv6_}) {
      auto text = file->Read();
      if (!text.ok()) {
        if (text.status().code() != StatusCode::kNotFound) return text.status();
        ++absent;  // that IP version is disabled
        continue;
      }
      auto stat = ParseSockstat(*text);
      if (!stat.ok()) return stat.status().WithContext(file->path());
      Export(*stat, file == &ipv4_, exported, out);
    }
    if (absent == 2) return NotFound("neither " + ipv4_.path() + " nor " + ipv6_.path() + " exists");
    return Status::Ok();
  }

 private:
  void Export(const Sockstat& stat, bool ipv4, std::set<std::string>& exported, Families& out) const {
    if (ipv4 && stat.sockets_used) {
      AddSingle(out, "node_sockstat_sockets_used", "Number of IPv4 sockets in use.", kGauge, *stat.sockets_used);
    }
    for (const auto& protocol : stat.protocols) {
      if (!exported.insert(protocol.protocol).second) continue;
      for (const auto& [state, value] : protocol.states) {
        AddState(out, protocol.protocol, state, value);
      }
      for (const auto& [state, value] : protocol.states) {
        if (state == "mem") AddState(out, protocol.protocol, "mem_bytes", value * static_cast<double>(page_size_));
      }
    }
  }

  static void AddState(Families& out, const std::string& protocol, const std::string& state, double value) {
    AddSingle(out, "node_sockstat_" + protocol + "_" + state,
              "Number of " + protocol + " sockets in state " + state + ".", kGauge, value);
  }

  KeptOpenFile ipv4_;
  KeptOpenFile ipv6_;
  const long page_size_;
};

}  // namespace

CollectorSpec MakeSockstatSpec() {
  CollectorSpec spec;
  spec.name = "sockstat";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<SockstatCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
