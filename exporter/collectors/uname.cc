#include "exporter/collectors/uname.h"

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

namespace buildfarm::exporter {

Result<UnameInfo> SystemUname() {
  struct utsname names {};
  if (uname(&names) != 0) return IoError(std::string("uname: ") + std::strerror(errno));
  // The kernel NUL-terminates every field; domainname is a GNU extension that glibc fills on Linux.
  return UnameInfo{names.sysname, names.release, names.version, names.machine, names.nodename, names.domainname};
}

namespace {

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(UnameFunction uname) : uname_(std::move(uname)) {}
  std::string_view name() const override { return "uname"; }

  Status Collect(Families& out) override {
    auto info = uname_();
    if (!info.ok()) return info.status();
    auto& family = AddFamily(out, "node_uname_info",
                             "Labeled system information as provided by the uname system call.", kGauge);
    // Label names in sorted order, as the Go client writes them.
    AddSample(family,
              {{"domainname", info->domainname},
               {"machine", info->machine},
               {"nodename", info->nodename},
               {"release", info->release},
               {"sysname", info->sysname},
               {"version", info->version}},
              1);
    return Status::Ok();
  }

 private:
  UnameFunction uname_;
};

}  // namespace

CollectorSpec MakeUnameSpec(UnameFunction uname) {
  CollectorSpec spec;
  spec.name = "uname";
  spec.create = [uname = std::move(uname)](const CollectorEnv&) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<UnameCollector>(uname));
  };
  return spec;
}

}  // namespace buildfarm::exporter
