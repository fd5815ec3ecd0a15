#include "services/notifier/page.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/text/utf8.h"

namespace fbl::notifier {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string JsonEscapeInner(const std::string& s) {
  std::string quoted = Dump(Json(s));
  return quoted.substr(1, quoted.size() - 2);
}

std::string FormEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); }

// Message-ID local parts allow fewer characters than our ids use.
std::string MessageIdPart(std::string_view id) {
  std::string out;
  for (char c : id) out.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  return out;
}

}  // namespace

std::string ShortEnumName(std::string_view full_name) {
  for (std::string_view prefix : {"ALERT_EVENT_TYPE_", "ALERT_CATEGORY_", "SEVERITY_", "ALERT_KIND_"}) {
    if (full_name.starts_with(prefix)) {
      std::string rest(full_name.substr(prefix.size()));
      if (prefix == "SEVERITY_") rest = rest.substr(0, rest.find('_'));  // SEV1_CRITICAL -> SEV1
      return rest;
    }
  }
  return std::string(full_name);
}

void ComposeText(Page& page) {
  const std::string tag = absl::StrCat("[", ShortEnumName(page.severity), " ", ShortEnumName(page.category), "] ");
  if (page.grouped_count > 0) {
    page.title = absl::StrCat(tag, page.grouped_count, " more ", page.group_key, " alerts");
  } else if (page.event_type == "ALERT_EVENT_TYPE_ESCALATED") {
    page.title = absl::StrCat(tag, "escalated to tier ", page.tier, ", not acknowledged: alert ", page.alert_id);
  } else if (page.event_type == "ALERT_EVENT_TYPE_CONTACT_BREACHED") {
    page.title = absl::StrCat(tag, "promised customer contact missed: alert ", page.alert_id);
  } else {
    page.title = absl::StrCat(tag, "alert ", page.alert_id);
  }
  std::string text = page.title;
  if (!page.summary.empty()) absl::StrAppend(&text, "\n", page.summary);
  absl::StrAppend(&text, "\nalert: ", page.alert_id);
  if (!page.feedback_id.empty()) absl::StrAppend(&text, "  feedback: ", page.feedback_id);
  if (!page.ticket_id.empty()) absl::StrAppend(&text, "  ticket: ", page.ticket_id);
  if (!page.department.empty()) absl::StrAppend(&text, "\ndepartment: ", page.department);
  absl::StrAppend(&text, "\ntier: ", page.tier, "  at: ", Rfc3339(page.occurred_at));
  page.text = std::move(text);
}

std::string WebhookBody(const Page& page, const Person& person, std::string_view delivery_id) {
  Json j = {
      {"delivery_id", std::string(delivery_id)},
      {"event_id", page.event_id},
      {"alert_id", page.alert_id},
      {"type", page.event_type},
      {"recipient", {{"id", person.id}, {"name", person.name}}},
      {"severity", page.severity},
      {"category", page.category},
      {"department", page.department},
      {"tier", page.tier},
      {"title", page.title},
      {"text", page.text},
      {"summary", page.summary},
      {"feedback_id", page.feedback_id},
      {"ticket_id", page.ticket_id},
      {"occurred_at", Rfc3339(page.occurred_at)},
  };
  if (page.grouped_count > 0) {
    j["grouped_count"] = page.grouped_count;
    j["group_key"] = page.group_key;
  }
  return Dump(j);
}

std::string SmsText(const Page& page, size_t max_bytes) {
  std::string line = page.title;
  if (!page.summary.empty() && page.grouped_count == 0) absl::StrAppend(&line, " | ", page.summary);
  return std::string(text::Utf8Prefix(line, max_bytes));
}

TemplateEscape EscapeForContentType(std::string_view content_type) {
  const std::string ct = absl::AsciiStrToLower(std::string(content_type));
  if (absl::StrContains(ct, "json")) return TemplateEscape::kJson;
  if (absl::StrContains(ct, "x-www-form-urlencoded")) return TemplateEscape::kForm;
  return TemplateEscape::kNone;
}

