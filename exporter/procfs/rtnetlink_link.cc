#include "exporter/procfs/rtnetlink_link.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace buildfarm::exporter {
namespace {

// Wire constants from linux/netlink.h and linux/rtnetlink.h / if_link.h, spelled out so the parser
// builds (and fuzzes) without kernel headers and says which numbers it relies on.
constexpr std::size_t kHeaderSize = 16;     // struct nlmsghdr
constexpr std::size_t kIfInfoSize = 16;     // struct ifinfomsg
constexpr std::size_t kAttrHeaderSize = 4;  // struct rtattr
constexpr std::uint16_t kNlmsgError = 2, kNlmsgDone = 3, kRtmNewLink = 16;
constexpr std::uint16_t kIflaIfname = 3, kIflaStats = 7, kIflaStats64 = 23;
constexpr std::uint16_t kAttrTypeMask = 0x3fff;  // drops NLA_F_NESTED and NLA_F_NET_BYTEORDER
constexpr int kFieldsEveryKernelSends = kRxNohandler;  // 23: rx_nohandler came with Linux 4.6

constexpr std::size_t Align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

template <typename T>
T Load(std::string_view bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

std::string At(std::size_t offset) { return "netlink dump byte " + std::to_string(offset) + ": "; }

template <typename Field>
Status ReadStats(std::string_view payload, std::size_t offset, LinkStatsEntry& entry) {
  std::size_t fields = payload.size() / sizeof(Field);
  if (fields < static_cast<std::size_t>(kFieldsEveryKernelSends)) {
    return ParseError(At(offset) + "link stats attribute holds " + std::to_string(payload.size()) +
                      " bytes, want at least " + std::to_string(kFieldsEveryKernelSends * sizeof(Field)));
  }
  if (fields > static_cast<std::size_t>(kLinkStatCount)) fields = kLinkStatCount;
  entry.stats = {};
  for (std::size_t i = 0; i < fields; ++i) entry.stats[i] = Load<Field>(payload, i * sizeof(Field));
  entry.has_stats = true;
  return Status::Ok();
}

// The attributes after the ifinfomsg of one RTM_NEWLINK; `base` is their offset in the whole dump.
Result<LinkStatsEntry> ParseLinkAttributes(std::string_view attrs, std::size_t base, bool* named) {
  LinkStatsEntry entry;
  bool have_stats64 = false;
  *named = false;
  std::size_t at = 0;
  while (attrs.size() - at >= kAttrHeaderSize) {
    auto length = Load<std::uint16_t>(attrs, at);
    auto type = static_cast<std::uint16_t>(Load<std::uint16_t>(attrs, at + 2) & kAttrTypeMask);
    if (length < kAttrHeaderSize || length > attrs.size() - at) {
      return ParseError(At(base + at) + "attribute length " + std::to_string(length) + " does not fit the " +
                        std::to_string(attrs.size() - at) + " bytes left");
    }
    std::string_view payload = attrs.substr(at + kAttrHeaderSize, length - kAttrHeaderSize);
    if (type == kIflaIfname) {
      entry.name = std::string(payload.substr(0, payload.find('\0')));
      *named = true;
    } else if (type == kIflaStats64) {
      if (Status s = ReadStats<std::uint64_t>(payload, base + at, entry); !s.ok()) return s;
      have_stats64 = true;
    } else if (type == kIflaStats && !have_stats64) {
      if (Status s = ReadStats<std::uint32_t>(payload, base + at, entry); !s.ok()) return s;
    }
    at += std::min(Align4(length), attrs.size() - at);
  }
  return entry;
}

}  // namespace

Result<LinkDump> ParseLinkDump(std::string_view bytes) {
  LinkDump dump;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < kHeaderSize) {
      return ParseError(At(at) + "truncated message header (" + std::to_string(bytes.size() - at) + " bytes)");
    }
    auto length = Load<std::uint32_t>(bytes, at);
    auto type = Load<std::uint16_t>(bytes, at + 4);
    if (length < kHeaderSize || length > bytes.size() - at) {
      return ParseError(At(at) + "message length " + std::to_string(length) + " does not fit the " +
                        std::to_string(bytes.size() - at) + " bytes left");
    }
    std::string_view payload = bytes.substr(at + kHeaderSize, length - kHeaderSize);
    if (type == kNlmsgDone) {
      dump.done = true;
      return dump;
    }
    if (type == kNlmsgError) {
      if (payload.size() < sizeof(std::int32_t)) return ParseError(At(at) + "truncated NLMSG_ERROR");
      auto error = Load<std::int32_t>(payload, 0);
      if (error != 0) {
        // errno values are small; anything else is garbage, reported as a number.
        std::string reason = error < 0 && error > -4096 ? std::strerror(-error) : "code " + std::to_string(error);
        return IoError("netlink RTM_GETLINK dump failed: " + reason);
      }
    } else if (type == kRtmNewLink) {
      if (payload.size() < kIfInfoSize) return ParseError(At(at) + "RTM_NEWLINK shorter than its ifinfomsg");
      bool named = false;
      auto entry = ParseLinkAttributes(payload.substr(kIfInfoSize), at + kHeaderSize + kIfInfoSize, &named);
      if (!entry.ok()) return entry.status();
      if (named) dump.links.push_back(std::move(entry).value());
    }
    // NLMSG_NOOP and any other type carry nothing a link dump needs: skipped.
    at += std::min(Align4(length), bytes.size() - at);
  }
  return dump;
}

}  // namespace buildfarm::exporter
