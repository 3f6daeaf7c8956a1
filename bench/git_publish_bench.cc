// git_publish_bench: time for a status update to be visible in the remote, through the git publisher.
//
//   git_publish_bench REMOTE_URL STATE_DIR UPDATES [HISTORY_LIMIT]
//
// One publisher stages nodes/bench/status.json with a new value UPDATES times and flushes each time.
// The latency of an update is from Stage to the end of Flush: Flush returns only after the server
// acknowledged the ref update, so at that moment a reader of the remote sees the new commit (the
// script checks the final state with `git ls-remote`/`git show`). Prints the median, p90, p99 and max
// in milliseconds, and the publisher's push/rejection counts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/git_publisher/publisher.h"

int main(int argc, char** argv) {
  using namespace buildfarm;
  if (argc < 4) {
    std::fprintf(stderr, "usage: git_publish_bench REMOTE_URL STATE_DIR UPDATES [HISTORY_LIMIT]\n");
    return 2;
  }
  git_publisher::PublisherOptions options;
  options.remote_url = argv[1];
  options.state_dir = argv[2];
  options.branch = "status";
  if (argc > 4) options.history_limit = std::stoi(argv[4]);
  const int updates = std::stoi(argv[3]);
  Logger log(LogLevel::kWarn);
  auto publisher = git_publisher::Publisher::Open(options, log, nullptr);
  if (!publisher.ok()) {
    std::fprintf(stderr, "%s\n", publisher.status().ToString().c_str());
    return 1;
  }
  std::vector<double> millis;
  for (int seq = 1; seq <= updates; ++seq) {
    auto start = std::chrono::steady_clock::now();
    // A status document of the usual size (~300 bytes) whose values change each time.
    std::string document = "{\"server_id\":\"bench\",\"hostname\":\"bench.example\",\"ip\":\"10.0.0.5\","
                           "\"status\":\"online\",\"timestamp\":\"2026-11-27T00:00:00Z\",\"system\":{\"cpu_usage\":" +
                           std::to_string(seq % 100) + ".5,\"memory_used_gb\":3.2,\"disk_free_gb\":" +
                           std::to_string(1000 - seq % 500) + ".25,\"network_latency_ms\":0.8},"
                           "\"capabilities\":{\"cores\":8,\"memory_gb\":16},\"seq\":" + std::to_string(seq) + "}";
    Status staged = (*publisher)->Stage("nodes/bench/status.json", document);
    auto flushed = (*publisher)->Flush();
    if (!staged.ok() || !flushed.ok() || *flushed != git_publisher::FlushResult::kPushed) {
      std::fprintf(stderr, "update %d failed: %s\n", seq, (staged.ok() ? flushed.status() : staged).ToString().c_str());
      return 1;
    }
    millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(millis.begin(), millis.end());
  auto at = [&](double q) { return millis[std::min(millis.size() - 1, static_cast<std::size_t>(q * millis.size()))]; };
  auto stats = (*publisher)->stats();
  std::printf("updates=%d history_limit=%d median_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f pushes=%llu rejections=%llu\n",
              updates, options.history_limit, at(0.5), at(0.9), at(0.99), millis.back(),
              static_cast<unsigned long long>(stats.pushes), static_cast<unsigned long long>(stats.rejections));
  return 0;
}
