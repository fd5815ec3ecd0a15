#include "libs/privacy/aead.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"

namespace fbl::privacy {

absl::StatusOr<Sealer> Sealer::Create(const Keyring& keyring) {
  if (keyring.Active("contact") == nullptr) {
    return absl::FailedPreconditionError("keyring has no active contact key");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  Sealer s;
  s.keyring_ = keyring;
  return s;
}

absl::StatusOr<Sealed> Sealer::Seal(std::string_view plaintext, std::string_view associated_data) const {
  const Key* key = keyring_.Active("contact");
  Sealed out;
  out.key_id = key->id;
  out.algorithm = std::string(kAlgorithm);
  out.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.ciphertext.data()), &len,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(associated_data.data()), associated_data.size(), nullptr,
      reinterpret_cast<const unsigned char*>(out.nonce.data()),
      reinterpret_cast<const unsigned char*>(key->material.data()));
  out.ciphertext.resize(len);
  return out;
}

absl::StatusOr<std::string> Sealer::Open(const Sealed& sealed, std::string_view associated_data) const {
  if (sealed.algorithm != kAlgorithm) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported algorithm '", sealed.algorithm, "'"));
  }
  const Key* key = keyring_.Find("contact", sealed.key_id);
  if (key == nullptr) {
    return absl::NotFoundError(absl::StrCat("contact key '", sealed.key_id, "' is not in the keyring"));
  }
  if (sealed.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      sealed.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return absl::DataLossError("sealed blob is truncated");
  }
  std::string plain(sealed.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()), sealed.ciphertext.size(),
          reinterpret_cast<const unsigned char*>(associated_data.data()), associated_data.size(),
          reinterpret_cast<const unsigned char*>(sealed.nonce.data()),
          reinterpret_cast<const unsigned char*>(key->material.data())) != 0) {
    return absl::DataLossError("sealed blob failed authentication (tampered, or wrong associated data)");
  }
  plain.resize(len);
  return plain;
}

}  // namespace fbl::privacy
