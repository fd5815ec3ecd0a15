#pragma once
// Keyed pseudonyms for customer ids (SEC-1).

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "libs/privacy/keyring.h"

namespace fbl::privacy {

// Replaces a customer id by "c_" + the first 32 lowercase hex digits (128
// bits) of HMAC-SHA256(active pseudonym key, source + '\x1f' + customer_id),
// 34 characters in all. The same (source, customer id, key) always gives the
// same pseudonym, so records of one customer stay linkable; without the key a
// pseudonym can be neither reversed nor recomputed from a guessed id. The
// source is part of the input: one person on two channels gets two pseudonyms.
//
// Cheap to copy (shares the keyring's key store); thread-safe.
class Pseudonymizer {
 public:
  // FAILED_PRECONDITION when the keyring has no active "pseudonym" key;
  // INTERNAL when OpenSSL's HMAC-SHA256 fails its known-answer self-test.
  [[nodiscard]] static absl::StatusOr<Pseudonymizer> Create(const Keyring& keyring);

  // Copies only; a "moved-from" pseudonymizer stays usable.
  Pseudonymizer(const Pseudonymizer&) = default;
  Pseudonymizer& operator=(const Pseudonymizer&) = default;

  // An empty customer id means anonymous feedback and gives "" (nothing to
  // link). Otherwise a 34-character "c_<32 hex>" pseudonym.
  std::string Pseudonymize(std::string_view source, std::string_view customer_id) const;

  // Id of the key in use, for logs and for planning a re-keying.
  const std::string& key_id() const { return key_->id; }

 private:
  Pseudonymizer(Keyring keyring, const Key* key) : keyring_(std::move(keyring)), key_(key) {}

  Keyring keyring_;  // keeps the key store (and so *key_) alive
  const Key* key_;
};

}  // namespace fbl::privacy
