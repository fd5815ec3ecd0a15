#pragma once
// Named 32-byte secret keys, one active per purpose, from a file or the
// environment — never from the repository.
//
// Format, one key per line (# comments):
//   <purpose> <key-id> <base64 of 32 bytes> [active]
// Purposes: "pseudonym" (customer-id HMAC) and "contact" (AEAD for contact
// data and dead-letter originals). Exactly one active key per purpose.

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace fbl::privacy {

inline constexpr size_t kKeyBytes = 32;

struct Key {
  std::string id;
  std::string material;  // kKeyBytes bytes
};

class Keyring {
 public:
  Keyring() = default;
  Keyring(Keyring&&) = default;
  Keyring& operator=(Keyring&&) = default;
  Keyring(const Keyring&) = default;
  Keyring& operator=(const Keyring&) = default;
  ~Keyring();  // wipes key material

  // Errors name `origin` and the line, never the key material.
  [[nodiscard]] static absl::StatusOr<Keyring> Parse(std::string_view text, std::string_view origin);
  // From the file at `path`, or, when `path` is empty, from the environment
  // variable `env_var` holding the same text.
  [[nodiscard]] static absl::StatusOr<Keyring> Load(const std::string& path,
                                                    const char* env_var = "FBL_KEYRING");
  // A new random key line, for tooling and tests.
  static std::string GenerateLine(std::string_view purpose, std::string_view id, bool active);

  // The active key of `purpose`, or null.
  const Key* Active(std::string_view purpose) const;
  // The key `id` of `purpose`, or null.
  const Key* Find(std::string_view purpose, std::string_view id) const;

 private:
  std::map<std::pair<std::string, std::string>, Key> keys_;  // (purpose, id)
  std::map<std::string, std::string> active_;                // purpose -> id
};

}  // namespace fbl::privacy
