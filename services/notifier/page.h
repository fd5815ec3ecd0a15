#pragma once
// Pure page content: what one page says, and its rendering for each channel
// (signed webhook JSON, SMS gateway template, e-mail message, IM robot JSON).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notifier/oncall.h"

namespace fbl::notifier {

// One page, independent of the channel. Built from an alert event at the
// service edge, or for a storm summary by StormSummaryPage.
struct Page {
  std::string event_id;
  std::string alert_id;
  std::string event_type;  // e.g. ALERT_EVENT_TYPE_RAISED
  std::string category;    // e.g. ALERT_CATEGORY_SAFETY
  std::string severity;    // e.g. SEVERITY_SEV1_CRITICAL
  std::string department;
  int tier = 0;
  std::string title;    // one line
  std::string text;     // a few lines for people
  std::string summary;  // the alert's own one-line summary
  std::string feedback_id;
  std::string ticket_id;
  absl::Time occurred_at = absl::UnixEpoch();
  int grouped_count = 0;  // > 0 for a storm summary: how many alerts it stands for
  std::string group_key;  // storm summaries: the group
};

// Short human names used in titles: "SEV1", "SAFETY", "RAISED".
std::string ShortEnumName(std::string_view full_name);

// Fills title and text from the other fields.
void ComposeText(Page& page);

// The signed webhook's JSON body.
std::string WebhookBody(const Page& page, const Person& person, std::string_view delivery_id);

// SMS: one short line (at most `max_bytes`, cut at a UTF-8 boundary).
std::string SmsText(const Page& page, size_t max_bytes = 280);

// How template values are escaped for the gateway's content type.
enum class TemplateEscape { kNone, kJson, kForm };
TemplateEscape EscapeForContentType(std::string_view content_type);

// Replaces {{name}} by vars[name] (escaped). Unknown names are an error, so a
// template typo is caught at start-up.
[[nodiscard]] absl::StatusOr<std::string> RenderTemplate(std::string_view tmpl,
                                                         const std::map<std::string, std::string>& vars,
                                                         TemplateEscape escape);
// The variables an SMS body template may use.
std::map<std::string, std::string> SmsTemplateVars(const Page& page, const Person& person, std::string_view phone,
                                                   std::string_view delivery_id);

// An RFC 5322 message (CRLF line ends, UTF-8 subject as an encoded word,
// base64 body) carrying X-FBL-Delivery-Id.
std::string EmailMessage(const Page& page, std::string_view from, std::string_view to, std::string_view delivery_id,
                         absl::Time date);

// Enterprise IM robot payloads.
enum class ImStyle { kWeCom, kDingTalk, kSlack };
std::optional<ImStyle> ParseImStyle(std::string_view name);  // "wecom", "dingtalk", "slack"
std::string ImRobotBody(ImStyle style, const Page& page, const Person& person);
// WeCom and DingTalk answer HTTP 200 with {"errcode": n}; a non-zero code is
// a failure. Returns the error text, or nothing when the reply means success.
std::optional<std::string> ImReplyError(ImStyle style, std::string_view body);

}  // namespace fbl::notifier
