// FakeScheduler: a stand-in for buildfarm-scheduler's HTTP API in build-cli tests.
//
// An httplib server on 127.0.0.1 (a free port) that records every request (method, path, query,
// body, Authorization header) and answers with canned responses chosen by "METHOD /path?query"
// (query parameters sorted by name) or, failing that, by "METHOD /path"; anything else is a 404
// with an error body. A followed log (`?follow=1`) streams its first chunk, then waits for
// ReleaseLogStream() before sending the rest, so a test can see the CLI print before the end.
// Methods are thread-safe; the server runs on its own threads.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace buildfarm::testing {

struct RecordedRequest {
  std::string method;
  std::string path;   // without the query
  std::string query;  // "limit=5&status=running": sorted by name, values decoded
  std::string body;
  std::string authorization;
};

class FakeScheduler {
 public:
  FakeScheduler();
  ~FakeScheduler();
  FakeScheduler(const FakeScheduler&) = delete;
  FakeScheduler& operator=(const FakeScheduler&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // `key` is "GET /api/v1/nodes" or "GET /api/v1/jobs?cursor=c2".
  void Respond(const std::string& key, int status, std::string body,
               std::string content_type = "application/json");
  // What `build-cli status` asks for: two nodes (build1 ready with two jobs and metrics, build2 down)
  // and a queue of three.
  void RespondWithTwoNodeStatus();
  // The streamed answer to GET /api/v1/jobs/{id}/log?...&follow=1.
  void SetLogStream(std::string first_chunk, std::string rest);
  void ReleaseLogStream();

  std::vector<RecordedRequest> requests();
  // The last request; a default one when there was none.
  RecordedRequest last();

 private:
  struct Canned {
    int status;
    std::string body;
    std::string content_type;
  };

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::string log_first_, log_rest_;
  std::map<std::string, Canned> canned_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace buildfarm::testing
