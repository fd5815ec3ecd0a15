#include "tools/cli/parse.h"

#include <google/protobuf/descriptor.h>

#include <cctype>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "analytics/v1/analytics.pb.h"
#include "classification/v1/classification.pb.h"
#include "common/v1/common.pb.h"

namespace fbl::cli {
namespace {

namespace apb = ::feedbackloop::analytics::v1;

// Debian's Abseil has its own string_view; std::string_view goes in through this.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// Upper case, '-' and ' ' as '_', trimmed: the form enum names are compared in.
std::string EnumKey(std::string_view text) {
  std::string out(absl::StripAsciiWhitespace(Sv(text)));
  for (char& c : out) {
    if (c == '-' || c == ' ') c = '_';
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

absl::Time EndOfDay(absl::Time day_start, absl::TimeZone tz) {
  return absl::FromCivil(absl::ToCivilDay(day_start, tz) + 1, tz);
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(std::string_view text) {
  const absl::string_view s = absl::StripAsciiWhitespace(Sv(text));
  if (s.empty()) return Invalid("empty duration; use e.g. 30m, 24h, 7d");
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  while (i < s.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (++digits > 9) return Invalid(absl::StrCat("duration '", s, "' is too large"));
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (digits == 0 || i == s.size()) {
      return Invalid(absl::StrCat("bad duration '", s, "': use a number with a unit s, m, h, d or w, e.g. 7d"));
    }
    switch (std::tolower(static_cast<unsigned char>(s[i]))) {
      case 's': total += absl::Seconds(n); break;
      case 'm': total += absl::Minutes(n); break;
      case 'h': total += absl::Hours(n); break;
      case 'd': total += absl::Hours(24 * n); break;
      case 'w': total += absl::Hours(24 * 7 * n); break;
      default:
        return Invalid(absl::StrCat("bad duration '", s, "': unknown unit '", s.substr(i, 1),
                                    "' (use s, m, h, d or w)"));
    }
    ++i;
  }
  if (total <= absl::ZeroDuration()) return Invalid(absl::StrCat("duration '", s, "' must be positive"));
  return total;
}

absl::StatusOr<TimePoint> ParseTimePoint(std::string_view text, absl::TimeZone tz) {
  const std::string s(absl::StripAsciiWhitespace(Sv(text)));
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, s, tz, &t, &err)) return TimePoint{t, false};
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"}) {
    if (absl::ParseTime(format, s, tz, &t, &err)) return TimePoint{t, false};
  }
  if (absl::ParseTime("%Y-%m-%d", s, tz, &t, &err)) return TimePoint{t, true};
  return Invalid(absl::StrCat("bad time '", s,
                              "': use a date (2026-11-20), a local time (2026-11-20 09:00) or RFC 3339 "
                              "(2026-11-20T01:00:00Z)"));
}

absl::StatusOr<Period> ResolvePeriod(std::string_view from, std::string_view to, std::string_view last,
                                     absl::Time now, absl::TimeZone tz, absl::Duration default_last) {
  Period p;
  if (!last.empty()) {
    if (!from.empty() || !to.empty()) return Invalid("give either --last or --from/--to, not both");
    auto d = ParseDuration(last);
    if (!d.ok()) return Invalid(absl::StrCat("--last: ", d.status().message()));
    return Period{now - *d, now};
  }
  p.end = now;
  if (!to.empty()) {
    auto t = ParseTimePoint(to, tz);
    if (!t.ok()) return Invalid(absl::StrCat("--to: ", t.status().message()));
    p.end = t->date_only ? EndOfDay(t->time, tz) : t->time;
  }
  p.start = p.end - default_last;
  if (!from.empty()) {
    auto f = ParseTimePoint(from, tz);
    if (!f.ok()) return Invalid(absl::StrCat("--from: ", f.status().message()));
    p.start = f->time;
  }
  if (p.start >= p.end) {
    return Invalid(absl::StrCat("the period is empty: it starts ", absl::FormatTime("%Y-%m-%d %H:%M", p.start, tz),
                                " and ends ", absl::FormatTime("%Y-%m-%d %H:%M", p.end, tz)));
  }
  return p;
}

absl::StatusOr<Period> ParseRange(std::string_view text, absl::Time now, absl::TimeZone tz) {
  const absl::string_view s = absl::StripAsciiWhitespace(Sv(text));
  const size_t dots = s.find("..");
  if (dots == absl::string_view::npos) {
    auto d = ParseDuration(std::string_view(s.data(), s.size()));
    if (!d.ok()) {
      return Invalid(absl::StrCat("bad range '", s, "': use START..END (2026-10-01..2026-10-31) or a duration (7d)"));
    }
    return Period{now - *d, now};
  }
  const absl::string_view a = s.substr(0, dots), b = s.substr(dots + 2);
  if (a.empty()) return Invalid(absl::StrCat("bad range '", s, "': the start is missing"));
  auto start = ParseTimePoint(std::string_view(a.data(), a.size()), tz);
  if (!start.ok()) return start.status();
  Period p{start->time, now};
  if (!b.empty()) {
    auto end = ParseTimePoint(std::string_view(b.data(), b.size()), tz);
    if (!end.ok()) return end.status();
    p.end = end->date_only ? EndOfDay(end->time, tz) : end->time;
  }
  if (p.start >= p.end) return Invalid(absl::StrCat("range '", s, "' is empty: its end is not after its start"));
  return p;
}

absl::StatusOr<absl::Time> ParseSince(std::string_view text, absl::Time now, absl::TimeZone tz) {
  if (auto d = ParseDuration(text); d.ok()) return now - *d;
  auto t = ParseTimePoint(text, tz);
  if (!t.ok()) return Invalid(absl::StrCat("bad time '", Sv(text), "': use a duration (24h) or a time (2026-11-20 09:00)"));
  return t->time;
}

std::string EnumPrefix(const google::protobuf::EnumDescriptor& e) {
  const auto* zero = e.FindValueByNumber(0);
  if (zero == nullptr || !absl::EndsWith(zero->name(), "UNSPECIFIED")) return "";
  return std::string(absl::StripSuffix(zero->name(), "UNSPECIFIED"));
}

absl::StatusOr<int> ResolveEnum(const google::protobuf::EnumDescriptor& e, std::string_view text) {
  const std::string key = EnumKey(text);
  const std::string prefix = EnumPrefix(e);
  if (key.empty()) return Invalid(absl::StrCat("empty value; one of: ", absl::StrJoin(ShortEnumNames(e), ", ")));
  std::vector<const google::protobuf::EnumValueDescriptor*> candidates;
  for (int i = 0; i < e.value_count(); ++i) {
    const auto* v = e.value(i);
    if (v->number() == 0) continue;
    const absl::string_view short_name = absl::StripPrefix(v->name(), prefix);
    if (v->name() == key || short_name == key) return v->number();
    if (absl::StartsWith(short_name, key)) candidates.push_back(v);
  }
  if (candidates.size() == 1) return candidates.front()->number();
  if (candidates.size() > 1) {
    std::vector<std::string> names;
    for (const auto* v : candidates) names.push_back(ShortEnumName(e, v->number()));
    return Invalid(absl::StrCat("'", Sv(text), "' is ambiguous: ", absl::StrJoin(names, ", ")));
  }
  return Invalid(absl::StrCat("unknown value '", Sv(text), "'; one of: ", absl::StrJoin(ShortEnumNames(e), ", ")));
}

std::string ShortEnumName(const google::protobuf::EnumDescriptor& e, int number) {
  if (number == 0) return "";
  const auto* v = e.FindValueByNumber(number);
  if (v == nullptr) return absl::StrCat(number);
  return absl::AsciiStrToLower(absl::StripPrefix(v->name(), EnumPrefix(e)));
}

std::vector<std::string> ShortEnumNames(const google::protobuf::EnumDescriptor& e) {
  std::vector<std::string> out;
  for (int i = 0; i < e.value_count(); ++i) {
    if (e.value(i)->number() != 0) out.push_back(ShortEnumName(e, e.value(i)->number()));
  }
  return out;
}

std::string ShortenEnumString(std::string_view name, std::string_view prefix) {
  if (prefix.empty() || !name.starts_with(prefix) || name.size() == prefix.size()) return std::string(name);
  return absl::AsciiStrToLower(Sv(name.substr(prefix.size())));
}

absl::StatusOr<TagSpec> ParseTagSpec(std::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(Sv(text));
  TagSpec t;
  if (s.size() >= 3 && s[2] == ':' && (s[0] == 'l' || s[0] == 'L') && s[1] >= '1' && s[1] <= '3') {
    t.level = s[1] - '0';
    s = absl::StripAsciiWhitespace(s.substr(3));
  }
  if (s.empty()) return Invalid(absl::StrCat("empty tag '", Sv(text), "'"));
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return Invalid(absl::StrCat("tag code '", s, "' contains a space"));
  }
  t.code = std::string(s);
  if (t.level == 0) {
    if (t.code == "complaint" || t.code == "suggestion" || t.code == "inquiry" || t.code == "praise") {
      t.level = 1;
    } else if (absl::StrContains(t.code, '.')) {
      t.level = 3;
    } else {
      t.level = 2;
    }
  }
  return t;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return Invalid(absl::StrCat("'", Sv(text), "' is not key=value"));
  std::string key(absl::StripAsciiWhitespace(Sv(text.substr(0, eq))));
  if (key.empty()) return Invalid(absl::StrCat("'", Sv(text), "' has an empty key"));
  return std::make_pair(std::move(key), std::string(text.substr(eq + 1)));
}

absl::StatusOr<std::string> ResolveDimensionValue(int dimension, std::string_view value) {
  const google::protobuf::EnumDescriptor* e = nullptr;
  switch (dimension) {
    case apb::DIMENSION_CHANNEL: e = ::feedbackloop::common::v1::Channel_descriptor(); break;
    case apb::DIMENSION_CUSTOMER_TYPE: e = ::feedbackloop::common::v1::CustomerType_descriptor(); break;
    case apb::DIMENSION_PROBLEM_TYPE: e = ::feedbackloop::classification::v1::ProblemType_descriptor(); break;
    default: break;
  }
  if (e == nullptr) {
    if (absl::StripAsciiWhitespace(Sv(value)).empty()) return Invalid("empty filter value");
    return std::string(absl::StripAsciiWhitespace(Sv(value)));
  }
  auto n = ResolveEnum(*e, value);
  if (!n.ok()) return n.status();
  return e->FindValueByNumber(*n)->name();
}

absl::StatusOr<FilterSpec> ParseFilter(std::string_view text) {
  auto kv = ParseKeyValue(text);
  if (!kv.ok()) return Invalid(absl::StrCat("filter ", kv.status().message(), " (use dimension=value, e.g. channel=email)"));
  auto dim = ResolveEnum(*apb::Dimension_descriptor(), kv->first);
  if (!dim.ok()) return Invalid(absl::StrCat("filter dimension: ", dim.status().message()));
  auto value = ResolveDimensionValue(*dim, kv->second);
  if (!value.ok()) return Invalid(absl::StrCat("filter ", kv->first, ": ", value.status().message()));
  return FilterSpec{*dim, *value};
}

}  // namespace fbl::cli
