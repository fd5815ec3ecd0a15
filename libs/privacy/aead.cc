#include "libs/privacy/aead.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/privacy/sodium_init.h"

namespace fbl::privacy {
namespace {

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeyBytes);

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Blob fields are untrusted input: echo at most a short, escaped prefix.
std::string Shown(std::string_view s) {
  const absl::string_view head(s.data(), std::min<size_t>(s.size(), 40));
  return absl::StrCat("'", absl::CHexEscape(head), s.size() > 40 ? "...'" : "'");
}

}  // namespace

absl::StatusOr<Sealer> Sealer::Create(const Keyring& keyring) {
  if (keyring.Active(kPurposeContact) == nullptr) {
    return absl::FailedPreconditionError("keyring has no active contact key");
  }
  if (absl::Status s = internal::InitSodium(); !s.ok()) return s;
  return Sealer(keyring);
}

absl::StatusOr<Sealed> Sealer::Seal(std::string_view plaintext, std::string_view associated_data) const {
  const Key* key = keyring_.Active(kPurposeContact);
  if (key == nullptr) return absl::FailedPreconditionError("sealer has no active contact key");
  if (plaintext.size() > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX) {
    return absl::InvalidArgumentError("plaintext too large to seal");
  }
  Sealed out;
  out.key_id = key->id;
  out.algorithm = std::string(kAlgorithm);
  out.nonce.resize(kNonceBytes);
  randombytes_buf(out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(plaintext.size() + kTagBytes);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          reinterpret_cast<unsigned char*>(out.ciphertext.data()), &len, U(plaintext), plaintext.size(),
          U(associated_data), associated_data.size(), /*nsec=*/nullptr, U(out.nonce), U(key->material)) != 0) {
    return absl::InternalError("XChaCha20-Poly1305 encryption failed");
  }
  out.ciphertext.resize(len);
  return out;
}

absl::StatusOr<std::string> Sealer::Open(const Sealed& sealed, std::string_view associated_data) const {
  if (sealed.algorithm != kAlgorithm) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported sealing algorithm ", Shown(sealed.algorithm),
                                                   " (expected ", std::string(kAlgorithm), ")"));
  }
  const Key* key = keyring_.Find(kPurposeContact, sealed.key_id);
  if (key == nullptr) {
    return absl::NotFoundError(absl::StrCat("contact key ", Shown(sealed.key_id),
                                            " is not in the keyring (rotated out?)"));
  }
  if (sealed.nonce.size() != kNonceBytes) {
    return absl::DataLossError(
        absl::StrCat("sealed blob has a ", sealed.nonce.size(), "-byte nonce, expected ", kNonceBytes));
  }
  if (sealed.ciphertext.size() < kTagBytes) {
    return absl::DataLossError("sealed blob is shorter than its authentication tag");
  }
  std::string plain(sealed.ciphertext.size() - kTagBytes, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, /*nsec=*/nullptr, U(sealed.ciphertext),
          sealed.ciphertext.size(), U(associated_data), associated_data.size(), U(sealed.nonce),
          U(key->material)) != 0) {
    return absl::DataLossError(
        "sealed blob failed authentication: it was altered or the associated data differs");
  }
  plain.resize(len);
  return plain;
}

}  // namespace fbl::privacy
