#pragma once
// Authenticated encryption of contact data and dead-letter originals (SEC-1).

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "libs/privacy/keyring.h"

namespace fbl::privacy {

inline constexpr std::string_view kAlgorithm = "XCHACHA20POLY1305";

// A sealed blob with everything needed to open it except the key and the
// associated data. Store all four fields together.
struct Sealed {
  std::string key_id;      // id of the "contact" key it was sealed under
  std::string algorithm;   // kAlgorithm
  std::string nonce;       // 24 random bytes
  std::string ciphertext;  // ciphertext + 16-byte Poly1305 tag
};

// XChaCha20-Poly1305 (libsodium, IETF variant). Seals under the active
// "contact" key; opens with whichever key the blob names, so data sealed
// before a rotation opens as long as its key stays in the keyring. The
// associated data (e.g. the feedback id) is authenticated but not stored:
// a blob only opens with the same associated data it was sealed with, so it
// cannot be moved to another record.
//
// Cheap to copy (shares the keyring's key store); thread-safe.
class Sealer {
 public:
  // FAILED_PRECONDITION without an active "contact" key; INTERNAL when
  // libsodium cannot initialise. Initialises libsodium once per process.
  [[nodiscard]] static absl::StatusOr<Sealer> Create(const Keyring& keyring);

  // Copies only; a "moved-from" sealer stays usable.
  Sealer(const Sealer&) = default;
  Sealer& operator=(const Sealer&) = default;

  // Fresh random nonce per call. INVALID_ARGUMENT only for a plaintext beyond
  // libsodium's limit.
  [[nodiscard]] absl::StatusOr<Sealed> Seal(std::string_view plaintext,
                                            std::string_view associated_data) const;

  // INVALID_ARGUMENT: unknown algorithm. NOT_FOUND: the blob's key id is not
  // a contact key in this keyring (rotated out; not retryable without the
  // key). DATA_LOSS: malformed blob, or authentication failed — ciphertext,
  // nonce or key id altered, or different associated data.
  [[nodiscard]] absl::StatusOr<std::string> Open(const Sealed& sealed,
                                                 std::string_view associated_data) const;

 private:
  explicit Sealer(Keyring keyring) : keyring_(std::move(keyring)) {}

  Keyring keyring_;
};

}  // namespace fbl::privacy
