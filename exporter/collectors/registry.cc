#include "exporter/collectors/registry.h"

#include "exporter/collectors/cpu.h"
#include "exporter/collectors/cpufreq.h"
#include "exporter/collectors/diskstats.h"
#include "exporter/collectors/entropy.h"
#include "exporter/collectors/filefd.h"
#include "exporter/collectors/dmi.h"
#include "exporter/collectors/edac.h"
#include "exporter/collectors/filesystem.h"
#include "exporter/collectors/hwmon.h"
#include "exporter/collectors/latency.h"
#include "exporter/collectors/loadavg.h"
#include "exporter/collectors/mdadm.h"
#include "exporter/collectors/meminfo.h"
#include "exporter/collectors/netclass.h"
#include "exporter/collectors/netdev.h"
#include "exporter/collectors/os_release.h"
#include "exporter/collectors/nvme.h"
#include "exporter/collectors/powersupplyclass.h"
#include "exporter/collectors/rapl.h"
#include "exporter/collectors/selinux.h"
#include "exporter/collectors/stat.h"
#include "exporter/collectors/thermal_zone.h"
#include "exporter/collectors/textfile.h"
#include "exporter/collectors/time.h"
#include "exporter/collectors/timex.h"
#include "exporter/collectors/topology.h"
#include "exporter/collectors/arp.h"
#include "exporter/collectors/conntrack.h"
#include "exporter/collectors/netstat.h"
#include "exporter/collectors/pressure.h"
#include "exporter/collectors/schedstat.h"
#include "exporter/collectors/sockstat.h"
#include "exporter/collectors/softnet.h"
#include "exporter/collectors/udp_queues.h"
#include "exporter/collectors/vmstat.h"
#include "exporter/collectors/uname.h"
#include "exporter/collectors/systemd.h"
// Issue 12, network/storage-fabric and NFS group.
#include "exporter/collectors/bonding.h"
#include "exporter/collectors/fibrechannel.h"
#include "exporter/collectors/infiniband.h"
#include "exporter/collectors/nfs.h"
#include "exporter/collectors/nfsd.h"
#include "exporter/collectors/tapestats.h"
// Issue 12, filesystem/storage group.
#include "exporter/collectors/bcache.h"
#include "exporter/collectors/btrfs.h"
#include "exporter/collectors/ipvs.h"
#include "exporter/collectors/xfs.h"
#include "exporter/collectors/zfs.h"

namespace buildfarm::exporter {

std::vector<CollectorSpec> BuiltinCollectorSpecs() {
  std::vector<CollectorSpec> specs;
  specs.push_back(MakeCpuSpec());
  specs.push_back(MakeDiskstatsSpec());
  specs.push_back(MakeFilesystemSpec());
  specs.push_back(MakeHwmonSpec());
  specs.push_back(MakeLoadavgSpec());
  specs.push_back(MakeMeminfoSpec());
  specs.push_back(MakeNetdevSpec());
  specs.push_back(MakeStatSpec());
  specs.push_back(MakeThermalZoneSpec());
  specs.push_back(MakeTimeSpec());
  specs.push_back(MakeTopologySpec());
  specs.push_back(MakeLatencySpec());
  // Issue 12, /proc kernel-statistics group (vmstat, netstat, sockstat, pressure, softnet, schedstat,
  // conntrack, arp, udp_queues): all enabled by default, as in node_exporter 1.5.
  specs.push_back(MakeVmstatSpec());
  specs.push_back(MakeNetstatSpec());
  specs.push_back(MakeSockstatSpec());
  specs.push_back(MakePressureSpec());
  specs.push_back(MakeSoftnetSpec());
  specs.push_back(MakeSchedstatSpec());
  specs.push_back(MakeConntrackSpec());
  specs.push_back(MakeArpSpec());
  specs.push_back(MakeUdpQueuesSpec());
  // Issue 12, identity group: host identity, textfile and the small kernel counters.
  specs.push_back(MakeUnameSpec());
  specs.push_back(MakeOsSpec());
  specs.push_back(MakeTextfileSpec());
  specs.push_back(MakeFilefdSpec());
  specs.push_back(MakeEntropySpec());
  specs.push_back(MakeTimexSpec());
  // Issue 12, sysfs/hardware group: netclass, cpufreq, mdadm, dmi, powersupplyclass, edac, rapl, nvme, selinux.
  specs.push_back(MakeNetclassSpec());
  specs.push_back(MakeCpufreqSpec());
  specs.push_back(MakeMdadmSpec());
  specs.push_back(MakeDmiSpec());
  specs.push_back(MakePowerSupplyClassSpec());
  specs.push_back(MakeEdacSpec());
  specs.push_back(MakeRaplSpec());
  specs.push_back(MakeNvmeSpec());
  specs.push_back(MakeSelinuxSpec());
  // Issue 12, systemd over D-Bus (sd-bus): off by default, as in node_exporter 1.5.
  specs.push_back(MakeSystemdSpec());
  // Issue 12, network/storage-fabric and NFS group: bonding, infiniband, fibrechannel, tapestats, nfs, nfsd.
  specs.push_back(MakeBondingSpec());
  specs.push_back(MakeInfinibandSpec());
  specs.push_back(MakeFibrechannelSpec());
  specs.push_back(MakeTapestatsSpec());
  specs.push_back(MakeNfsSpec());
  specs.push_back(MakeNfsdSpec());
  // Issue 12, filesystem/storage group: xfs, btrfs, bcache, ipvs, zfs (all enabled by default, as in
  // node_exporter 1.5).
  specs.push_back(MakeXfsSpec());
  specs.push_back(MakeBtrfsSpec());
  specs.push_back(MakeBcacheSpec());
  specs.push_back(MakeIpvsSpec());
  specs.push_back(MakeZfsSpec());
  return specs;
}

}  // namespace buildfarm::exporter
