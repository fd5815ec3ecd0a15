#include "libs/privacy/keyring.h"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "libs/privacy/sodium_init.h"

namespace fbl::privacy {

// Material is always kKeyBytes (32) bytes, longer than any std::string
// small-buffer, so moving a Key hands over the heap buffer and leaves no copy
// behind in the moved-from object.
Key::Key(std::string id_in, std::string material_in)
    : id(std::move(id_in)), material(std::move(material_in)) {}

Key::Key(Key&& other) noexcept : id(std::move(other.id)), material(std::move(other.material)) {}

Key& Key::operator=(Key&& other) noexcept {
  if (this != &other) {
    sodium_memzero(material.data(), material.size());
    id = std::move(other.id);
    material = std::move(other.material);
  }
  return *this;
}

Key::~Key() { sodium_memzero(material.data(), material.size()); }

struct Keyring::Store {
  struct Slot {
    std::string purpose;
    Key key;
    bool active;
    int line;
  };
  std::vector<Slot> slots;

  const Slot* FindId(std::string_view id) const {
    for (const Slot& s : slots) {
      if (s.key.id == id) return &s;
    }
    return nullptr;
  }
  const Slot* FindActive(std::string_view purpose) const {
    for (const Slot& s : slots) {
      if (s.active && s.purpose == purpose) return &s;
    }
    return nullptr;
  }
};

namespace {

constexpr size_t kMaxIdChars = 32;  // shorter than a base64 key (44), so an id is never a key
constexpr size_t kMaxFileBytes = 64 * 1024;

// Debian's Abseil has its own absl::string_view; bridge to std::string_view.
std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

bool IsKnownPurpose(absl::string_view p) { return Std(p) == kPurposePseudonym || Std(p) == kPurposeContact; }

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdChars) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A misspelt purpose is worth echoing; a key pasted into the first column is
// not. Only short lowercase words are shown.
std::string DescribePurpose(absl::string_view p) {
  if (p.size() > 16) return "(not shown)";
  for (char c : p) {
    if (!((c >= 'a' && c <= 'z') || c == '_' || c == '-')) return "(not shown)";
  }
  return absl::StrCat("'", p, "'");
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Reads the file at `path` into `buf` (pre-sized to kMaxFileBytes + 1) without
// stdio buffering, so the only copy of the secret text is `buf`, which the
// caller wipes. Returns the number of bytes read.
absl::StatusOr<size_t> ReadSecretFile(const std::string& path, std::string& buf) {
  FilePtr f(std::fopen(path.c_str(), "rbe"));  // 'e': O_CLOEXEC
  if (f == nullptr) {
    const int err = errno;
    const std::string what = absl::StrCat("keyring file ", path, ": ", std::strerror(err));
    if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(what);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(what);
    return absl::FailedPreconditionError(what);
  }
  std::setvbuf(f.get(), nullptr, _IONBF, 0);
  size_t total = 0;
  while (total < buf.size()) {
    const size_t n = std::fread(buf.data() + total, 1, buf.size() - total, f.get());
    if (n == 0) break;
    total += n;
  }
  if (std::ferror(f.get())) {
    return absl::FailedPreconditionError(
        absl::StrCat("keyring file ", path, ": read failed: ", std::strerror(errno)));
  }
  if (total > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("keyring file ", path, " is larger than ", kMaxFileBytes, " bytes"));
  }
  return total;
}

}  // namespace

