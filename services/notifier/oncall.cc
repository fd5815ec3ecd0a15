#include "services/notifier/oncall.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fbl::notifier {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t PosMod(int64_t a, int64_t n) {
  const int64_t m = a % n;
  return m < 0 ? m + n : m;
}

bool ListMatches(const std::vector<std::string>& allowed, const std::string& value) {
  if (allowed.empty()) return true;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return absl::EqualsIgnoreCase(a, value); });
}

}  // namespace

std::string_view ChannelTypeName(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kSms:
      return "sms";
    case ChannelType::kEmail:
      return "email";
    case ChannelType::kImRobot:
      return "im";
  }
  return "unknown";
}

std::optional<ChannelType> ParseChannelType(std::string_view name) {
  for (ChannelType t : kAllChannelTypes) {
    if (absl::EqualsIgnoreCase(std::string(ChannelTypeName(t)), std::string(name))) return t;
  }
  return std::nullopt;
}

absl::StatusOr<absl::Time> ParseTimeIn(std::string_view text, absl::TimeZone zone) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) return t;
  absl::CivilSecond civil;
  if (absl::ParseLenientCivilTime(std::string(text), &civil)) return absl::FromCivil(civil, zone);
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is neither RFC 3339 nor a civil time like 2026-01-05T09:00"));
}

absl::StatusOr<OnCallDirectory> OnCallDirectory::Create(std::vector<Person> people,
                                                       const std::vector<RotationSpec>& rotations,
                                                       const std::vector<OverrideSpec>& overrides,
                                                       std::vector<RouteSpec> routes) {
  OnCallDirectory d;
  d.people_ = std::move(people);
  for (size_t i = 0; i < d.people_.size(); ++i) {
    const Person& p = d.people_[i];
    if (p.id.empty()) return absl::InvalidArgumentError("a person has no id");
    if (p.channels.empty()) return absl::InvalidArgumentError(absl::StrCat("person ", p.id, " has no channels"));
    for (const auto& c : p.channels) {
      if (c.address.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("person ", p.id, ": channel ", std::string(ChannelTypeName(c.type)), " has no address"));
      }
    }
    if (!d.person_index_.emplace(p.id, i).second) {
      return absl::InvalidArgumentError(absl::StrCat("person ", p.id, " is listed twice"));
    }
  }
  for (const RotationSpec& spec : rotations) {
    if (spec.id.empty()) return absl::InvalidArgumentError("a rotation has no id");
    const std::string where = absl::StrCat("rotation ", spec.id, ": ");
    if (spec.members.empty()) return absl::InvalidArgumentError(where + "has no members");
    for (const auto& m : spec.members) {
      if (!d.person_index_.contains(m)) return absl::InvalidArgumentError(where + "unknown member " + m);
    }
    if (spec.shift < absl::Minutes(1)) return absl::InvalidArgumentError(where + "shift must be at least 1m");
    Rotation r;
    r.members = spec.members;
    r.shift = spec.shift;
    if (!absl::LoadTimeZone(spec.time_zone, &r.zone)) {
      return absl::InvalidArgumentError(where + "unknown time zone " + spec.time_zone);
    }
    if (!absl::ParseLenientCivilTime(spec.start, &r.start_civil)) {
      return absl::InvalidArgumentError(where + "start \"" + spec.start +
                                        "\" is not a civil time like 2026-01-05T09:00");
    }
    r.start = absl::FromCivil(r.start_civil, r.zone);
    if (spec.shift % absl::Hours(24) == absl::ZeroDuration()) r.shift_days = spec.shift / absl::Hours(24);
    if (!d.rotations_.emplace(spec.id, std::move(r)).second) {
      return absl::InvalidArgumentError(where + "is listed twice");
    }
  }
  for (const OverrideSpec& o : overrides) {
    auto it = d.rotations_.find(o.rotation);
    if (it == d.rotations_.end()) return absl::InvalidArgumentError("override for unknown rotation " + o.rotation);
    const std::string where = absl::StrCat("override of ", o.rotation, " by ", o.person, ": ");
    if (!d.person_index_.contains(o.person)) return absl::InvalidArgumentError(where + "unknown person");
    auto start = ParseTimeIn(o.start, it->second.zone);
    if (!start.ok()) return absl::InvalidArgumentError(where + "start " + std::string(start.status().message()));
    auto end = ParseTimeIn(o.end, it->second.zone);
    if (!end.ok()) return absl::InvalidArgumentError(where + "end " + std::string(end.status().message()));
    if (*end <= *start) return absl::InvalidArgumentError(where + "end must be after start");
    it->second.overrides.push_back({o.person, *start, *end});
  }
  for (const RouteSpec& route : routes) {
    const std::string where = absl::StrCat("route ", route.name.empty() ? "(unnamed)" : route.name, ": ");
    if (route.tier < 0) return absl::InvalidArgumentError(where + "tier must be >= 0");
    if (route.rotations.empty() && route.people.empty()) {
      return absl::InvalidArgumentError(where + "pages nobody (no rotations, no people)");
    }
    for (const auto& r : route.rotations) {
      if (!d.rotations_.contains(r)) return absl::InvalidArgumentError(where + "unknown rotation " + r);
    }
    for (const auto& p : route.people) {
      if (!d.person_index_.contains(p)) return absl::InvalidArgumentError(where + "unknown person " + p);
    }
  }
  d.routes_ = std::move(routes);
  return d;
}

