#include "exporter/collectors/topology_isolated.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/text.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMaxRecordBytes = 1 << 20;  // a topology is a few hundred bytes

template <typename Number>
bool ParseNumber(std::string_view text, Number* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

Status Malformed(std::string_view why) { return Unavailable("topology from the discovery child: " + std::string(why)); }

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string EncodeTopology(const Result<NodeTopology>& topology) {
  if (!topology.ok()) return "error\n" + topology.status().message();
  const NodeTopology& t = *topology;
  std::string out = "ok\n";
  out += "source " + t.source + "\n";
  out += "packages " + std::to_string(t.packages) + "\n";
  out += "cores " + std::to_string(t.cores) + "\n";
  out += "processing_units " + std::to_string(t.processing_units) + "\n";
  out += "numa_nodes " + std::to_string(t.numa_nodes) + "\n";
  out += "memory_bytes " + std::to_string(t.memory_bytes) + "\n";
  for (const auto& cache : t.caches) {
    out += "cache " + std::to_string(cache.level) + " " + cache.type + " " + std::to_string(cache.size_bytes) + " " +
           std::to_string(cache.count) + "\n";
  }
  out += "cpu_model " + t.cpu_model;  // last: the rest of the record, whatever it contains
  return out;
}

Result<NodeTopology> DecodeTopology(std::string_view text) {
  if (text.rfind("error\n", 0) == 0) return Unavailable(std::string(text.substr(6)));
  if (text.rfind("ok\n", 0) != 0) return Malformed("no ok/error header");
  text.remove_prefix(3);
  NodeTopology t;
  bool have_model = false;
  while (!text.empty()) {
    if (text.rfind("cpu_model ", 0) == 0) {
      t.cpu_model = std::string(text.substr(10));
      have_model = true;
      break;
    }
    std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return Malformed("truncated line");
    std::vector<std::string_view> fields = text::Fields(text.substr(0, newline));
    text.remove_prefix(newline + 1);
    if (fields.size() == 2 && fields[0] == "source") {
      t.source = std::string(fields[1]);
    } else if (fields.size() == 2 && fields[0] == "packages" && ParseNumber(fields[1], &t.packages)) {
    } else if (fields.size() == 2 && fields[0] == "cores" && ParseNumber(fields[1], &t.cores)) {
    } else if (fields.size() == 2 && fields[0] == "processing_units" && ParseNumber(fields[1], &t.processing_units)) {
    } else if (fields.size() == 2 && fields[0] == "numa_nodes" && ParseNumber(fields[1], &t.numa_nodes)) {
    } else if (fields.size() == 2 && fields[0] == "memory_bytes" && ParseNumber(fields[1], &t.memory_bytes)) {
    } else if (fields.size() == 5 && fields[0] == "cache") {
      CacheSummary cache;
      cache.type = std::string(fields[2]);
      if (!ParseNumber(fields[1], &cache.level) || !ParseNumber(fields[3], &cache.size_bytes) ||
          !ParseNumber(fields[4], &cache.count)) {
        return Malformed("bad cache line");
      }
      t.caches.push_back(std::move(cache));
    } else {
      return Malformed("unexpected line");
    }
  }
  if (!have_model || t.source.empty()) return Malformed("truncated record");
  return t;
}

Result<NodeTopology> DiscoverInChild(const std::function<Result<NodeTopology>()>& discover) {
  // One discovery at a time, the in-process fallback included: a fork never copies a lock that
  // another discovery holds (`discover` takes hwloc's environment mutex), which would hang the child.
  static Mutex discovery_mutex;
  MutexLock lock(discovery_mutex);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return discover();
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return discover();
  }
  if (child == 0) {
    close(fds[0]);
    WriteAll(fds[1], EncodeTopology(discover()));
    _exit(0);
  }
  close(fds[1]);
  std::string record;
  char buffer[4096];
  while (record.size() < kMaxRecordBytes) {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    record.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (record.empty()) return Unavailable("topology: the discovery child died without a result");
  return DecodeTopology(record);
}

}  // namespace buildfarm::exporter
