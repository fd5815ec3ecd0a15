#include "libs/runtime/file_reloader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace fbl::config {

absl::StatusOr<FileStamp> StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("config ", path, ": cannot stat: ", std::strerror(errno)));
  }
  FileStamp s;
  s.size = static_cast<int64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

}  // namespace fbl::config
