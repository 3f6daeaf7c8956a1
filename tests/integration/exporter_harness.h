// Shared pieces of the integration tests that run the built buildfarm-exporter: which collectors
// the binary knows (read from --help, so the tests follow collectors as they are added), starting
// it on 127.0.0.1:0 over the fixture tree, plain HTTP GETs and gunzip; it brings tests/support's
// Eventually along.
// Test-only; not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/eventually.h"
#include "tests/support/prom_text.h"
#include "tests/support/process.h"

namespace buildfarm::testing {

std::string ExporterBinary();

// Collector names that have a --[no-]collector.<name> switch in `buildfarm-exporter --help`.
std::set<std::string> KnownCollectors();

// --path.procfs/sysfs/rootfs pointing into tests/fixtures.
std::vector<std::string> FixturePathFlags();

// --collector.disable-defaults followed by --collector.<name> for each name.
std::vector<std::string> CollectorFlags(const std::set<std::string>& collectors);

struct RunningProgram {
  std::unique_ptr<ChildProcess> process;
  std::string address;  // HOST:PORT; empty when the program did not come up
};

// Starts buildfarm-exporter on 127.0.0.1:0 with `args`, waits for its listen address.
RunningProgram StartExporter(const std::vector<std::string>& args);

// Starts a peer program that `argv` tells to listen on 127.0.0.1:0 and that does not log the port it
// got (Prometheus, node_exporter): the address is read from /proc once it listens on one port.
RunningProgram StartOnPortZero(const std::vector<std::string>& argv);

struct HttpReply {
  int status = -1;  // -1: no answer
  std::string body;
  std::multimap<std::string, std::string> headers;
  std::string Header(const std::string& name) const;
};

// GET http://address/path with extra request headers; the body is left as sent (not decompressed).
HttpReply HttpGet(const std::string& address, const std::string& path,
                  const std::map<std::string, std::string>& headers = {}, double timeout_seconds = 30);

// GETs http://address/metrics and parses it; a non-200 answer or a malformed exposition is a gtest
// failure naming `who`, and gives an empty exposition.
PromExposition ScrapeMetrics(const std::string& address, const std::string& who);

// Decompresses a gzip stream; false on corrupt input.
bool Gunzip(std::string_view compressed, std::string* out);

}  // namespace buildfarm::testing
