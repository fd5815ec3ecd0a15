#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/privacy/keyring.h"

namespace fbl::privacy {

// Replaces customer ids by keyed pseudonyms (SEC-1): "c_" + the first 32 hex
// digits of HMAC-SHA256(pseudonym key, source 0x1F customer_id). Same input and
// key, same pseudonym; without the key it cannot be reversed or recomputed.
class Pseudonymizer {
 public:
  Pseudonymizer() = default;
  [[nodiscard]] static absl::StatusOr<Pseudonymizer> Create(const Keyring& keyring);
  Pseudonymizer(const Pseudonymizer& other) { *this = other; }
  Pseudonymizer& operator=(const Pseudonymizer& other) {
    keyring_ = other.keyring_;
    key_ = keyring_.Active("pseudonym");
    return *this;
  }

  // Empty customer id (anonymous feedback) gives "".
  std::string Pseudonymize(std::string_view source, std::string_view customer_id) const;

 private:
  Keyring keyring_;  // owns (and wipes) the key material
  const Key* key_ = nullptr;
};

}  // namespace fbl::privacy
