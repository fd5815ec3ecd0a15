#include "tools/cli/commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/runtime/proto_time.h"

namespace fbl::cli {

void SetAction(CLI::App* sub, Commands& c, std::function<int(Session&)> action) {
  sub->callback([&c, action = std::move(action)] { c.action = action; });
}

void AddAddressOption(CLI::App* group, Commands& c, Service s) {
  group->add_option("--addr", c.options.addresses[static_cast<int>(s)],
                    absl::StrCat(Info(s).name, " address host:port (also ", Info(s).flag, ", $", Info(s).env, ")"));
}

CLI::Option* AddEnumOption(CLI::App* app, const std::string& name, std::string* out,
                           const google::protobuf::EnumDescriptor* e, const std::string& help) {
  CLI::Validator check(
      [e](std::string& value) -> std::string {
        auto n = ResolveEnum(*e, value);
        return n.ok() ? std::string() : std::string(n.status().message());
      },
      "", "");
  return app->add_option(name, *out, absl::StrCat(help, " (", absl::StrJoin(ShortEnumNames(*e), "|"), ")"))
      ->check(check);
}

int EnumValue(const google::protobuf::EnumDescriptor* e, const std::string& text) {
  if (text.empty()) return 0;
  auto n = ResolveEnum(*e, text);
  return n.ok() ? *n : 0;
}

CLI::Validator DurationCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        auto d = ParseDuration(v);
        return d.ok() ? std::string() : std::string(d.status().message());
      },
      "DURATION", "");
}

CLI::Validator TimeCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        auto t = ParseTimePoint(v, absl::UTCTimeZone());
        return t.ok() ? std::string() : std::string(t.status().message());
      },
      "TIME", "");
}

CLI::Validator RangeCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        auto r = ParseRange(v, absl::Now(), absl::UTCTimeZone());
        return r.ok() ? std::string() : std::string(r.status().message());
      },
      "START..END", "");
}

CLI::Validator SinceCheck() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        auto r = ParseSince(v, absl::Now(), absl::UTCTimeZone());
        return r.ok() ? std::string() : std::string(r.status().message());
      },
      "DURATION|TIME", "");
}

void AddPeriodOptions(CLI::App* sub, PeriodOptions* p) {
  sub->add_option("--from", p->from, "start of the period: a date (2026-11-01, local midnight) or a time")
      ->check(TimeCheck());
  sub->add_option("--to", p->to, "end of the period, exclusive; a date includes that whole day (default: now)")
      ->check(TimeCheck());
  sub->add_option("--last", p->last,
                  absl::StrCat("the period up to now, e.g. 24h, 7d, 4w (default: ",
                               absl::FormatDuration(p->default_last), " when neither --from nor --to is given)"))
      ->check(DurationCheck());
}

::feedbackloop::common::v1::Period ToProto(const Period& p) {
  ::feedbackloop::common::v1::Period out;
  *out.mutable_start() = runtime::ToProto(p.start);
  *out.mutable_end() = runtime::ToProto(p.end);
  return out;
}

absl::StatusOr<::feedbackloop::common::v1::Period> ResolvePeriodProto(const PeriodOptions& p, const Session& s) {
  auto period = ResolvePeriod(p.from, p.to, p.last, absl::Now(), s.tz(), p.default_last);
  if (!period.ok()) return period.status();
  return ToProto(*period);
}

int ForEachPage(int limit, const std::function<int(int, const std::string&, std::string*)>& fetch) {
  std::string token;
  int seen = 0;
  while (true) {
    const int page_size = limit > 0 ? std::min(500, limit - seen) : 500;
    std::string next;
    const int n = fetch(page_size, token, &next);
    if (n < 0) return -n;
    seen += n;
    if (next.empty() || (limit > 0 && seen >= limit)) return kExitOk;
    token = std::move(next);
  }
}

}  // namespace fbl::cli
