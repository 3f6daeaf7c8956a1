#include "tests/integration/exporter_harness.h"

#include <httplib.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <functional>
#include <optional>
#include <regex>

#include <gtest/gtest.h>

namespace buildfarm::testing {

std::string ExporterBinary() { return BinaryPath("exporter/buildfarm-exporter"); }

std::set<std::string> KnownCollectors() {
  std::string help;
  int code = RunCommand({ExporterBinary(), "--help"}, &help, 30);
  EXPECT_EQ(code, 0) << help;
  std::set<std::string> names;
  static const std::regex kSwitch(R"(--\[no-\]collector\.([a-z0-9_]+)\s)");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), kSwitch); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1];
    if (name != "disable") names.insert(name);  // --collector.disable-defaults stops at the '-'
  }
  return names;
}

std::vector<std::string> FixturePathFlags() {
  return {"--path.procfs=" + SourcePath("tests/fixtures/proc"), "--path.sysfs=" + SourcePath("tests/fixtures/sys"),
          "--path.rootfs=" + SourcePath("tests/fixtures/rootfs")};
}

std::vector<std::string> CollectorFlags(const std::set<std::string>& collectors) {
  std::vector<std::string> flags{"--collector.disable-defaults"};
  for (const auto& name : collectors) flags.push_back("--collector." + name);
  return flags;
}

namespace {

// Starts `argv` and learns its HOST:PORT from `find_address`; a failure is reported to gtest and leaves
// the address empty.
RunningProgram StartListening(const std::vector<std::string>& argv,
                              const std::function<std::optional<std::string>(ChildProcess&)>& find_address) {
  RunningProgram running;
  running.process = std::make_unique<ChildProcess>(argv);
  std::string error;
  if (!running.process->Start(&error)) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << error;
    return running;
  }
  const std::optional<std::string> address = find_address(*running.process);
  if (!address) {
    ADD_FAILURE() << argv[0] << " did not listen; log:\n" << running.process->Log();
    return running;
  }
  running.address = *address;
  return running;
}

}  // namespace

RunningProgram StartExporter(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ExporterBinary(), "--web.listen-address=127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return StartListening(argv, [](ChildProcess& exporter) { return exporter.WaitForListenAddress(20); });
}

RunningProgram StartOnPortZero(const std::vector<std::string>& argv) {
  return StartListening(argv, [](ChildProcess& peer) -> std::optional<std::string> {
    const std::optional<int> port = peer.WaitForListeningPort(30);
    if (!port) return std::nullopt;
    return "127.0.0.1:" + std::to_string(*port);
  });
}

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return "";
}

HttpReply HttpGet(const std::string& address, const std::string& path,
                  const std::map<std::string, std::string>& headers, double timeout_seconds) {
  HttpReply reply;
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return reply;
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_decompress(false);
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  httplib::Headers request_headers(headers.begin(), headers.end());
  auto result = client.Get(path, request_headers);
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.headers.insert(result->headers.begin(), result->headers.end());
  return reply;
}

PromExposition ScrapeMetrics(const std::string& address, const std::string& who) {
  HttpReply reply = HttpGet(address, "/metrics");
  EXPECT_EQ(reply.status, 200) << who;
  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  EXPECT_TRUE(parsed) << who << ": " << error;
  return parsed ? *parsed : PromExposition{};
}

bool Gunzip(std::string_view compressed, std::string* out) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc == Z_OK || rc == Z_STREAM_END) out->append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return rc == Z_STREAM_END;
}

}  // namespace buildfarm::testing
