#include "tests/support/process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

namespace buildfarm::testing {
namespace {

bool Contains(const std::vector<int>& ports, int port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// Connects to 127.0.0.1:port; 0 on success, else errno.
int ConnectError(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(port);
  int error = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ? 0 : errno;
  close(fd);
  return error;
}

TEST(ListeningPorts, FindsTheSocketThisProcessListensOn) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(0);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  EXPECT_FALSE(Contains(ListeningPorts(getpid()), port)) << "bound is not listening yet";
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(Contains(ListeningPorts(getpid()), port));
  close(fd);
  EXPECT_FALSE(Contains(ListeningPorts(getpid()), port));
}

TEST(RefusedLoopbackPort, RefusesConnectionsWhileItLives) {
  RefusedLoopbackPort refused;
  ASSERT_GT(refused.port(), 0);
  EXPECT_EQ(ConnectError(refused.port()), ECONNREFUSED);
  EXPECT_FALSE(Contains(ListeningPorts(getpid()), refused.port()));
  // Held: nobody else can listen there meanwhile.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(refused.port());
  EXPECT_NE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  close(fd);
}

TEST(ChildPids, ListsAChildProcess) {
  ChildProcess child({"sleep", "30"});
  std::string error;
  ASSERT_TRUE(child.Start(&error)) << error;
  const std::vector<pid_t> children = ChildPids(getpid());
  EXPECT_NE(std::find(children.begin(), children.end(), child.pid()), children.end());
  EXPECT_EQ(child.Stop(), 128 + 15);
}

}  // namespace
}  // namespace buildfarm::testing
