// The production LinkDumpSource: one NETLINK_ROUTE socket per dump.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/unique_fd.h"
#include "exporter/procfs/rtnetlink_link.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kReceiveBuffer = 64 * 1024;       // the kernel's dump chunks are at most 32 KiB
constexpr std::size_t kMaxDumpBytes = 64 * 1024 * 1024;  // a runaway dump fails instead of eating memory
constexpr int kTimeoutSeconds = 5;

Status Errno(const std::string& what) { return IoError("netlink " + what + ": " + std::strerror(errno)); }

class RtnetlinkLinkSource : public LinkDumpSource {
 public:
  Result<std::string> Dump() override {
    UniqueFd socket(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (socket.get() < 0) return Errno("socket");
    timeval timeout{kTimeoutSeconds, 0};
    if (::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
      return Errno("setsockopt SO_RCVTIMEO");
    }

    struct {
      nlmsghdr header;
      ifinfomsg body;
    } request{};
    request.header.nlmsg_len = sizeof(request);
    request.header.nlmsg_type = RTM_GETLINK;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = 1;
    request.body.ifi_family = AF_UNSPEC;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(socket.get(), &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof(kernel)) < 0) {
      return Errno("send RTM_GETLINK");
    }

    std::string dump;
    std::string chunk(kReceiveBuffer, '\0');
    while (true) {
      ssize_t got = ::recv(socket.get(), chunk.data(), chunk.size(), MSG_TRUNC);
      if (got < 0) {
        if (errno == EINTR) continue;
        return Errno(errno == EAGAIN || errno == EWOULDBLOCK ? "receive (timed out)" : "receive");
      }
      if (static_cast<std::size_t>(got) > chunk.size()) {
        return IoError("netlink message of " + std::to_string(got) + " bytes exceeds the receive buffer");
      }
      std::string_view received(chunk.data(), static_cast<std::size_t>(got));
      // Each datagram holds whole messages, so it parses on its own; stop at DONE or an error.
      auto parsed = ParseLinkDump(received);
      if (!parsed.ok()) return parsed.status();
      dump.append(received);
      if (parsed->done) return dump;
      if (got == 0) return IoError("netlink socket closed before the dump was done");
      if (dump.size() > kMaxDumpBytes) return IoError("netlink link dump exceeds 64 MiB");
    }
  }
};

}  // namespace

std::unique_ptr<LinkDumpSource> MakeRtnetlinkLinkSource() { return std::make_unique<RtnetlinkLinkSource>(); }

}  // namespace buildfarm::exporter
