#pragma once
// Named 32-byte secret keys, one active key per purpose, loaded from a file or
// an environment variable — never from the repository.
//
// Text format, one key per line; '#' starts a comment (whole line or trailing):
//   <purpose> <key-id> <base64 of 32 bytes> [active]
// Purposes: "pseudonym" (customer-id HMAC, see pseudonym.h) and "contact"
// (AEAD for contact data and dead-letter originals, see aead.h). Every purpose
// that has keys has exactly one marked `active`. Key ids are 1-32 characters
// of [A-Za-z0-9._-] and unique across the whole keyring; no two keys may share
// material. See libs/privacy/README.md for rotation.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::privacy {

inline constexpr size_t kKeyBytes = 32;
inline constexpr std::string_view kPurposePseudonym = "pseudonym";
inline constexpr std::string_view kPurposeContact = "contact";

// One secret key. Move-only; the material is wiped (sodium_memzero) when the
// key is destroyed or assigned over.
struct Key {
  Key(std::string id, std::string material);
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  Key(Key&& other) noexcept;
  Key& operator=(Key&& other) noexcept;
  ~Key();

  std::string id;
  std::string material;  // exactly kKeyBytes raw bytes
};

// Immutable after Parse/Load, so safe to share between threads. Copies are
// cheap and share one key store; the material is wiped when the last copy
// (including those held by Pseudonymizer and Sealer) is destroyed. A
// default-constructed Keyring is empty: Active and Find return null.
class Keyring {
 public:
  Keyring() = default;

  // INVALID_ARGUMENT for any malformed line, naming `origin` and the line
  // number. Messages never contain key material (nor any field that could be
  // material, e.g. a key pasted into the id column).
  [[nodiscard]] static absl::StatusOr<Keyring> Parse(std::string_view text, std::string_view origin);

  // From the file at `path_or_empty`; when it is empty, from the environment
  // variable `env_var` holding the same text. NOT_FOUND when the file does not
  // exist or when neither a path nor the variable is given; PERMISSION_DENIED
  // when the file may not be read; otherwise Parse's errors.
  [[nodiscard]] static absl::StatusOr<Keyring> Load(const std::string& path_or_empty,
                                                    const char* env_var = "FBL_KEYRING");

  // A keyring line with a fresh random key (libsodium randombytes_buf), no
  // trailing newline. For tooling and tests; aborts only if the process has
  // no randomness source at all.
  static std::string GenerateLine(std::string_view purpose, std::string_view id, bool active);

  // The active key of `purpose`, or null. Valid while this keyring or any
  // copy of it lives.
  const Key* Active(std::string_view purpose) const;
  // The key `id` of `purpose`, or null.
  const Key* Find(std::string_view purpose, std::string_view id) const;
  // Ids of every key of `purpose`, in file order (for logs: never material).
  std::vector<std::string> Ids(std::string_view purpose) const;

 private:
  struct Store;
  explicit Keyring(std::shared_ptr<const Store> store) : store_(std::move(store)) {}

  std::shared_ptr<const Store> store_;
};

}  // namespace fbl::privacy
