#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/privacy/keyring.h"

namespace fbl::privacy {

inline constexpr std::string_view kAlgorithm = "XCHACHA20POLY1305";

struct Sealed {
  std::string key_id;
  std::string algorithm;
  std::string nonce;       // 24 bytes
  std::string ciphertext;  // plaintext + 16-byte tag
};

// Authenticated encryption of contact data and dead-letter originals (SEC-1)
// with XChaCha20-Poly1305 (libsodium). Seals with the active "contact" key;
// opens with whichever key the blob names, so rotation needs no downtime.
class Sealer {
 public:
  [[nodiscard]] static absl::StatusOr<Sealer> Create(const Keyring& keyring);

  [[nodiscard]] absl::StatusOr<Sealed> Seal(std::string_view plaintext,
                                            std::string_view associated_data) const;
  // NOT_FOUND for an unknown key id, DATA_LOSS when authentication fails.
  [[nodiscard]] absl::StatusOr<std::string> Open(const Sealed& sealed,
                                                 std::string_view associated_data) const;

 private:
  Keyring keyring_;
};

}  // namespace fbl::privacy