absl::StatusOr<Keyring> Keyring::Parse(std::string_view text, std::string_view origin) {
  auto store = std::make_shared<Store>();
  const std::string where(origin);
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    auto fail = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("keyring ", where, " line ", line_no, ": ", what));
    };
    absl::string_view line = raw;
    // Neither base64 nor key ids contain '#', so a comment can start anywhere.
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r\v\f"), absl::SkipEmpty());
    if (fields.empty()) continue;
    // Field values are only echoed once validated as harmless (purpose, id).
    if (fields.size() < 3 || fields.size() > 4) {
      return fail(absl::StrCat("expected '<purpose> <key-id> <base64 key> [active]', found ",
                               fields.size(), " fields"));
    }
    const absl::string_view purpose = fields[0];
    const absl::string_view id = fields[1];
    const absl::string_view b64 = fields[2];
    if (!IsKnownPurpose(purpose)) {
      return fail(absl::StrCat("unknown purpose ", DescribePurpose(purpose), " (expected '",
                               std::string(kPurposePseudonym), "' or '", std::string(kPurposeContact),
                               "')"));
    }
    if (!IsValidId(id)) {
      return fail(absl::StrCat("key id must be 1-", kMaxIdChars,
                               " characters of [A-Za-z0-9._-] (value not shown)"));
    }
    if (fields.size() == 4 && fields[3] != "active") {
      return fail(absl::StrCat("key '", id, "': the optional 4th field must be 'active'"));
    }
    if (const Store::Slot* dup = store->FindId(Std(id)); dup != nullptr) {
      return fail(absl::StrCat("duplicate key id '", id, "' (first on line ", dup->line, ")"));
    }

    // Decode straight into the string that becomes the key's material.
    std::string material(b64.size() / 4 * 3 + 3, '\0');
    size_t len = 0;
    const int rc = sodium_base642bin(reinterpret_cast<unsigned char*>(material.data()), material.size(),
                                     b64.data(), b64.size(), /*ignore=*/nullptr, &len,
                                     /*b64_end=*/nullptr, sodium_base64_VARIANT_ORIGINAL);
    if (rc != 0 || len != kKeyBytes) {
      sodium_memzero(material.data(), material.size());
      if (rc != 0) {
        return fail(absl::StrCat("key '", id, "': not valid base64 (standard alphabet, '=' padded)"));
      }
      return fail(absl::StrCat("key '", id, "': decodes to ", len, " bytes, expected ", kKeyBytes));
    }
    material.resize(kKeyBytes);  // shrinks in place; the bytes past 32 were never written
    for (const Store::Slot& s : store->slots) {
      if (sodium_memcmp(s.key.material.data(), material.data(), kKeyBytes) == 0) {
        sodium_memzero(material.data(), material.size());
        return fail(absl::StrCat("key '", id, "' has the same material as key '", s.key.id, "' (line ",
                                 s.line, "); every key must be distinct"));
      }
    }
    const bool active = fields.size() == 4;
    if (active) {
      if (const Store::Slot* other = store->FindActive(Std(purpose)); other != nullptr) {
        sodium_memzero(material.data(), material.size());
        return fail(absl::StrCat("key '", id, "': second active key for purpose '", purpose, "' (key '",
                                 other->key.id, "' on line ", other->line, " is already active)"));
      }
    }
    store->slots.push_back(
        Store::Slot{std::string(purpose), Key(std::string(id), std::move(material)), active, line_no});
  }

  if (store->slots.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("keyring ", where, ": contains no keys"));
  }
  for (std::string_view purpose : {kPurposePseudonym, kPurposeContact}) {
    bool has_keys = false;
    for (const Store::Slot& s : store->slots) has_keys |= s.purpose == purpose;
    if (has_keys && store->FindActive(purpose) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("keyring ", where, ": purpose '", std::string(purpose),
                                                     "' has keys but none is marked active"));
    }
  }
  return Keyring(std::move(store));
}

absl::StatusOr<Keyring> Keyring::Load(const std::string& path_or_empty, const char* env_var) {
  if (!path_or_empty.empty()) {
    std::string buf(kMaxFileBytes + 1, '\0');
    absl::StatusOr<size_t> n = ReadSecretFile(path_or_empty, buf);
    absl::StatusOr<Keyring> ring = n.ok() ? Parse(std::string_view(buf.data(), *n), path_or_empty)
                                          : absl::StatusOr<Keyring>(n.status());
    sodium_memzero(buf.data(), buf.size());
    return ring;
  }
  const char* value = env_var == nullptr ? nullptr : std::getenv(env_var);
  if (value == nullptr || *value == '\0') {
    return absl::NotFoundError(absl::StrCat(
        "no keyring: no keyring file configured and environment variable ",
        env_var == nullptr ? "(none)" : env_var, " is not set (create one with scripts/keyring.sh)"));
  }
  return Parse(value, absl::StrCat("$", env_var));
}

std::string Keyring::GenerateLine(std::string_view purpose, std::string_view id, bool active) {
  // Tooling only: without a randomness source there is no safe key to emit.
  if (!internal::InitSodium().ok()) std::abort();
  unsigned char material[kKeyBytes];
  char b64[sodium_base64_ENCODED_LEN(kKeyBytes, sodium_base64_VARIANT_ORIGINAL)];
  randombytes_buf(material, sizeof material);
  sodium_bin2base64(b64, sizeof b64, material, sizeof material, sodium_base64_VARIANT_ORIGINAL);
  std::string line =
      absl::StrCat(std::string(purpose), " ", std::string(id), " ", b64, active ? " active" : "");
  sodium_memzero(material, sizeof material);
  sodium_memzero(b64, sizeof b64);
  return line;
}

const Key* Keyring::Active(std::string_view purpose) const {
  if (store_ == nullptr) return nullptr;
  const Store::Slot* s = store_->FindActive(purpose);
  return s == nullptr ? nullptr : &s->key;
}

const Key* Keyring::Find(std::string_view purpose, std::string_view id) const {
  if (store_ == nullptr) return nullptr;
  const Store::Slot* s = store_->FindId(id);
  return s == nullptr || s->purpose != purpose ? nullptr : &s->key;
}

std::vector<std::string> Keyring::Ids(std::string_view purpose) const {
  std::vector<std::string> out;
  if (store_ == nullptr) return out;
  for (const Store::Slot& s : store_->slots) {
    if (s.purpose == purpose) out.push_back(s.key.id);
  }
  return out;
}

}  // namespace fbl::privacy
