#include "exporter/collectors/netstat.h"

#include <map>
#include <memory>

#include "common/text.h"
#include "exporter/procfs/field_regex_filter.h"
#include "exporter/procfs/kept_open_file.h"
#include "exporter/procfs/metric_name_part.h"

namespace buildfarm::exporter {

Result<std::vector<NetstatCounter>> ParseNetstatPairs(std::string_view text) {
  std::vector<NetstatCounter> counters;
  text::LineCursor lines(text);
  std::string_view names_line;
  while (lines.Next(names_line)) {
    const std::size_t names_line_no = lines.line_number();
    auto where = [](std::size_t line_no) { return "line " + std::to_string(line_no) + ": "; };
    auto names = text::Fields(names_line);
    if (names.empty()) continue;
    std::string_view values_line;
    if (!lines.Next(values_line)) return ParseError(where(names_line_no) + "header line without a line of values");
    const std::size_t values_line_no = lines.line_number();
    auto values = text::Fields(values_line);

    std::string_view prefix = names[0];
    if (prefix.size() < 2 || prefix.back() != ':') return ParseError(where(names_line_no) + "want \"Protocol: names...\"");
    if (values.empty() || values[0] != prefix) {
      return ParseError(where(values_line_no) + "want the values of \"" + std::string(prefix) + "\"");
    }
    if (names.size() != values.size()) {
      return ParseError(where(values_line_no) + std::string(prefix) + " has " + std::to_string(names.size() - 1) +
                        " names but " + std::to_string(values.size() - 1) + " values");
    }
    std::string_view protocol = prefix.substr(0, prefix.size() - 1);
    if (!IsMetricNamePart(protocol)) {
      return ParseError(where(names_line_no) + "protocol name may only hold letters, digits and '_'");
    }
    for (std::size_t i = 1; i < names.size(); ++i) {
      if (!IsMetricNamePart(names[i])) {
        return ParseError(where(names_line_no) + "field name may only hold letters, digits and '_'");
      }
      auto value = text::ParseDouble(values[i]);
      if (!value) {
        return ParseError(where(values_line_no) + "value of " + std::string(protocol) + " " + std::string(names[i]) +
                          " is not a number");
      }
      counters.push_back({std::string(protocol), std::string(names[i]), *value});
    }
  }
  return counters;
}

Result<std::vector<NetstatCounter>> ParseSnmp6(std::string_view text) {
  std::vector<NetstatCounter> counters;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "snmp6 line " + std::to_string(lines.line_number()) + ": "; };
    auto parts = text::Fields(line);
    if (parts.size() < 2) continue;
    std::size_t six = parts[0].find('6');
    if (six == std::string_view::npos) continue;
    std::string_view protocol = parts[0].substr(0, six + 1);
    std::string_view field = parts[0].substr(six + 1);
    if (!IsMetricNamePart(protocol) || !IsMetricNamePart(field)) {
      return ParseError(where() + "name may only hold letters, digits and '_', with a field after the '6'");
    }
    auto value = text::ParseDouble(parts[1]);
    if (!value) return ParseError(where() + "value of " + std::string(parts[0]) + " is not a number");
    counters.push_back({std::string(protocol), std::string(field), *value});
  }
  return counters;
}

namespace {

struct NetstatOptions {
  std::string fields = kDefaultNetstatFields;
};

// protocol -> field -> value, ordered so that the output is stable.
using ProtocolCounters = std::map<std::string, std::map<std::string, double>>;

// A protocol found in a later file replaces the earlier file's whole protocol, as node_exporter
// merges its per-file maps.
void MergeFile(const std::vector<NetstatCounter>& counters, ProtocolCounters& merged) {
  ProtocolCounters file;
  for (const auto& counter : counters) file[counter.protocol][counter.field] = counter.value;
  for (auto& [protocol, fields] : file) merged[protocol] = std::move(fields);
}

class NetstatCollector : public Collector {
 public:
  NetstatCollector(const HostPaths& paths, std::unique_ptr<FieldRegexFilter> filter)
      : netstat_(paths.Proc("net/netstat")),
        snmp_(paths.Proc("net/snmp")),
        snmp6_(paths.Proc("net/snmp6")),
        filter_(std::move(filter)) {}
  std::string_view name() const override { return "netstat"; }

  Status Collect(Families& out) override {
    ProtocolCounters merged;
    for (KeptOpenFile* file : {&netstat_, &snmp_}) {
      auto text = file->Read();
      if (!text.ok()) return text.status();
      auto counters = ParseNetstatPairs(*text);
      if (!counters.ok()) return counters.status().WithContext(file->path());
      MergeFile(*counters, merged);
    }
    auto snmp6_text = snmp6_.Read();
    if (snmp6_text.ok()) {
      auto counters = ParseSnmp6(*snmp6_text);
      if (!counters.ok()) return counters.status().WithContext(snmp6_.path());
      MergeFile(*counters, merged);
    } else if (snmp6_text.status().code() != StatusCode::kNotFound) {
      return snmp6_text.status();  // absent only means IPv6 is disabled
    }

    for (const auto& [protocol, fields] : merged) {
      for (const auto& [field, value] : fields) {
        std::string key = protocol + "_" + field;
        if (!filter_->Matches(key)) continue;
        AddSingle(out, "node_netstat_" + key, "Statistic " + protocol + field + ".", kUntyped, value);
      }
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile netstat_;
  KeptOpenFile snmp_;
  KeptOpenFile snmp6_;
  std::unique_ptr<FieldRegexFilter> filter_;
};

}  // namespace

CollectorSpec MakeNetstatSpec() {
  auto options = std::make_shared<NetstatOptions>();
  CollectorSpec spec;
  spec.name = "netstat";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.netstat.fields", &options->fields, "Regexp of fields to return for netstat collector.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = FieldRegexFilter::Create("collector.netstat.fields", options->fields);
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(std::make_unique<NetstatCollector>(env.paths, std::move(*filter)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
