#include "exporter/procfs/mountinfo.h"

#include <gtest/gtest.h>

namespace buildfarm::exporter {
namespace {

TEST(DecodeMountEscapes, DecodesKernelOctalEscapes) {
  struct Case {
    const char* in;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"/plain", "/plain"},
           {"/mnt/with\\040space", "/mnt/with space"},
           {"/a\\011tab", "/a\ttab"},
           {"/a\\012nl", "/a\nnl"},
           {"/back\\134slash", "/back\\slash"},
           {"\\040", " "},
           {"/trailing\\04", "/trailing\\04"},  // too short: left alone
           {"/not\\09octal", "/not\\09octal"},
           {"/x\\", "/x\\"},
           {"/big\\777", "/big\\777"},  // above 0xff: left alone
       }) {
    EXPECT_EQ(DecodeMountEscapes(c.in), c.want) << c.in;
  }
}

struct GoodCase {
  const char* line;
  MountEntry want;
};

TEST(ParseMountinfo, ReadsEntries) {
  for (const GoodCase& c : std::vector<GoodCase>{
           {"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
            {"/dev/root", "/mnt2", "ext3", false}},
           // no optional fields
           {"21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw", {"/dev/sda1", "/", "ext4", false}},
           // two optional fields
           {"29 21 0:41 / /home/b rw shared:34 master:2 - nfs4 srv:/x rw,vers=4.2", {"srv:/x", "/home/b", "nfs4", false}},
           // read-only per mount, per superblock; "errors=remount-ro" is not "ro"
           {"26 21 8:3 / /r ro,relatime - ext4 /dev/sda3 rw", {"/dev/sda3", "/r", "ext4", true}},
           {"27 21 8:4 / /s rw,relatime - xfs /dev/sda4 ro,attr2", {"/dev/sda4", "/s", "xfs", true}},
           {"27 21 8:4 / /s rw,relatime - xfs /dev/sda4 rw,errors=remount-ro", {"/dev/sda4", "/s", "xfs", false}},
           {"27 21 8:4 / /s rw,relatime,ro - xfs /dev/sda4 rw", {"/dev/sda4", "/s", "xfs", true}},
           // escaped mount point is decoded; the source stays as written (as node_exporter shows it)
           {"28 21 0:40 / /srv/with\\040space rw - tmpfs tmp\\040fs rw", {"tmp\\040fs", "/srv/with space", "tmpfs", false}},
           // empty mount source
           {"28 21 0:40 / /e rw - tmpfs  rw", {"", "/e", "tmpfs", false}},
           // fuse subtype
           {"40 21 0:50 / /f rw,nosuid - fuse.sshfs u@h:/ rw,user_id=0", {"u@h:/", "/f", "fuse.sshfs", false}},
       }) {
    auto mounts = ParseMountinfo(std::string(c.line) + "\n");
    ASSERT_TRUE(mounts.ok()) << c.line << ": " << mounts.status().ToString();
    ASSERT_EQ(mounts->size(), 1u) << c.line;
    const MountEntry& got = mounts->front();
    EXPECT_EQ(got.device, c.want.device) << c.line;
    EXPECT_EQ(got.mount_point, c.want.mount_point) << c.line;
    EXPECT_EQ(got.fstype, c.want.fstype) << c.line;
    EXPECT_EQ(got.read_only, c.want.read_only) << c.line;
  }
}

TEST(ParseMountinfo, KeepsFileOrderWithoutTrailingNewline) {
  auto mounts = ParseMountinfo("1 0 8:1 / / rw - ext4 /dev/a rw\n2 1 8:2 / /b rw - ext4 /dev/b rw");
  ASSERT_TRUE(mounts.ok()) << mounts.status().ToString();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].mount_point, "/");
  EXPECT_EQ((*mounts)[1].mount_point, "/b");
}

struct BadCase {
  std::string text;
  std::string want_in_message;
};

TEST(ParseMountinfo, RejectsBadInputNamingTheLine) {
  const std::string good = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
  for (const BadCase& c : std::vector<BadCase>{
           {"", "no mounts"},
           {"\n", "line 1: empty line"},
           {good + "\n" + good, "line 2: empty line"},
           {good + "garbage\n", "line 2: want at least 10 fields"},
           {good + good + "22 1 8:2 / /boot rw shared:1 master:3 - ext4\n", "line 3: want type, source"},  // truncated
           {"21 1 8:1 / / rw,relatime shared:1 + ext4 /dev/sda1 rw x\n", "line 1: no \" - \" separator"},
           {"x 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n", "line 1: mount ids"},
           {"21 1 81 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n", "line 1: want major:minor"},
           {"21 1 8:1 / rel rw,relatime shared:1 - ext4 /dev/sda1 rw\n", "line 1: mount point is not absolute"},
           {"21 1 8:1 / / rw,relatime shared:1 -  /dev/sda1 rw\n", "line 1: empty filesystem type"},
           {good + "22 1 8:2 / /bo", "line 2: want at least 10 fields"},  // cut off mid-line
       }) {
    auto mounts = ParseMountinfo(c.text);
    ASSERT_FALSE(mounts.ok()) << "accepted: " << c.text;
    EXPECT_NE(mounts.status().message().find(c.want_in_message), std::string::npos)
        << "message: " << mounts.status().message() << "\nwant: " << c.want_in_message;
  }
}

}  // namespace
}  // namespace buildfarm::exporter
