#include "exporter/collectors/nfs.h"

#include <algorithm>
#include <memory>
#include <string>

#include "common/file_reader.h"
#include "exporter/collectors/nfs_rpc_lines.h"

namespace buildfarm::exporter {

const std::array<std::string_view, 18>& NfsV2ProcedureNames() {
  static constexpr std::array<std::string_view, 18> names = {
      "Null",   "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
      "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat"};
  return names;
}

const std::array<std::string_view, 22>& NfsV3ProcedureNames() {
  static constexpr std::array<std::string_view, 22> names = {
      "Null",  "GetAttr", "SetAttr", "Lookup", "Access",  "ReadLink",    "Read",   "Write",  "Create",   "MkDir",
      "SymLink", "MkNod", "Remove",  "RmDir",  "Rename",  "Link",        "ReadDir", "ReadDirPlus", "FsStat", "FsInfo",
      "PathConf", "Commit"};
  return names;
}

namespace {

// procfs's ClientV4Stats field names, in /proc order (the kernel's: LAYOUTGET before GETDEVICEINFO).
constexpr std::array<std::string_view, 59> kV4ClientProcedures = {
    "Null",          "Read",          "Write",          "Commit",          "Open",           "OpenConfirm",
    "OpenNoattr",    "OpenDowngrade", "Close",          "Setattr",         "FsInfo",         "Renew",
    "SetClientID",   "SetClientIDConfirm", "Lock",      "Lockt",           "Locku",          "Access",
    "Getattr",       "Lookup",        "LookupRoot",     "Remove",          "Rename",         "Link",
    "Symlink",       "Create",        "Pathconf",       "StatFs",          "ReadLink",       "ReadDir",
    "ServerCaps",    "DelegReturn",   "GetACL",         "SetACL",          "FsLocations",    "ReleaseLockowner",
    "Secinfo",       "FsidPresent",   "ExchangeID",     "CreateSession",   "DestroySession", "Sequence",
    "GetLeaseTime",  "ReclaimComplete", "LayoutGet",    "GetDeviceInfo",   "LayoutCommit",   "LayoutReturn",
    "SecinfoNoName", "TestStateID",   "FreeStateID",    "GetDeviceList",   "BindConnToSession", "DestroyClientID",
    "Seek",          "Allocate",      "DeAllocate",     "LayoutStats",     "Clone"};



}  // namespace

Result<NfsClientStats> ParseNfsClientStats(std::string_view text) {
  auto lines = SplitRpcStatLines(text, "NFS");
  if (!lines.ok()) return lines.status();
  NfsClientStats stats;
  for (const RpcStatLine& line : *lines) {
    auto values = ParseRpcValues(line.words);
    if (!values.ok()) return values.status().WithContext(std::string(line.key) + " line");
    Status status;
    if (line.key == "net") {
      status = CopyExactly(*values, stats.network, line.key);
    } else if (line.key == "rpc") {
      status = CopyExactly(*values, stats.rpc, line.key);
    } else if (line.key == "proc2") {
      status = CopyCounted(*values, 18, stats.v2, line.key);
    } else if (line.key == "proc3") {
      status = CopyCounted(*values, 22, stats.v3, line.key);
    } else if (line.key == "proc4") {
      status = CopyCounted(*values, 0, stats.v4, line.key);
    } else {
      return ParseError("unknown NFS line \"" + std::string(line.key.substr(0, 40)) + "\"");
    }
    if (!status.ok()) return status;
  }
  return stats;
}

namespace {

// The file is a few hundred bytes; the cap only bounds what a broken kernel could make us hold.
constexpr std::size_t kMaxNfsFileBytes = 1 << 20;

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(std::string path) : path_(std::move(path)) {}
  std::string_view name() const override { return "nfs"; }

  Status Collect(Families& out) override {
    auto text = ReadFileCapped(path_, kMaxNfsFileBytes);
    if (!text.ok()) return text.status();  // kNotFound without the NFS client module: "no data"
    auto stats = ParseNfsClientStats(*text);
    if (!stats.ok()) return stats.status().WithContext(path_);
    auto& packets = AddFamily(out, "node_nfs_packets_total",
                              "Total NFSd network packets (sent+received) by protocol type.", kCounter);
    AddSample(packets, {{"protocol", "udp"}}, static_cast<double>(stats->network[1]));
    AddSample(packets, {{"protocol", "tcp"}}, static_cast<double>(stats->network[2]));
    AddSingle(out, "node_nfs_connections_total", "Total number of NFSd TCP connections.", stats->network[3]);
    AddSingle(out, "node_nfs_rpcs_total", "Total number of RPCs performed.", stats->rpc[0]);
    AddSingle(out, "node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.", stats->rpc[1]);
    AddSingle(out, "node_nfs_rpc_authentication_refreshes_total", "Number of RPC authentication refreshes performed.",
              stats->rpc[2]);
    auto& requests = AddFamily(out, "node_nfs_requests_total", "Number of NFS procedures invoked.", kCounter);
    AddProcedures(requests, "2", NfsV2ProcedureNames(), stats->v2);
    AddProcedures(requests, "3", NfsV3ProcedureNames(), stats->v3);
    AddProcedures(requests, "4", kV4ClientProcedures, stats->v4);
    return Status::Ok();
  }

 private:
  static void AddSingle(Families& out, std::string name, std::string help, std::uint64_t value) {
    AddSample(AddFamily(out, std::move(name), std::move(help), kCounter), LabelPairs{}, static_cast<double>(value));
  }

  template <std::size_t N>
  static void AddProcedures(prometheus::MetricFamily& family, const std::string& proto,
                            const std::array<std::string_view, N>& names, const std::array<std::uint64_t, N>& values) {
    for (std::size_t i = 0; i < N; ++i) {
      AddSample(family, {{"method", std::string(names[i])}, {"proto", proto}}, static_cast<double>(values[i]));
    }
  }

  std::string path_;
};

}  // namespace

CollectorSpec MakeNfsSpec() {
  CollectorSpec spec;
  spec.name = "nfs";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<NfsCollector>(env.paths.Proc("net/rpc/nfs")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
