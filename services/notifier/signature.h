#pragma once
// Webhook signatures: receivers check that a page came from us and was not
// altered. Header `X-FBL-Signature: sha256=<lowercase hex HMAC-SHA256 of the
// exact body bytes, keyed with the shared secret>`.

#include <cstdint>
#include <string>
#include <string_view>

namespace fbl::notifier {

inline constexpr char kSignatureHeader[] = "X-FBL-Signature";

// Lowercase hex HMAC-SHA256 of `data` keyed with `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// "sha256=<hex>" for `body`.
std::string SignatureHeaderValue(std::string_view secret, std::string_view body);

// Whether `header_value` is the signature of `body` (constant-time compare).
bool VerifySignature(std::string_view secret, std::string_view body, std::string_view header_value);

// DingTalk robot signing ("加签"): `url` with `timestamp=<ms>&sign=<urlencoded
// base64 HMAC-SHA256 of "<ms>\n<secret>" keyed with the secret>` appended.
std::string DingTalkSignedUrl(std::string_view url, std::string_view secret, int64_t timestamp_ms);

}  // namespace fbl::notifier
