#include "libs/privacy/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace fbl::privacy {
namespace {

constexpr size_t kDigestBytes = 32;
constexpr size_t kPseudonymBytes = 16;  // 128 bits -> 32 hex digits

using Digest = std::array<unsigned char, kDigestBytes>;

bool HmacSha256(std::string_view key, std::string_view message, Digest& out) {
  unsigned int len = 0;
  const unsigned char* r =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return r != nullptr && len == kDigestBytes;
}

// RFC 4231 test case 2: proves at startup that this OpenSSL build (and its
// provider configuration) really computes HMAC-SHA256.
bool SelfTest() {
  static constexpr unsigned char kExpected[kDigestBytes] = {
      0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
      0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  Digest d{};
  if (!HmacSha256("Jefe", "what do ya want for nothing?", d)) return false;
  return std::equal(d.begin(), d.end(), std::begin(kExpected));
}

}  // namespace

absl::StatusOr<Pseudonymizer> Pseudonymizer::Create(const Keyring& keyring) {
  const Key* key = keyring.Active(kPurposePseudonym);
  if (key == nullptr) return absl::FailedPreconditionError("keyring has no active pseudonym key");
  if (!SelfTest()) return absl::InternalError("OpenSSL HMAC-SHA256 failed its self-test");
  return Pseudonymizer(keyring, key);
}

std::string Pseudonymizer::Pseudonymize(std::string_view source, std::string_view customer_id) const {
  if (customer_id.empty()) return "";
  std::string message;
  message.reserve(source.size() + 1 + customer_id.size());
  message.append(source).push_back('\x1f');
  message.append(customer_id);
  Digest digest{};
  // Create() proved HMAC works; a failure now means the process is broken
  // (e.g. out of memory inside OpenSSL). An unkeyed or empty result would
  // silently merge customers, so stop instead.
  if (!HmacSha256(key_->material, message, digest)) std::abort();
  return "c_" + absl::BytesToHexString(
                    absl::string_view(reinterpret_cast<const char*>(digest.data()), kPseudonymBytes));
}

}  // namespace fbl::privacy
