#include "exporter/collectors/udp_queues.h"

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMinColumns = 8;

std::optional<std::uint64_t> ParseHex(std::string_view s) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (s.empty() || error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

bool IsHexBytes(std::string_view s) {
  if (s.size() % 2 != 0) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// "left:right", exactly one colon.
bool SplitColon(std::string_view s, std::string_view& left, std::string_view& right) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos) return false;
  left = s.substr(0, colon);
  right = s.substr(colon + 1);
  return true;
}

// Why the socket line is malformed, or empty when it is fine; adds its queues to `totals`.
std::string AddSocketLine(const std::vector<std::string_view>& fields, UdpQueueTotals& totals) {
  if (fields.size() < kMinColumns) return "want at least " + std::to_string(kMinColumns) + " columns";
  std::string_view left, right;
  if (!SplitColon(fields[0], left, right) || !text::ParseUint64(left)) return "sl is not \"N:\"";
  if (!SplitColon(fields[1], left, right) || !IsHexBytes(left) || !ParseHex(right)) return "bad local_address";
  if (!SplitColon(fields[2], left, right) || !IsHexBytes(left) || !ParseHex(right)) return "bad rem_address";
  if (!ParseHex(fields[3])) return "st is not a hex number";
  if (!SplitColon(fields[4], left, right)) return "want \"tx_queue:rx_queue\"";
  auto tx = ParseHex(left);
  auto rx = ParseHex(right);
  if (!tx || !rx) return "tx_queue or rx_queue is not a hex number";
  if (!text::ParseUint64(fields[7])) return "uid is not a number";
  totals.tx_bytes += *tx;
  totals.rx_bytes += *rx;
  ++totals.sockets;
  return "";
}

}  // namespace

Result<UdpQueueTotals> ParseUdpQueues(std::string_view text) {
  UdpQueueTotals totals;
  text::LineCursor lines(text);
  std::string_view line;
  if (!lines.Next(line)) return totals;  // header only: no sockets
  while (lines.Next(line)) {
    std::string problem = AddSocketLine(text::Fields(line), totals);
    if (!problem.empty()) return ParseError("udp line " + std::to_string(lines.line_number()) + ": " + problem);
  }
  return totals;
}

namespace {

class UdpQueuesCollector : public Collector {
 public:
  explicit UdpQueuesCollector(const HostPaths& paths) : ipv4_(paths.Proc("net/udp")), ipv6_(paths.Proc("net/udp6")) {}
  std::string_view name() const override { return "udp_queues"; }

  Status Collect(Families& out) override {
    auto v4 = Read(ipv4_);
    if (!v4.ok()) return v4.status();
    auto v6 = Read(ipv6_);
    bool have_v6 = v6.ok();
    if (!have_v6 && v6.status().code() != StatusCode::kNotFound) return v6.status();

    auto& family = AddFamily(out, "node_udp_queues",
                             "Number of allocated memory in the kernel for UDP datagrams in bytes.", kGauge);
    AddSample(family, {{"ip", "v4"}, {"queue", "tx"}}, static_cast<double>(v4->tx_bytes));
    AddSample(family, {{"ip", "v4"}, {"queue", "rx"}}, static_cast<double>(v4->rx_bytes));
    if (have_v6) {
      AddSample(family, {{"ip", "v6"}, {"queue", "tx"}}, static_cast<double>(v6->tx_bytes));
      AddSample(family, {{"ip", "v6"}, {"queue", "rx"}}, static_cast<double>(v6->rx_bytes));
    }
    return Status::Ok();
  }

 private:
  static Result<UdpQueueTotals> Read(KeptOpenFile& file) {
    auto text = file.Read();
    if (!text.ok()) return text.status();
    auto totals = ParseUdpQueues(*text);
    if (!totals.ok()) return totals.status().WithContext(file.path());
    return totals;
  }

  KeptOpenFile ipv4_;
  KeptOpenFile ipv6_;
};

}  // namespace

CollectorSpec MakeUdpQueuesSpec() {
  CollectorSpec spec;
  spec.name = "udp_queues";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<UdpQueuesCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
