#include "libs/privacy/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"

namespace fbl::privacy {

absl::StatusOr<Pseudonymizer> Pseudonymizer::Create(const Keyring& keyring) {
  if (keyring.Active("pseudonym") == nullptr) {
    return absl::FailedPreconditionError("keyring has no active pseudonym key");
  }
  Pseudonymizer p;
  p.keyring_ = keyring;
  p.key_ = p.keyring_.Active("pseudonym");
  return p;
}

std::string Pseudonymizer::Pseudonymize(std::string_view source, std::string_view customer_id) const {
  if (customer_id.empty()) return "";
  std::string message;
  message.reserve(source.size() + 1 + customer_id.size());
  message.append(source).push_back('\x1f');
  message.append(customer_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_->material.data(), static_cast<int>(key_->material.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len);
  return "c_" + absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16));
}

}  // namespace fbl::privacy
