#include "exporter/collectors/nfsd.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "common/file_reader.h"
#include "exporter/collectors/nfs.h"
#include "exporter/collectors/nfs_rpc_lines.h"

namespace buildfarm::exporter {

namespace {



Status ParseLine(const RpcStatLine& line, NfsdStats& stats) {
  // The th line's 10 busy-time buckets are floats ("0.000"); procfs reads only the first two values.
  bool threads = line.key == "th";
  if (threads && line.words.size() < 2) return ParseError("th line needs at least two values");
  auto values = ParseRpcValues(threads ? std::vector<std::string_view>(line.words.begin(), line.words.begin() + 2)
                                       : line.words);
  if (!values.ok()) return values.status().WithContext(std::string(line.key) + " line");
  const std::string_view key = line.key;
  if (key == "rc") return CopyExactly(*values, stats.reply_cache, key);
  if (key == "fh") return CopyExactly(*values, stats.file_handles, key);
  if (key == "io") return CopyExactly(*values, stats.io, key);
  if (threads) return CopyExactly(*values, stats.threads, key);
  if (key == "ra") return CopyExactly(*values, stats.read_ahead, key);
  if (key == "net") return CopyExactly(*values, stats.network, key);
  if (key == "rpc") return CopyExactly(*values, stats.rpc, key);
  if (key == "proc2") return CopyCounted(*values, 18, stats.v2, key);
  if (key == "proc3") return CopyCounted(*values, 22, stats.v3, key);
  if (key == "proc4") {
    auto counted = CountedRpcValues(*values, 2, key);
    if (!counted.ok()) return counted.status();
    return CopyExactly(*counted, stats.v4, key);  // exactly null and compound
  }
  if (key == "proc4ops") return CopyCounted(*values, 39, stats.v4_ops, key);
  return ParseError("unknown NFSd line \"" + std::string(key.substr(0, 40)) + "\"");
}

}  // namespace

Result<NfsdStats> ParseNfsdStats(std::string_view text) {
  auto lines = SplitRpcStatLines(text, "NFSd");
  if (!lines.ok()) return lines.status();
  NfsdStats stats;
  for (const RpcStatLine& line : *lines) {
    Status status = ParseLine(line, stats);
    if (!status.ok()) return status;
  }
  return stats;
}

namespace {

constexpr std::size_t kMaxNfsdFileBytes = 1 << 20;

// The v4 operations node_exporter 1.5 serves, with their index in proc4ops (operation number).
constexpr std::pair<std::string_view, std::size_t> kV4Operations[] = {
    {"Access", 3},      {"Close", 4},        {"Commit", 5},     {"Create", 6},       {"DelegPurge", 7},
    {"DelegReturn", 8}, {"GetAttr", 9},      {"GetFH", 10},     {"Link", 11},        {"Lock", 12},
    {"Lockt", 13},      {"Locku", 14},       {"Lookup", 15},    {"LookupRoot", 16},  {"Nverify", 17},
    {"Open", 18},       {"OpenAttr", 19},    {"OpenConfirm", 20}, {"OpenDgrd", 21},  {"PutFH", 22},
    {"Read", 25},       {"ReadDir", 26},     {"ReadLink", 27},  {"Remove", 28},      {"Rename", 29},
    {"Renew", 30},      {"RestoreFH", 31},   {"SaveFH", 32},    {"SecInfo", 33},     {"SetAttr", 34},
    {"Verify", 35},     {"Write", 36},       {"RelLockOwner", 37},
};

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(std::string path) : path_(std::move(path)) {}
  std::string_view name() const override { return "nfsd"; }

  Status Collect(Families& out) override {
    auto text = ReadFileCapped(path_, kMaxNfsdFileBytes);
    if (!text.ok()) return text.status();  // kNotFound without the NFS server: "no data"
    auto parsed = ParseNfsdStats(*text);
    if (!parsed.ok()) return parsed.status().WithContext(path_);
    const NfsdStats& stats = *parsed;
    Single(out, "reply_cache_hits_total", "Total number of NFSd Reply Cache hits (client lost server response).",
           stats.reply_cache[0]);
    Single(out, "reply_cache_misses_total",
           "Total number of NFSd Reply Cache an operation that requires caching (idempotent).", stats.reply_cache[1]);
    Single(out, "reply_cache_nocache_total",
           "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).", stats.reply_cache[2]);
    // The kernel no longer fills the other file-handle fields.
    Single(out, "file_handles_stale_total", "Total number of NFSd stale file handles", stats.file_handles[0]);
    Single(out, "disk_bytes_read_total", "Total NFSd bytes read.", stats.io[0]);
    Single(out, "disk_bytes_written_total", "Total NFSd bytes written.", stats.io[1]);
    Single(out, "server_threads", "Total number of NFSd kernel threads that are running.", stats.threads[0], kGauge);
    Single(out, "read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.", stats.read_ahead[0],
           kGauge);
    Single(out, "read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.",
           stats.read_ahead[11]);
    auto& packets = AddFamily(out, "node_nfsd_packets_total",
                              "Total NFSd network packets (sent+received) by protocol type.", kCounter);
    AddSample(packets, {{"proto", "udp"}}, static_cast<double>(stats.network[1]));
    AddSample(packets, {{"proto", "tcp"}}, static_cast<double>(stats.network[2]));
    Single(out, "connections_total", "Total number of NFSd TCP connections.", stats.network[3]);
    auto& errors =
        AddFamily(out, "node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.", kCounter);
    AddSample(errors, {{"error", "fmt"}}, static_cast<double>(stats.rpc[2]));
    AddSample(errors, {{"error", "auth"}}, static_cast<double>(stats.rpc[3]));
    AddSample(errors, {{"error", "cInt"}}, static_cast<double>(stats.rpc[4]));
    Single(out, "server_rpcs_total", "Total number of NFSd RPCs.", stats.rpc[0]);
    auto& requests = AddFamily(out, "node_nfsd_requests_total", "Total number NFSd Requests by method and protocol.",
                               kCounter);
    // node_exporter leaves out the v2 and v3 Null procedure.
    for (std::size_t i = 1; i < stats.v2.size(); ++i) {
      AddSample(requests, {{"method", NfsV2ProcedureNames()[i]}, {"proto", "2"}}, static_cast<double>(stats.v2[i]));
    }
    for (std::size_t i = 1; i < stats.v3.size(); ++i) {
      AddSample(requests, {{"method", NfsV3ProcedureNames()[i]}, {"proto", "3"}}, static_cast<double>(stats.v3[i]));
    }
    for (const auto& [method, index] : kV4Operations) {
      AddSample(requests, {{"method", method}, {"proto", "4"}}, static_cast<double>(stats.v4_ops[index]));
    }
    return Status::Ok();
  }

 private:
  static void Single(Families& out, std::string_view name, std::string help, std::uint64_t value,
                     prometheus::MetricType type = kCounter) {
    AddSample(AddFamily(out, "node_nfsd_" + std::string(name), std::move(help), type), LabelPairs{},
              static_cast<double>(value));
  }

  std::string path_;
};

}  // namespace

CollectorSpec MakeNfsdSpec() {
  CollectorSpec spec;
  spec.name = "nfsd";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<NfsdCollector>(env.paths.Proc("net/rpc/nfsd")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
