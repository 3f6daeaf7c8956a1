#include "exporter/collectors/conntrack.h"

#include <charconv>
#include <memory>
#include <string>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {
namespace {

struct StatColumn {
  std::string_view header;
  std::uint64_t ConntrackStats::*field;
  const char* metric;
  const char* help;
};

constexpr StatColumn kStatColumns[] = {
    {"found", &ConntrackStats::found, "node_nf_conntrack_stat_found",
     "Number of searched entries which were successful."},
    {"invalid", &ConntrackStats::invalid, "node_nf_conntrack_stat_invalid",
     "Number of packets seen which can not be tracked."},
    {"ignore", &ConntrackStats::ignore, "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."},
    {"insert", &ConntrackStats::insert, "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."},
    {"insert_failed", &ConntrackStats::insert_failed, "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {"drop", &ConntrackStats::drop, "node_nf_conntrack_stat_drop",
     "Number of packets dropped due to conntrack failure."},
    {"early_drop", &ConntrackStats::early_drop, "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."},
    {"search_restart", &ConntrackStats::search_restart, "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
};

}  // namespace

Result<ConntrackStats> ParseConntrackStat(std::string_view text) {
  text::LineCursor lines(text);
  std::string_view line;
  if (!lines.Next(line)) return ParseError("nf_conntrack: empty, want a header line");
  auto header = text::Fields(line);
  std::size_t columns[std::size(kStatColumns)];
  for (std::size_t c = 0; c < std::size(kStatColumns); ++c) {
    columns[c] = header.size();
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == kStatColumns[c].header) columns[c] = i;
    }
    if (columns[c] == header.size()) {
      return ParseError("nf_conntrack line 1: no \"" + std::string(kStatColumns[c].header) + "\" column");
    }
  }
  ConntrackStats sums;
  while (lines.Next(line)) {
    auto where = [&] { return "nf_conntrack line " + std::to_string(lines.line_number()) + ": "; };
    auto values = text::Fields(line);
    if (values.size() != header.size()) {
      return ParseError(where() + "want " + std::to_string(header.size()) + " columns as the header has, got " +
                        std::to_string(values.size()));
    }
    for (std::size_t c = 0; c < std::size(kStatColumns); ++c) {
      std::string_view hex = values[columns[c]];
      std::uint64_t value = 0;
      auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
      if (error != std::errc() || end != hex.data() + hex.size()) {
        return ParseError(where() + std::string(kStatColumns[c].header) + " is not a hex number");
      }
      sums.*kStatColumns[c].field += value;
    }
  }
  return sums;
}

Result<std::uint64_t> ParseConntrackNumber(std::string_view text) {
  auto value = text::ParseUint64(text::Trim(text));
  if (!value) return ParseError("want one unsigned decimal number");
  return *value;
}

namespace {

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const HostPaths& paths)
      : count_(paths.Proc("sys/net/netfilter/nf_conntrack_count")),
        max_(paths.Proc("sys/net/netfilter/nf_conntrack_max")),
        stat_(paths.Proc("net/stat/nf_conntrack")) {}
  std::string_view name() const override { return "conntrack"; }

  Status Collect(Families& out) override {
    auto count = ReadNumber(count_);
    if (!count.ok()) return count.status();
    auto max = ReadNumber(max_);
    if (!max.ok()) return max.status();
    auto text = stat_.Read();
    if (!text.ok()) return text.status();
    auto stats = ParseConntrackStat(*text);
    if (!stats.ok()) return stats.status().WithContext(stat_.path());

    AddSingle(out, "node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.",
              kGauge, static_cast<double>(*count));
    AddSingle(out, "node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", kGauge,
              static_cast<double>(*max));
    for (const auto& column : kStatColumns) {
      AddSingle(out, column.metric, column.help, kGauge, static_cast<double>((*stats).*column.field));
    }
    return Status::Ok();
  }

 private:
  static Result<std::uint64_t> ReadNumber(KeptOpenFile& file) {
    auto text = file.Read();
    if (!text.ok()) return text.status();  // absent: the nf_conntrack module is not loaded
    auto value = ParseConntrackNumber(*text);
    if (!value.ok()) return value.status().WithContext(file.path());
    return value;
  }

  KeptOpenFile count_;
  KeptOpenFile max_;
  KeptOpenFile stat_;
};

}  // namespace

CollectorSpec MakeConntrackSpec() {
  CollectorSpec spec;
  spec.name = "conntrack";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<ConntrackCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
