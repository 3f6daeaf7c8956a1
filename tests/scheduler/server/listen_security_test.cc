// The scheduler's HTTPS-only rule (listen_security.h): which addresses are loopback, the refusal naming
// --insecure-http, and the warning logged on every insecure start.
#include "scheduler/server/listen_security.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace buildfarm::scheduler {
namespace {

TEST(ListenSecurity, LoopbackHosts) {
  struct Case {
    const char* host;
    bool loopback;
  };
  for (const Case& c : {Case{"127.0.0.1", true}, Case{"127.1.2.3", true}, Case{"::1", true}, Case{"[::1]", true},
                        Case{"localhost", true}, Case{"", false}, Case{"0.0.0.0", false}, Case{"::", false},
                        Case{"10.0.0.5", false}, Case{"sched.example", false}, Case{"1270.0.0.1", false}}) {
    EXPECT_EQ(IsLoopbackHost(c.host), c.loopback) << c.host;
  }
}

// The log lines written to a pipe by `log`.
std::string Captured(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

TEST(ListenSecurity, PlainHttpBeyondLoopbackIsRefusedUnlessInsecureHttp) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    Logger log(LogLevel::kInfo, fds[1]);
    EXPECT_TRUE(CheckListenSecurity({"127.0.0.1:8080", "[::1]:8080"}, false, false, log).ok());
    EXPECT_TRUE(CheckListenSecurity({":8080"}, /*tls_enabled=*/true, false, log).ok());
    Status refused = CheckListenSecurity({"127.0.0.1:8080", ":8080"}, false, false, log);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find(":8080"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("--insecure-http"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("tls_server_config"), std::string::npos) << refused.message();
    EXPECT_FALSE(CheckListenSecurity({"10.1.2.3:8080"}, false, false, log).ok());
    EXPECT_TRUE(CheckListenSecurity({"0.0.0.0:8080"}, false, /*insecure_http=*/true, log).ok());
  }
  close(fds[1]);
  std::string logged = Captured(fds[0]);
  close(fds[0]);
  // Exactly the insecure start warned.
  EXPECT_NE(logged.find("plain HTTP beyond loopback"), std::string::npos) << logged;
  EXPECT_NE(logged.find("0.0.0.0:8080"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("plain HTTP"), logged.rfind("plain HTTP")) << logged;
}

}  // namespace
}  // namespace buildfarm::scheduler
