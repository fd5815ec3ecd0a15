#include "services/intake/submission_decoder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/text/utf8.h"

namespace fbl::intake {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

Rejection Reject(pb::RejectReason reason, std::string detail, std::string field = "") {
  Rejection r;
  r.reason = reason;
  r.detail = std::move(detail);
  if (!field.empty()) r.violations.emplace_back(std::move(field), r.detail);
  return r;
}

std::string Path(const std::string& prefix, const FieldDescriptor* f, int index = -1) {
  std::string p = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
  if (index >= 0) absl::StrAppend(&p, "[", index, "]");
  return p;
}

// Walks every set field: unknown enum numbers and invalid UTF-8 strings.
void CheckFields(const Message& m, const std::string& prefix, Rejection& out) {
  const Reflection* refl = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const int n = f->is_repeated() ? refl->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      const std::string path = Path(prefix, f, f->is_repeated() ? i : -1);
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_ENUM: {
          int v = f->is_repeated() ? refl->GetRepeatedEnumValue(m, f, i) : refl->GetEnumValue(m, f);
          if (f->enum_type()->FindValueByNumber(v) == nullptr) {
            out.violations.emplace_back(path, absl::StrCat("unknown value ", v, " of ",
                                                           f->enum_type()->full_name()));
            if (out.reason == pb::REJECT_REASON_UNSPECIFIED) out.reason = pb::REJECT_REASON_UNKNOWN_ENUM_VALUE;
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          if (f->type() == FieldDescriptor::TYPE_BYTES) break;
          if (f->is_map()) break;
          std::string scratch;
          const std::string& s = f->is_repeated() ? refl->GetRepeatedStringReference(m, f, i, &scratch)
                                                  : refl->GetStringReference(m, f, &scratch);
          if (absl::Status st = text::ValidateUtf8(s); !st.ok()) {
            out.violations.emplace_back(path, std::string(st.message()));
            if (out.reason == pb::REJECT_REASON_UNSPECIFIED) out.reason = pb::REJECT_REASON_INVALID_UTF8;
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE: {
          const Message& child = f->is_repeated() ? refl->GetRepeatedMessage(m, f, i) : refl->GetMessage(m, f);
          CheckFields(child, path, out);
          break;
        }
        default:
          break;
      }
    }
  }
}

// Unicode White_Space (what ICU's u_isUWhiteSpace answers) plus the
// invisible zero-width characters: text made only of these says nothing.
bool IsBlankCodePoint(char32_t c) {
  switch (c) {
    case 0x0085: case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:                                      // ideographic (full-width) space
    case 0x180E: case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF:  // zero-width
      return true;
    default:
      return (c >= 0x09 && c <= 0x0D) || c == 0x20 || (c >= 0x2000 && c <= 0x200A);
  }
}

bool IsBlank(std::string_view s) {
  s = text::StripBom(s);
  for (size_t pos = 0; pos < s.size();) {
    if (!IsBlankCodePoint(text::NextCodePoint(s, &pos))) return false;
  }
  return true;
}

}  // namespace

std::optional<Rejection> ValidateSubmission(const pb::FeedbackSubmission& s, const LimitsConfig& limits,
                                            bool require_external_id) {
  Rejection r;
  CheckFields(s, "", r);
  if (r.reason != pb::REJECT_REASON_UNSPECIFIED) {
    r.detail = absl::StrCat(r.violations.size(), " invalid field(s), first: ", r.violations[0].first,
                            ": ", r.violations[0].second);
    return r;
  }
  auto missing = [&](const char* field) {
    r.violations.emplace_back(field, "is required");
    r.reason = pb::REJECT_REASON_MISSING_REQUIRED_FIELD;
  };
  if (require_external_id && s.external_id().empty()) missing("external_id");
  if (s.source().empty()) missing("source");
  if (s.channel() == ::feedbackloop::common::v1::CHANNEL_UNSPECIFIED) missing("channel");
  if (IsBlank(s.text())) missing("text");
  if (r.reason != pb::REJECT_REASON_UNSPECIFIED) {
    r.detail = absl::StrCat("missing required field(s): ", r.violations[0].first,
                            r.violations.size() > 1 ? " and others" : "");
    return r;
  }
  const size_t text_bytes = s.text().size() + s.title().size();
  if (text_bytes > static_cast<size_t>(limits.max_text_bytes)) {
    return Reject(pb::REJECT_REASON_OVERSIZE,
                  absl::StrCat("title + text is ", text_bytes, " bytes; the limit is ", limits.max_text_bytes),
                  "text");
  }
  if (s.attachments_size() > limits.max_attachments) {
    return Reject(pb::REJECT_REASON_TOO_MANY_ITEMS,
                  absl::StrCat(s.attachments_size(), " attachments; the limit is ", limits.max_attachments),
                  "attachments");
  }
  if (s.labels_size() > limits.max_labels) {
    return Reject(pb::REJECT_REASON_TOO_MANY_ITEMS,
                  absl::StrCat(s.labels_size(), " labels; the limit is ", limits.max_labels), "labels");
  }
  if (s.external_id().size() > 256 || s.source().size() > 128) {
    return Reject(pb::REJECT_REASON_INVALID_FIELD_VALUE, "external_id (256) or source (128) too long",
                  s.external_id().size() > 256 ? "external_id" : "source");
  }
  return std::nullopt;
}

