#include "libs/privacy/keyring.h"

#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fbl::privacy {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // cannot run without a working CSPRNG
  });
}

}  // namespace

Keyring::~Keyring() {
  for (auto& [k, key] : keys_) sodium_memzero(key.material.data(), key.material.size());
}

absl::StatusOr<Keyring> Keyring::Parse(std::string_view text, std::string_view origin) {
  EnsureSodium();
  Keyring ring;
  int line_no = 0;
  const std::string where(origin);
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    auto fail = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("keyring ", where, " line ", line_no, ": ", what));
    };
    if (parts.size() < 3 || parts.size() > 4 || (parts.size() == 4 && parts[3] != "active")) {
      return fail("expected '<purpose> <key-id> <base64 key> [active]'");
    }
    std::string purpose(parts[0]), id(parts[1]);
    if (purpose != "pseudonym" && purpose != "contact") {
      return fail(absl::StrCat("unknown purpose '", purpose, "' (pseudonym or contact)"));
    }
    std::string material;
    if (!absl::Base64Unescape(parts[2], &material) || material.size() != kKeyBytes) {
      sodium_memzero(material.data(), material.size());
      return fail(absl::StrCat("key '", id, "' is not base64 of ", kKeyBytes, " bytes"));
    }
    if (ring.keys_.count({purpose, id}) != 0) return fail(absl::StrCat("duplicate key id '", id, "'"));
    ring.keys_[{purpose, id}] = Key{id, std::move(material)};
    if (parts.size() == 4) {
      if (ring.active_.count(purpose) != 0) return fail(absl::StrCat("second active key for ", purpose));
      ring.active_[purpose] = id;
    }
  }
  for (const char* purpose : {"pseudonym", "contact"}) {
    if (ring.active_.count(purpose) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("keyring ", where, ": no active key for purpose '", purpose, "'"));
    }
  }
  return ring;
}

absl::StatusOr<Keyring> Keyring::Load(const std::string& path, const char* env_var) {
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(absl::StrCat("keyring: cannot read ", path));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto ring = Parse(text, path);
    sodium_memzero(text.data(), text.size());
    return ring;
  }
  const char* value = std::getenv(env_var);
  if (value == nullptr || *value == '\0') {
    return absl::NotFoundError(absl::StrCat("keyring: no keyring_file configured and ", env_var,
                                            " is not set (generate one with scripts/keyring.sh)"));
  }
  return Parse(value, absl::StrCat("$", env_var));
}

std::string Keyring::GenerateLine(std::string_view purpose, std::string_view id, bool active) {
  EnsureSodium();
  std::string material(kKeyBytes, '\0');
  randombytes_buf(material.data(), material.size());
  std::string line = absl::StrCat(std::string(purpose), " ", std::string(id), " ",
                                  absl::Base64Escape(material), active ? " active" : "");
  sodium_memzero(material.data(), material.size());
  return line;
}

const Key* Keyring::Active(std::string_view purpose) const {
  auto it = active_.find(std::string(purpose));
  return it == active_.end() ? nullptr : Find(purpose, it->second);
}

const Key* Keyring::Find(std::string_view purpose, std::string_view id) const {
  auto it = keys_.find({std::string(purpose), std::string(id)});
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace fbl::privacy
