#include "services/notifier/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"

namespace fbl::notifier {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // An empty key is valid HMAC input; HMAC() wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), mac, &len) == nullptr) {
    return "";
  }
  return absl::BytesToHexString(std::string(reinterpret_cast<const char*>(mac), len));
}

std::string SignatureHeaderValue(std::string_view secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

bool VerifySignature(std::string_view secret, std::string_view body, std::string_view header_value) {
  const std::string expected = SignatureHeaderValue(secret, body);
  if (header_value.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

}  // namespace fbl::notifier
