#include "services/notifier/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fbl::notifier {

namespace {

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // An empty key is valid HMAC input; HMAC() wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), mac, &len) == nullptr) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(mac), len);
}

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.append({'%', kHex[c >> 4], kHex[c & 15]});
    }
  }
  return out;
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return absl::BytesToHexString(HmacSha256(key, data));
}

std::string SignatureHeaderValue(std::string_view secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

bool VerifySignature(std::string_view secret, std::string_view body, std::string_view header_value) {
  const std::string expected = SignatureHeaderValue(secret, body);
  if (header_value.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

std::string DingTalkSignedUrl(std::string_view url, std::string_view secret, int64_t timestamp_ms) {
  const std::string ts = std::to_string(timestamp_ms);
  const std::string sign = absl::Base64Escape(HmacSha256(secret, absl::StrCat(ts, "\n", std::string(secret))));
  return absl::StrCat(std::string(url), url.find('?') != std::string_view::npos ? "&" : "?", "timestamp=", ts,
                      "&sign=", UrlEncode(sign));
}

}  // namespace fbl::notifier
