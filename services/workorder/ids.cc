#include "services/workorder/ids.h"

#include "absl/strings/str_cat.h"

namespace fbl::workorder {

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is longer than ", kMaxIdBytes, " bytes (", id.size(), ")"));
  }
  return absl::OkStatus();
}

std::string EchoId(absl::string_view id) {
  if (id.size() <= kEchoIdBytes) return std::string(id);
  size_t cut = kEchoIdBytes;
  // Back off to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(id.substr(0, cut), "…");
}

}  // namespace fbl::workorder
