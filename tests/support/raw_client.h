// RawClient: a plain TCP connection to a loopback server, for tests that must send exactly the bytes an
// attacker would (a head a byte at a time, a body that never comes) and see exactly what comes back.
// It can bind a chosen loopback source address: all of 127.0.0.0/8 is loopback on Linux, so one test can
// look like many hosts. Not thread-safe; one per thread.
#pragma once

#include <chrono>
#include <string>

namespace buildfarm::testing {

class RawClient {
 public:
  explicit RawClient(int port, const std::string& source = "127.0.0.1");
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes; `closed` (if given) tells which.
  std::string ReadAll(std::chrono::milliseconds timeout, bool* closed = nullptr);
  // Reads until `marker` has arrived (e.g. "\r\n\r\n", the end of a response head), the peer closes, or
  // `timeout` passes.
  std::string ReadUntil(const std::string& marker, std::chrono::milliseconds timeout);

 private:
  std::string Read(const std::string& marker, std::chrono::milliseconds timeout, bool* closed);

  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace buildfarm::testing
