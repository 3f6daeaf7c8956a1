#include "exporter/collectors/prober.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

#include "common/http_server.h"
#include "common/unique_fd.h"

namespace buildfarm::exporter {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ErrnoText(int err) { return std::strerror(err); }

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

ProbeOutcome Failed(double started, std::string error) {
  return ProbeOutcome{false, NowSeconds() - started, std::move(error)};
}

std::uint16_t IcmpChecksum(const std::uint8_t* data, std::size_t size) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < size; i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (size % 2) sum += static_cast<std::uint32_t>(data[size - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

void SetTimeouts(httplib::Client& client, double seconds) {
  auto sec = static_cast<time_t>(seconds);
  auto usec = static_cast<time_t>((seconds - static_cast<double>(sec)) * 1e6);
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
}

}  // namespace

const std::vector<double>& ProbeDurationBuckets() {
  static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,  5};
  return buckets;
}

Prober::Prober(ProbeSettings settings, const Logger& log) : settings_(std::move(settings)), log_(log) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  for (const auto& target : settings_.targets) {
    ProbeTargetState state;
    state.name = target.name;
    state.kind = target.kind;
    state.bucket_counts.assign(ProbeDurationBuckets().size() + 1, 0);
    states_.push_back(std::move(state));
  }
  thread_ = std::thread([this] { Run(); });
}

