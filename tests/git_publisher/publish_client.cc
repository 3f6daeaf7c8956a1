// publish_client: one publisher process for the concurrency test and the benchmark.
//
//   publish_client REMOTE_URL STATE_DIR NODE UPDATES [HISTORY_LIMIT]
//
// Stages nodes/NODE/status.json with a new sequence number UPDATES times, flushing after each; a
// flush whose round of attempts was rejected leaves the file staged for the next one. At the end it
// flushes until nothing is pending (at most 60 more rounds) and prints
//   node=NODE last_seq=N pushes=P rejections=R failed_rounds=F pending=0
// Exit status 0 when the last state was published.
#include <chrono>
#include <cstdio>
#include <string>

#include "common/git_publisher/publisher.h"

int main(int argc, char** argv) {
  using namespace buildfarm;
  if (argc < 5) {
    std::fprintf(stderr, "usage: publish_client REMOTE_URL STATE_DIR NODE UPDATES [HISTORY_LIMIT]\n");
    return 2;
  }
  git_publisher::PublisherOptions options;
  options.remote_url = argv[1];
  options.state_dir = argv[2];
  options.branch = "status";
  options.initial_backoff_seconds = 0.05;
  options.author_name = argv[3];
  if (argc > 5) options.history_limit = std::stoi(argv[5]);
  const std::string node = argv[3];
  const int updates = std::stoi(argv[4]);
  Logger log(LogLevel::kWarn);
  git_publisher::PublishMetrics metrics;
  auto publisher = git_publisher::Publisher::Open(options, log, &metrics);
  if (!publisher.ok()) {
    std::fprintf(stderr, "%s\n", publisher.status().ToString().c_str());
    return 1;
  }
  const std::string path = "nodes/" + node + "/status.json";
  for (int seq = 1; seq <= updates; ++seq) {
    std::string document = "{\"server_id\":\"" + node + "\",\"seq\":" + std::to_string(seq) + "}\n";
    Status staged = (*publisher)->Stage(path, document);
    if (!staged.ok()) {
      std::fprintf(stderr, "%s\n", staged.ToString().c_str());
      return 1;
    }
    (void)(*publisher)->Flush();  // a rejected round stays staged
  }
  for (int round = 0; round < 60 && (*publisher)->pending_count() > 0; ++round) (void)(*publisher)->Flush();
  auto stats = (*publisher)->stats();
  std::printf("node=%s last_seq=%d pushes=%llu rejections=%llu failed_rounds=%llu pending=%zu\n", node.c_str(),
              updates, static_cast<unsigned long long>(stats.pushes), static_cast<unsigned long long>(stats.rejections),
              static_cast<unsigned long long>(stats.failed_rounds), (*publisher)->pending_count());
  return (*publisher)->pending_count() == 0 ? 0 : 1;
}
