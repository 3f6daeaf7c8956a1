// hanging_statfs_fs: a FUSE filesystem whose statfs blocks, a stand-in for a dead NFS server.
//
// Usage: HANG_RELEASE_FILE=/path hanging_statfs_fs -f MOUNTPOINT
// statfs waits until the release file exists, then answers 100 blocks of 4096 bytes (10 free,
// 5 available, 50 inodes, 7 free). getattr on the root answers at once. fuse_main runs each request
// on its own thread, so a blocked statfs does not stop the rest.
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int hang_getattr(const char* path, struct stat* st, struct fuse_file_info* fi) {
  (void)fi;
  memset(st, 0, sizeof *st);
  if (strcmp(path, "/") != 0) return -ENOENT;
  st->st_mode = S_IFDIR | 0755;
  st->st_nlink = 2;
  return 0;
}

static int hang_statfs(const char* path, struct statvfs* out) {
  (void)path;
  const char* release = getenv("HANG_RELEASE_FILE");
  while (release != NULL && access(release, F_OK) != 0) usleep(5000);
  memset(out, 0, sizeof *out);
  out->f_bsize = 4096;
  out->f_frsize = 4096;
  out->f_blocks = 100;
  out->f_bfree = 10;
  out->f_bavail = 5;
  out->f_files = 50;
  out->f_ffree = 7;
  return 0;
}

int main(int argc, char** argv) {
  struct fuse_operations ops;
  memset(&ops, 0, sizeof ops);
  ops.getattr = hang_getattr;
  ops.statfs = hang_statfs;
  return fuse_main(argc, argv, &ops, NULL);
}
