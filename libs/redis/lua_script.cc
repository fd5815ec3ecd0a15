#include "libs/redis/lua_script.h"

#include <openssl/evp.h>

#include <array>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/redis/redis_errors.h"

namespace fbl::redis {

std::string Sha1Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  // EVP_Digest with SHA-1 only fails on allocation failure.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha1(), nullptr) != 1) {
    return std::string();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

LuaScript::LuaScript(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

absl::Status ScriptErrorToStatus(std::string_view sha1, std::string_view message) {
  std::string_view code = message.substr(0, message.find(' '));
  std::string_view short_sha = sha1.substr(0, 12);
  std::string text =
      absl::StrCat("redis script ", absl::string_view(short_sha.data(), short_sha.size()), ": ",
                   absl::string_view(message.data(), message.size()));
  if (code == kScriptPreconditionCode) return absl::FailedPreconditionError(text);
  if (internal::IsTransientErrorCode(code)) return absl::UnavailableError(text);
  if (code == "OOM") return absl::ResourceExhaustedError(text);
  return absl::InternalError(text);
}

}  // namespace fbl::redis
