// message_search: MessageStore search latency over a large message table, against the seed's way of
// searching (message_manager.py read messages.json and scanned every message for the text).
//
// Fills a fresh SQLite file with --messages synthetic messages (subjects and bodies drawn by Zipf's
// law from a 5,000-word vocabulary with build chatter in the middle ranks, 12 senders, six types, four priorities, one unique ticket
// word per message), then times --rounds searches of each query shape through MessageStore::Search
// (FTS5, bm25-ranked, LIMIT 50) and the same query as a linear scan over the messages held in memory
// (case-insensitive substring match plus filters; a lower bound for the seed's Python scan, which
// also re-read and parsed the JSON file every time). Prints median and p99 milliseconds per shape.
// Single-threaded; not a test.
//
// Usage: message_search [--messages N] [--rounds N] [--seed N] [--db PATH (kept afterwards)]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <random>
#include <string>
#include <vector>

#include "scheduler/store/message_store.h"

namespace bs = buildfarm::scheduler;

namespace {

struct Options {
  int messages = 100000;
  int rounds = 200;
  std::uint64_t seed = 1;
  std::string db;
};

const char* kWords[] = {"build", "error", "main", "failed", "disk", "full", "compiler", "cache", "node", "job",
                        "retry", "timeout", "release", "branch", "merge", "test", "passed", "warning", "memory",
                        "network", "latency", "upgrade", "kernel", "package", "maven", "profile", "artifact",
                        "deploy", "rollback", "queue", "heartbeat", "alive", "reboot", "maintenance", "window",
                        "tonight", "please", "check", "logs", "thanks", "ready", "slow", "fast", "link", "patch"};

struct Shape {
  const char* name;
  bs::MessageQuery query;
};

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The seed's search, without the JSON parsing: every message, substring per word, then filters,
// newest first, first 50.
std::size_t LinearScan(const std::vector<bs::Message>& all, const bs::MessageQuery& q) {
  std::vector<std::string> words;
  std::string word;
  for (char c : q.text + " ") {
    if (c == ' ') {
      if (!word.empty()) words.push_back(Lower(word));
      word.clear();
    } else {
      word += c;
    }
  }
  std::size_t hits = 0;
  for (auto it = all.rbegin(); it != all.rend() && hits < static_cast<std::size_t>(q.limit); ++it) {
    const bs::MessageDraft& d = it->draft;
    if (!q.server.empty() && d.from != q.server && d.to != q.server) continue;
    if (q.type && d.type != *q.type) continue;
    if (q.priority && d.priority != *q.priority) continue;
    const std::string text = Lower(d.subject + " " + d.body);
    bool match = true;
    for (const auto& w : words) match = match && text.find(w) != std::string::npos;
    if (match) ++hits;
  }
  return hits;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages")) o.messages = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds")) o.rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed")) o.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--db")) o.db = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: message_search [--messages N] [--rounds N] [--seed N] [--db PATH]\n");
      return 2;
    }
  }
  if (o.messages < 1 || o.rounds < 1) return 2;
  const bool keep = !o.db.empty();  // a named file is kept for inspection
  if (o.db.empty()) o.db = (std::filesystem::temp_directory_path() / ("message_search_" + std::to_string(getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db + suffix);
  auto store = bs::MessageStore::Open(o.db);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", o.db.c_str(), store.status().ToString().c_str());
    return 1;
  }
  std::mt19937_64 rng(o.seed);
  // Zipf's law over a 5,000-word vocabulary (word at rank r drawn with weight 1/r): filler words take
  // the top 50 ranks, the build words ranks 51-95 (each then appears in a few percent of messages, as
  // "error" would in real chatter), synthetic words the rest.
  std::vector<std::string> vocabulary;
  for (int r = 0; r < 50; ++r) vocabulary.push_back("filler" + std::to_string(r));
  for (const char* word : kWords) vocabulary.push_back(word);
  while (vocabulary.size() < 5000) vocabulary.push_back("w" + std::to_string(vocabulary.size()));
  std::vector<double> weights;
  for (std::size_t r = 0; r < vocabulary.size(); ++r) weights.push_back(1.0 / static_cast<double>(r + 1));
  std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
  auto phrase = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? " " : "") + vocabulary[pick(rng)];
    return out;
  };
  const double t0 = 1'800'000'000;
  std::vector<bs::Message> all;
  all.reserve(static_cast<std::size_t>(o.messages));
  auto fill_start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.messages; ++i) {
    bs::MessageDraft d;
    d.from = "build" + std::to_string(rng() % 12 + 1);
    d.to = rng() % 4 == 0 ? "all" : "build" + std::to_string(rng() % 12 + 1);
    d.subject = phrase(3 + static_cast<int>(rng() % 4));
    d.body = phrase(10 + static_cast<int>(rng() % 30)) + " ticket" + std::to_string(i);
    d.priority = static_cast<bs::MessagePriority>(rng() % 4);
    d.type = static_cast<bs::MessageType>(rng() % 6);
    auto sent = (*store)->Send(d, t0 + i);
    if (!sent.ok()) {
      std::fprintf(stderr, "send: %s\n", sent.status().ToString().c_str());
      return 1;
    }
    all.push_back(sent->message);
  }
  double fill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
  std::printf("messages=%d rounds=%d fill=%.1fs (%.0f sends/s)\n", o.messages, o.rounds, fill_seconds,
              o.messages / fill_seconds);

  const std::string rare = "ticket" + std::to_string(o.messages / 2);
  std::vector<Shape> shapes = {
      {"common word", {.text = "error"}},
      {"two words", {.text = "disk full"}},
      {"rare word", {.text = rare}},
      {"word + server", {.text = "timeout", .server = "build7"}},
      {"word + type + priority", {.text = "cache", .type = bs::MessageType::kError, .priority = bs::MessagePriority::kCritical}},
      {"filters only", {.server = "build3", .type = bs::MessageType::kRequest}},
  };
  std::printf("%-24s %10s %10s %12s %12s %6s\n", "shape", "fts p50 ms", "fts p99 ms", "scan p50 ms", "scan p99 ms", "hits");
  for (Shape& shape : shapes) {
    shape.query.limit = 50;
    std::vector<double> fts, scan;
    std::size_t hits = 0;
    for (int r = 0; r < o.rounds; ++r) {
      auto a = std::chrono::steady_clock::now();
      auto found = (*store)->Search(shape.query);
      auto b = std::chrono::steady_clock::now();
      if (!found.ok()) {
        std::fprintf(stderr, "search: %s\n", found.status().ToString().c_str());
        return 1;
      }
      hits = found->size();
      fts.push_back(std::chrono::duration<double, std::milli>(b - a).count());
      if (r < std::max(5, o.rounds / 10)) {  // the scan is slow: fewer rounds
        a = std::chrono::steady_clock::now();
        volatile std::size_t scanned = LinearScan(all, shape.query);
        (void)scanned;
        b = std::chrono::steady_clock::now();
        scan.push_back(std::chrono::duration<double, std::milli>(b - a).count());
      }
    }
    std::printf("%-24s %10.3f %10.3f %12.3f %12.3f %6zu\n", shape.name, Percentile(fts, 0.5), Percentile(fts, 0.99),
                Percentile(scan, 0.5), Percentile(scan, 0.99), hits);
  }
  store->reset();
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db + suffix);
  }
  return 0;
}
