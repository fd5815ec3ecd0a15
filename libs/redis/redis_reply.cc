#include "libs/redis/redis_reply.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fbl::redis {
namespace {

constexpr size_t kMaxDebugBytes = 256;

void AppendDebug(const Reply& r, std::string* out) {
  switch (r.kind()) {
    case ReplyKind::kNil:
      out->append("nil");
      return;
    case ReplyKind::kInteger:
      absl::StrAppend(out, r.integer());
      return;
    case ReplyKind::kString:
      if (r.str().size() <= kMaxDebugBytes) {
        absl::StrAppend(out, "\"", absl::CHexEscape(r.str()), "\"");
      } else {
        absl::string_view head = absl::string_view(r.str()).substr(0, kMaxDebugBytes);
        absl::StrAppend(out, "\"", absl::CHexEscape(head), "\"...(", r.str().size(), " bytes)");
      }
      return;
    case ReplyKind::kStatus:
      absl::StrAppend(out, "+", absl::CHexEscape(r.str()));
      return;
    case ReplyKind::kError:
      absl::StrAppend(out, "-", absl::CHexEscape(r.str()));
      return;
    case ReplyKind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Reply& e : r.elements()) {
        if (!first) out->append(", ");
        first = false;
        AppendDebug(e, out);
      }
      out->push_back(']');
      return;
    }
  }
}

}  // namespace

std::string_view ReplyKindName(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kNil: return "nil";
    case ReplyKind::kInteger: return "integer";
    case ReplyKind::kString: return "string";
    case ReplyKind::kStatus: return "status";
    case ReplyKind::kError: return "error";
    case ReplyKind::kArray: return "array";
  }
  return "unknown";
}

Reply Reply::Integer(int64_t value) {
  Reply r;
  r.kind_ = ReplyKind::kInteger;
  r.integer_ = value;
  return r;
}

Reply Reply::String(std::string value) {
  Reply r;
  r.kind_ = ReplyKind::kString;
  r.str_ = std::move(value);
  return r;
}

Reply Reply::Status(std::string value) {
  Reply r;
  r.kind_ = ReplyKind::kStatus;
  r.str_ = std::move(value);
  return r;
}

Reply Reply::Error(std::string message) {
  Reply r;
  r.kind_ = ReplyKind::kError;
  r.str_ = std::move(message);
  return r;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply r;
  r.kind_ = ReplyKind::kArray;
  r.elements_ = std::move(elements);
  return r;
}

std::string_view Reply::error_code() const {
  if (kind_ != ReplyKind::kError) return {};
  std::string_view s = str_;
  return s.substr(0, s.find(' '));
}

std::string Reply::DebugString() const {
  std::string out;
  AppendDebug(*this, &out);
  return out;
}

}  // namespace fbl::redis