absl::StatusOr<std::string> RenderTemplate(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                                           TemplateEscape escape) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    const size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed {{ in template");
    out.append(tmpl.substr(pos, open - pos));
    const std::string name(absl::StripAsciiWhitespace(std::string(tmpl.substr(open + 2, close - open - 2))));
    auto it = vars.find(name);
    if (it == vars.end()) return absl::InvalidArgumentError(absl::StrCat("unknown template variable {{", name, "}}"));
    switch (escape) {
      case TemplateEscape::kJson:
        out += JsonEscapeInner(it->second);
        break;
      case TemplateEscape::kForm:
        out += FormEscape(it->second);
        break;
      case TemplateEscape::kNone:
        out += it->second;
        break;
    }
    pos = close + 2;
  }
  out.append(tmpl.substr(pos));
  return out;
}

std::map<std::string, std::string> SmsTemplateVars(const Page& page, const Person& person, std::string_view phone,
                                                   std::string_view delivery_id) {
  return {{"phone", std::string(phone)},
          {"text", SmsText(page)},
          {"name", person.name},
          {"person", person.id},
          {"alert_id", page.alert_id},
          {"severity", ShortEnumName(page.severity)},
          {"category", ShortEnumName(page.category)},
          {"delivery_id", std::string(delivery_id)}};
}

std::string EmailMessage(const Page& page, std::string_view from, std::string_view to, std::string_view delivery_id,
                         absl::Time date) {
  const std::string subject =
      IsAscii(page.title) ? page.title : absl::StrCat("=?UTF-8?B?", absl::Base64Escape(page.title), "?=");
  std::string m;
  absl::StrAppend(&m, "From: ", std::string(from), "\r\n");
  absl::StrAppend(&m, "To: ", std::string(to), "\r\n");
  absl::StrAppend(&m, "Subject: ", subject, "\r\n");
  absl::StrAppend(&m, "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date, absl::UTCTimeZone()), "\r\n");
  absl::StrAppend(&m, "Message-ID: <", MessageIdPart(delivery_id), "@notifier.feedbackloop>\r\n");
  absl::StrAppend(&m, "X-FBL-Delivery-Id: ", std::string(delivery_id), "\r\n");
  absl::StrAppend(&m, "X-FBL-Alert-Id: ", page.alert_id, "\r\n");
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const std::string body = absl::Base64Escape(page.text);
  for (size_t i = 0; i < body.size(); i += 76) absl::StrAppend(&m, body.substr(i, 76), "\r\n");
  return m;
}

std::optional<ImStyle> ParseImStyle(std::string_view name) {
  const std::string n = absl::AsciiStrToLower(std::string(name));
  if (n == "wecom") return ImStyle::kWeCom;
  if (n == "dingtalk") return ImStyle::kDingTalk;
  if (n == "slack") return ImStyle::kSlack;
  return std::nullopt;
}

std::string ImRobotBody(ImStyle style, const Page& page, const Person& person) {
  const std::string mention = person.name.empty() ? person.id : person.name;
  switch (style) {
    case ImStyle::kWeCom:
      return Dump({{"msgtype", "text"},
                   {"text", {{"content", absl::StrCat(page.text, "\n@", mention)}}}});
    case ImStyle::kDingTalk:
      return Dump({{"msgtype", "text"},
                   {"text", {{"content", absl::StrCat(page.text, "\n@", mention)}}},
                   {"at", {{"isAtAll", false}}}});
    case ImStyle::kSlack:
      return Dump({{"text", absl::StrCat(page.text, "\n@", mention)}});
  }
  return "{}";
}

std::optional<std::string> ImReplyError(ImStyle style, std::string_view body) {
  if (style == ImStyle::kSlack) return std::nullopt;  // Slack answers plain "ok"; the HTTP status decides
  const Json j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (!j.is_object() || !j.contains("errcode")) return std::nullopt;
  if (j["errcode"].is_number_integer() && j["errcode"].get<int64_t>() == 0) return std::nullopt;
  return absl::StrCat("robot errcode ", Dump(j["errcode"]), ": ",
                      j.contains("errmsg") && j["errmsg"].is_string() ? j["errmsg"].get<std::string>() : "");
}

}  // namespace fbl::notifier
