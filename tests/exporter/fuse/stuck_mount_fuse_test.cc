// The stuck mount on a real kernel mount: a FUSE filesystem whose statfs blocks until released,
// seen through the filesystem collector with the real statfs(2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/file_reader.h"
#include "exporter/collectors/filesystem.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

using namespace std::chrono_literals;

bool Mounted(const std::string& mount_point) {
  auto mountinfo = ReadFileCapped("/proc/self/mountinfo");
  return mountinfo.ok() && mountinfo->find(" " + mount_point + " ") != std::string::npos;
}

// Mounts hanging_statfs_fs for the test's duration and always unmounts it again, released or not.
class HangingMount {
 public:
  HangingMount(std::string mount_point, std::string release_file)
      : mount_point_(std::move(mount_point)),
        fs_({"/usr/bin/env", "HANG_RELEASE_FILE=" + release_file, testing::BinaryPath("tests/hanging_statfs_fs"),
             "-f", mount_point_}) {}
  ~HangingMount() {
    std::string output;
    testing::RunCommand({"fusermount3", "-u", "-z", mount_point_}, &output, 10);
    fs_.Stop(15, 5);
  }

  bool Start(std::string* error) {
    if (!fs_.Start(error)) return false;
    for (int i = 0; i < 500; ++i) {
      if (Mounted(mount_point_)) return true;
      std::this_thread::sleep_for(10ms);
    }
    *error = "not mounted after 5s: " + fs_.Log();
    return false;
  }

 private:
  std::string mount_point_;
  testing::ChildProcess fs_;
};

LabelMap Mount(std::string device, std::string fstype, std::string mountpoint) {
  return {{"device", std::move(device)}, {"fstype", std::move(fstype)}, {"mountpoint", std::move(mountpoint)}};
}

TEST(FilesystemOnFuse, HangingStatfsCostsAtMostTheMountTimeout) {
  testing::TempDir dir;
  HostPaths paths = HostPathsIn(dir);
  dir.MakeDir("rootfs/hang");
  dir.MakeDir("rootfs/ok");
  dir.WriteFile("proc/1/mountinfo",
                "1 0 8:1 / /ok rw - ext4 /dev/ok rw\n"
                "2 0 0:99 / /hang rw,nosuid,nodev - fuse.hanging_statfs_fs hanging_statfs_fs rw,user_id=0\n");
  const std::string release_file = dir.Join("release");
  HangingMount mount(paths.Root("/hang"), release_file);
  std::string error;
  ASSERT_TRUE(mount.Start(&error)) << error;

  FilesystemOptions options;
  options.mount_timeout_seconds = 0.2;
  auto collector = MakeFilesystemCollector(paths, options, SystemStatfs);
  ASSERT_TRUE(collector.ok()) << collector.status().ToString();
  const LabelMap hang = Mount("hanging_statfs_fs", "fuse.hanging_statfs_fs", "/hang");
  const LabelMap ok = Mount("/dev/ok", "ext4", "/ok");

  for (int scrape = 0; scrape < 2; ++scrape) {
    Families out;
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE((*collector)->Collect(out).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << "scrape " << scrape;
    EXPECT_EQ(SampleValue(out, "node_filesystem_device_error", hang), 1) << "scrape " << scrape;
    EXPECT_EQ(SampleValue(out, "node_filesystem_device_error", ok), 0) << "scrape " << scrape;
    EXPECT_GT(SampleValue(out, "node_filesystem_size_bytes", ok), 0) << "scrape " << scrape;
  }

  dir.WriteFile("release", "");
  double device_error = 1;
  Families out;
  for (int i = 0; i < 200 && device_error != 0; ++i) {
    out.clear();
    ASSERT_TRUE((*collector)->Collect(out).ok());
    device_error = SampleValue(out, "node_filesystem_device_error", hang);
    if (device_error != 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(device_error, 0);
  EXPECT_EQ(SampleValue(out, "node_filesystem_size_bytes", hang), 100.0 * 4096);
  EXPECT_EQ(SampleValue(out, "node_filesystem_free_bytes", hang), 10.0 * 4096);
  EXPECT_EQ(SampleValue(out, "node_filesystem_avail_bytes", hang), 5.0 * 4096);
  EXPECT_EQ(SampleValue(out, "node_filesystem_files", hang), 50);
  EXPECT_EQ(SampleValue(out, "node_filesystem_files_free", hang), 7);
  EXPECT_EQ(SampleValue(out, "node_filesystem_readonly", hang), 0);
}

}  // namespace
}  // namespace buildfarm::exporter
