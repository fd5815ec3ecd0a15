#include "libs/text/normalize.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "libs/text/utf8.h"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf16.h"

namespace fbl::text {
namespace {

bool IsSpaceLike(UChar32 c) {
  return u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR;
}

constexpr uint32_t kCompactDropMask =
    U_GC_Z_MASK | U_GC_P_MASK | U_GC_S_MASK | U_GC_CC_MASK | U_GC_CF_MASK;

}  // namespace

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc_cf;  // Owned by ICU; never null.
};

absl::StatusOr<Normalizer> Normalizer::Create() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || nfkc_cf == nullptr) {
    return absl::InternalError(std::string("ICU NFKC_Casefold unavailable: ") +
                               u_errorName(status));
  }
  return Normalizer(std::make_shared<const Impl>(Impl{nfkc_cf}));
}

std::string Normalizer::Normalize(std::string_view utf8) const {
  const std::string_view in = StripBom(utf8);
  const icu::UnicodeString src =
      icu::UnicodeString::fromUTF8(icu::StringPiece(in.data(), static_cast<int32_t>(in.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = impl_->nfkc_cf->normalize(src, status);
  // normalize() only fails on allocation failure; keep the text usable and
  // still collapse whitespace rather than returning nothing.
  const icu::UnicodeString& text = U_FAILURE(status) ? src : folded;

  std::string out;
  out.reserve(in.size());
  bool pending_space = false;
  const int32_t len = text.length();
  for (int32_t i = 0; i < len;) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (IsSpaceLike(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    AppendUtf8(static_cast<char32_t>(c), &out);
  }
  return out;
}

std::string Compact(std::string_view normalized) {
  std::string out;
  out.reserve(normalized.size());
  size_t pos = 0;
  while (pos < normalized.size()) {
    const size_t start = pos;
    const char32_t c = NextCodePoint(normalized, &pos);
    if ((U_GET_GC_MASK(static_cast<UChar32>(c)) & kCompactDropMask) != 0) continue;
    // Copy the original bytes (identical to re-encoding for valid input).
    out.append(normalized.substr(start, pos - start));
  }
  return out;
}

}  // namespace fbl::text