absl::StatusOr<std::string> OnCallDirectory::OnCall(std::string_view rotation_id, absl::Time at) const {
  auto it = rotations_.find(std::string(rotation_id));
  if (it == rotations_.end()) return absl::NotFoundError(absl::StrCat("no rotation ", std::string(rotation_id)));
  const Rotation& r = it->second;
  // The last matching override wins (later entries refine earlier ones).
  for (auto o = r.overrides.rbegin(); o != r.overrides.rend(); ++o) {
    if (at >= o->start && at < o->end) return o->person;
  }
  int64_t period;
  if (r.shift_days > 0) {
    // Whole-day shifts hand over at the start's wall-clock time in the zone.
    const absl::CivilSecond now = absl::ToCivilSecond(at, r.zone);
    int64_t days = absl::CivilDay(now) - absl::CivilDay(r.start_civil);
    const int64_t now_tod = now - absl::CivilSecond(absl::CivilDay(now));
    const int64_t start_tod = r.start_civil - absl::CivilSecond(absl::CivilDay(r.start_civil));
    if (now_tod < start_tod) --days;
    period = FloorDiv(days, r.shift_days);
  } else {
    period = FloorDiv(absl::ToInt64Seconds(at - r.start), absl::ToInt64Seconds(r.shift));
  }
  return r.members[static_cast<size_t>(PosMod(period, static_cast<int64_t>(r.members.size())))];
}

bool OnCallDirectory::Matches(const RouteSpec& route, const AlertFacts& facts) {
  return ListMatches(route.categories, facts.category) && ListMatches(route.severities, facts.severity) &&
         ListMatches(route.departments, facts.department);
}

RoutingResult OnCallDirectory::Route(const AlertFacts& facts, absl::Time at) const {
  RoutingResult result;
  absl::flat_hash_set<std::string> seen;
  auto add = [&](const std::string& id) {
    if (seen.insert(id).second) result.people.push_back(id);
  };
  for (int tier = std::max(facts.tier, 0); tier >= 0 && result.tier < 0; --tier) {
    for (const RouteSpec& route : routes_) {
      if (route.tier != tier || !Matches(route, facts)) continue;
      result.tier = tier;
      result.routes.push_back(route.name);
      for (const auto& rotation : route.rotations) {
        if (auto person = OnCall(rotation, at); person.ok()) add(*person);
      }
      for (const auto& p : route.people) add(p);
      if (!route.continue_matching) break;
    }
  }
  return result;
}

const Person* OnCallDirectory::FindPerson(std::string_view id) const {
  auto it = person_index_.find(std::string(id));
  return it == person_index_.end() ? nullptr : &people_[it->second];
}

}  // namespace fbl::notifier