Prober::~Prober() {
  stop_.store(true);
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
  {
    MutexLock lock(mutex_);
    if (active_http_ != nullptr) active_http_->stop();
  }
  changed_.notify_all();
  thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::vector<ProbeTargetState> Prober::Snapshot() const {
  MutexLock lock(mutex_);
  return states_;
}

bool Prober::WaitForRounds(std::uint64_t rounds, double timeout_seconds) const {
  MutexLock lock(mutex_);
  return lock.WaitFor(changed_, std::chrono::duration<double>(timeout_seconds),
                      [&]() REQUIRES(mutex_) { return rounds_ >= rounds; });
}

void Prober::Run() {
  while (!stop_.load()) {
    double round_started = NowSeconds();
    for (std::size_t i = 0; i < settings_.targets.size() && !stop_.load(); ++i) {
      ProbeOutcome outcome = ProbeOnce(settings_.targets[i]);
      if (stop_.load()) break;
      if (!outcome.success) {
        log_.Debug("probe failed", {{"target", settings_.targets[i].name}, {"err", outcome.error}});
      }
      Record(i, std::move(outcome));
    }
    MutexLock lock(mutex_);
    if (stop_.load()) break;
    ++rounds_;
    changed_.notify_all();
    double wait = settings_.interval_seconds - (NowSeconds() - round_started);
    if (wait > 0) lock.WaitFor(changed_, std::chrono::duration<double>(wait), [this] { return stop_.load(); });
  }
}

void Prober::Record(std::size_t index, ProbeOutcome outcome) {
  MutexLock lock(mutex_);
  ProbeTargetState& state = states_[index];
  if (outcome.success) {
    const auto& bounds = ProbeDurationBuckets();
    std::size_t bucket = std::lower_bound(bounds.begin(), bounds.end(), outcome.duration_seconds) - bounds.begin();
    ++state.bucket_counts[bucket];
    ++state.count;
    state.sum += outcome.duration_seconds;
  }
  state.has_result = true;
  state.last = std::move(outcome);
}

ProbeOutcome Prober::ProbeOnce(const ProbeTarget& target) {
  switch (target.kind) {
    case ProbeKind::kTcp: return ProbeTcp(target);
    case ProbeKind::kHttp: return ProbeHttp(target);
    case ProbeKind::kIcmp: return ProbeIcmp(target);
  }
  return ProbeOutcome{false, 0, "unknown probe kind"};
}

int Prober::WaitFd(int fd, short events, double deadline_seconds) const {
  while (!stop_.load()) {
    double left = deadline_seconds - NowSeconds();
    if (left <= 0) return 0;
    pollfd fds[2] = {{fd, events, 0}, {wake_fd_, POLLIN, 0}};
    int ready = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, static_cast<int>(std::ceil(left * 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (fds[1].revents != 0) return -1;
    if (fds[0].revents != 0) return 1;
  }
  return -1;
}

ProbeOutcome Prober::ProbeTcp(const ProbeTarget& target) {
  double started = NowSeconds();
  double deadline = started + settings_.timeout_seconds;
  std::string host;
  int port = 0;
  Status split = SplitHostPort(target.address, &host, &port);
  if (!split.ok()) return Failed(started, split.message());
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int gai = getaddrinfo(host.empty() ? "127.0.0.1" : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (gai != 0) return Failed(started, std::string("resolve: ") + gai_strerror(gai));
  AddrInfoPtr addresses(found);
  std::string last_error = "no address";
  for (addrinfo* a = addresses.get(); a != nullptr && !stop_.load(); a = a->ai_next) {
    UniqueFd sock(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (sock.get() < 0) {
      last_error = "socket: " + ErrnoText(errno);
      continue;
    }
    if (::connect(sock.get(), a->ai_addr, a->ai_addrlen) == 0) return ProbeOutcome{true, NowSeconds() - started, ""};
    if (errno != EINPROGRESS) {
      last_error = "connect: " + ErrnoText(errno);
      continue;
    }
    int ready = WaitFd(sock.get(), POLLOUT, deadline);
    if (ready == 0) return Failed(started, "connect: timed out");
    if (ready < 0) return Failed(started, "connect: interrupted");
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) return ProbeOutcome{true, NowSeconds() - started, ""};
    last_error = "connect: " + ErrnoText(err);
  }
  return Failed(started, last_error);
}

ProbeOutcome Prober::ProbeHttp(const ProbeTarget& target) {
  double started = NowSeconds();
  // "scheme://host[:port]/path?query" -> client base "scheme://host[:port]" and the request path.
  auto scheme_end = target.url.find("://");
  if (scheme_end == std::string::npos) return Failed(started, "url: no scheme");
  auto path_start = target.url.find('/', scheme_end + 3);
  std::string base = path_start == std::string::npos ? target.url : target.url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : target.url.substr(path_start);
  httplib::Client client(base);
  if (!client.is_valid()) return Failed(started, "url: unsupported (https needs OpenSSL support)");
  SetTimeouts(client, settings_.timeout_seconds);
  // https:// targets are verified (certificate and host name) against probes.ca_file, else the system store.
  client.enable_server_certificate_verification(true);
  if (!settings_.ca_file.empty()) client.set_ca_cert_path(settings_.ca_file);
  client.set_follow_location(false);
  client.set_keep_alive(false);
  {
    MutexLock lock(mutex_);
    if (stop_.load()) return Failed(started, "stopped");
    active_http_ = &client;
  }
  auto response = client.Get(path);
  {
    MutexLock lock(mutex_);
    active_http_ = nullptr;
  }
  double elapsed = NowSeconds() - started;
  if (!response) return Failed(started, "http: " + httplib::to_string(response.error()));
  if (elapsed > settings_.timeout_seconds) return Failed(started, "http: timed out");
  if (response->status < 200 || response->status > 299) {
    return Failed(started, "http: status " + std::to_string(response->status));
  }
  return ProbeOutcome{true, elapsed, ""};
}

ProbeOutcome Prober::ProbeIcmp(const ProbeTarget& target) {
  double started = NowSeconds();
  double deadline = started + settings_.timeout_seconds;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  int gai = getaddrinfo(target.address.c_str(), nullptr, &hints, &found);
  if (gai != 0) return Failed(started, std::string("resolve: ") + gai_strerror(gai));
  AddrInfoPtr addresses(found);
  sockaddr_in peer{};
  std::memcpy(&peer, addresses->ai_addr, sizeof peer);

  // A ping socket first (no privilege beyond ping_group_range), then a raw socket (CAP_NET_RAW).
  bool raw = false;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  int dgram_errno = fd < 0 ? errno : 0;
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    raw = fd >= 0;
  }
  if (fd < 0) {
    std::string why = "cannot open an ICMP socket: ping socket: " + ErrnoText(dgram_errno) +
                      " (net.ipv4.ping_group_range does not include this group), raw socket: " + ErrnoText(errno) +
                      " (no CAP_NET_RAW)";
    if (!icmp_unavailable_logged_.exchange(true)) {
      log_.Warn("ICMP probes are unavailable and will be reported as failed", {{"err", why}});
    }
    return Failed(started, why);
  }
  UniqueFd sock(fd);
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0) {
    return Failed(started, "connect: " + ErrnoText(errno));
  }
  const std::uint16_t id = static_cast<std::uint16_t>(::getpid() ^ reinterpret_cast<std::uintptr_t>(this));
  const std::uint16_t sequence = ++icmp_sequence_;
  std::uint8_t packet[16] = {};
  packet[0] = ICMP_ECHO;
  packet[4] = static_cast<std::uint8_t>(id >> 8);
  packet[5] = static_cast<std::uint8_t>(id);
  packet[6] = static_cast<std::uint8_t>(sequence >> 8);
  packet[7] = static_cast<std::uint8_t>(sequence);
  std::memcpy(packet + 8, "buildfrm", 8);
  std::uint16_t checksum = IcmpChecksum(packet, sizeof packet);  // the kernel recomputes it for ping sockets
  std::memcpy(packet + 2, &checksum, 2);
  if (::send(sock.get(), packet, sizeof packet, 0) < 0) return Failed(started, "send: " + ErrnoText(errno));

  std::uint8_t reply[1500];
  while (true) {
    int ready = WaitFd(sock.get(), POLLIN, deadline);
    if (ready == 0) return Failed(started, "icmp: timed out");
    if (ready < 0) return Failed(started, "icmp: interrupted");
    ssize_t n = ::recv(sock.get(), reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Failed(started, "recv: " + ErrnoText(errno));
    }
    std::size_t offset = 0;
    if (raw) {
      if (n < 1) continue;
      offset = static_cast<std::size_t>(reply[0] & 0x0f) * 4;  // skip the IP header
    }
    if (static_cast<std::size_t>(n) < offset + 8) continue;
    const std::uint8_t* icmp = reply + offset;
    if (icmp[0] != ICMP_ECHOREPLY) continue;
    std::uint16_t got_sequence = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
    std::uint16_t got_id = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
    if (got_sequence != sequence) continue;
    if (raw && got_id != id) continue;  // a raw socket sees every echo reply; ping sockets only their own
    return ProbeOutcome{true, NowSeconds() - started, ""};
  }
}

}  // namespace buildfarm::exporter