Decoded DecodeSubmission(std::string_view payload, std::optional<std::string_view> content_type,
                         std::string_view kafka_key, const LimitsConfig& limits) {
  Decoded out;
  if (payload.size() > static_cast<size_t>(limits.max_message_bytes)) {
    out.rejection = Reject(pb::REJECT_REASON_OVERSIZE,
                           absl::StrCat("record is ", payload.size(), " bytes; the limit is ",
                                        limits.max_message_bytes));
    return out;
  }
  std::string type;
  if (content_type) {
    type = absl::AsciiStrToLower(std::string(*content_type));
    if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
    type = std::string(absl::StripAsciiWhitespace(type));
  }
  pb::FeedbackSubmission sub;
  if (type == kContentTypeJson) {
    if (absl::Status st = text::ValidateUtf8(payload); !st.ok()) {
      out.rejection = Reject(pb::REJECT_REASON_INVALID_UTF8, absl::StrCat("JSON payload: ", st.message()));
      return out;
    }
    if (!nlohmann::json::accept(payload.begin(), payload.end())) {
      out.rejection = Reject(pb::REJECT_REASON_MALFORMED_PAYLOAD, "payload is not valid JSON");
      return out;
    }
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto st = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(payload.data(), payload.size()), &sub, options);
    if (!st.ok()) {
      std::string msg(st.message());
      // e.g. '(channel): invalid value "CHANNEL_FAX" for type type.googleapis.com/feedbackloop.common.v1.Channel'
      bool enum_problem = false;
      constexpr std::string_view kTypeMarker = "for type type.googleapis.com/";
      if (auto at = msg.find(kTypeMarker); at != std::string::npos) {
        const std::string type_name = msg.substr(at + kTypeMarker.size());
        enum_problem = google::protobuf::DescriptorPool::generated_pool()->FindEnumTypeByName(type_name) != nullptr;
      }
      out.rejection = Reject(enum_problem ? pb::REJECT_REASON_UNKNOWN_ENUM_VALUE
                                          : pb::REJECT_REASON_INVALID_FIELD_VALUE,
                             absl::StrCat("JSON does not match FeedbackSubmission: ", msg));
      return out;
    }
  } else if (type.empty() || type == kContentTypeProtobuf || type == "application/protobuf" ||
             type == "application/octet-stream") {
    if (!sub.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      google::protobuf::UnknownFieldSet wire;
      const bool wire_ok = wire.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
      out.rejection = wire_ok ? Reject(pb::REJECT_REASON_INVALID_UTF8,
                                       "a string field is not valid UTF-8")
                              : Reject(pb::REJECT_REASON_MALFORMED_PAYLOAD,
                                       "payload is not a FeedbackSubmission protobuf");
      return out;
    }
  } else {
    out.rejection = Reject(pb::REJECT_REASON_UNSUPPORTED_CONTENT_TYPE,
                           absl::StrCat("content-type '", type, "' is neither ", std::string(kContentTypeJson),
                                        " nor ", std::string(kContentTypeProtobuf)));
    return out;
  }
  if (sub.external_id().empty()) sub.set_external_id(std::string(kafka_key));
  if (auto rejection = ValidateSubmission(sub, limits, /*require_external_id=*/true)) {
    out.rejection = std::move(*rejection);
    return out;
  }
  out.submission = std::move(sub);
  return out;
}

}  // namespace fbl::intake
