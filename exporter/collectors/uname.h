// uname collector: node_uname_info{sysname,release,version,machine,nodename,domainname}, as
// node_exporter 1.5 serves it, from uname(2).
//
// The system call sits behind UnameFunction so tests can inject any answer. The collector keeps no
// mutable state; uname(2) is thread-safe, so Collect() is too.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct UnameInfo {
  std::string sysname;
  std::string release;
  std::string version;
  std::string machine;
  std::string nodename;
  std::string domainname;
};

using UnameFunction = std::function<Result<UnameInfo>()>;

// uname(2) on this host; an error when the call fails.
Result<UnameInfo> SystemUname();

// The spec with the real system call, or with `uname` in its place (tests).
CollectorSpec MakeUnameSpec(UnameFunction uname = SystemUname);

}  // namespace buildfarm::exporter
