#include "common/secret_file.h"

#include <sys/stat.h>

#include <cstdio>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm {

Result<std::string> ReadSecretFile(const std::string& path, std::string_view what) {
  const std::string where = std::string(what) + " " + path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return InvalidArgument(where + ": cannot read it (missing or not permitted)");
  if (!S_ISREG(st.st_mode)) return InvalidArgument(where + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return InvalidArgument(where + ": readable by group or others (mode " + mode + "); run chmod 600 " + path +
                           " (or give it to the service with systemd's LoadCredential=)");
  }
  auto text = ReadFileCapped(path, 64 << 10);
  if (!text.ok()) return InvalidArgument(where + ": " + text.status().message());
  std::string secret(text::Trim(*text));
  if (secret.empty()) return InvalidArgument(where + ": is empty");
  return secret;
}

}  // namespace buildfarm
