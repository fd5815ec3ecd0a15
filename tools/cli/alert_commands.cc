// fbl alerts list | show | ack | resolve | contact — the alerting API.
#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "alerting/v1/alerting.grpc.pb.h"
#include "libs/runtime/proto_time.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"

namespace fbl::cli {
namespace {

namespace apb = ::feedbackloop::alerting::v1;

std::string State(int s) { return ShortEnumName(*apb::AlertState_descriptor(), s); }
std::string Kind(int k) { return ShortEnumName(*apb::AlertKind_descriptor(), k); }
std::string Category(int c) { return ShortEnumName(*apb::AlertCategory_descriptor(), c); }
std::string Severity(int s) { return ShortEnumName(*apb::Severity_descriptor(), s); }

std::unique_ptr<apb::AlertingService::Stub> Stub(Session& s) {
  return apb::AlertingService::NewStub(s.Channel(Service::kAlerting));
}

int PrintChanged(Session& s, const apb::Alert& a, const std::string& what) {
  if (s.json()) {
    s.PrintJson(a);
  } else if (s.quiet()) {
    std::cout << a.alert_id() << "\n";
  } else {
    std::cout << "alert " << a.alert_id() << ": " << what << "; state " << State(a.state()) << "\n";
  }
  return kExitOk;
}

// ---- list ----

struct ListOptions {
  std::string state, kind, category, since;
  int limit = 50;
};

int List(Session& s, const ListOptions& o) {
  auto stub = Stub(s);
  apb::ListAlertsRequest base;
  base.set_state(static_cast<apb::AlertState>(EnumValue(apb::AlertState_descriptor(), o.state)));
  base.set_kind(static_cast<apb::AlertKind>(EnumValue(apb::AlertKind_descriptor(), o.kind)));
  base.set_category(static_cast<apb::AlertCategory>(EnumValue(apb::AlertCategory_descriptor(), o.category)));
  if (!o.since.empty()) {
    auto since = ParseSince(o.since, absl::Now(), s.tz());
    if (!since.ok()) return UsageError(absl::StrCat("--since: ", since.status().message()));
    *base.mutable_since() = runtime::ToProto(*since);
  }
  Table table({{"ALERT"}, {"STATE"}, {"KIND"}, {"CATEGORY"}, {"SEVERITY"}, {"TIER", 0, true}, {"RAISED"},
               {"TICKET"}, {"SUMMARY", 50}});
  const int rc = ForEachPage(o.limit, [&](int page_size, const std::string& token, std::string* next) {
    apb::ListAlertsRequest req = base;
    req.mutable_page()->set_page_size(page_size);
    req.mutable_page()->set_page_token(token);
    apb::ListAlertsResponse resp;
    grpc::Status st = stub->ListAlerts(s.Context().get(), req, &resp);
    if (!st.ok()) return -s.Fail(Service::kAlerting, "ListAlerts", st);
    for (const auto& a : resp.alerts()) {
      if (s.json()) {
        s.PrintJson(a);
      } else if (s.quiet()) {
        std::cout << a.alert_id() << "\n";
      } else {
        table.AddRow({a.alert_id(), State(a.state()), Kind(a.kind()), Category(a.category()), Severity(a.severity()),
                      absl::StrCat(a.tier()), s.Time(a.created_at()), a.ticket_id(), a.summary()});
      }
    }
    *next = resp.next_page_token();
    return resp.alerts_size();
  });
  if (rc == kExitOk && !s.json() && !s.quiet()) std::cout << table.Render();
  return rc;
}

// ---- show ----

int Show(Session& s, const std::string& id) {
  apb::GetAlertRequest req;
  req.set_alert_id(id);
  apb::Alert a;
  grpc::Status st = Stub(s)->GetAlert(s.Context().get(), req, &a);
  if (!st.ok()) return s.Fail(Service::kAlerting, "GetAlert", st);
  if (s.json()) {
    s.PrintJson(a);
    return kExitOk;
  }
  if (s.quiet()) {
    std::cout << a.alert_id() << "\n";
    return kExitOk;
  }
  std::vector<std::string> evidence, labels;
  for (const auto& e : a.evidences()) evidence.push_back(absl::StrCat(e.rule_id(), " \"", e.term(), "\": ", e.snippet()));
  std::vector<std::pair<std::string, std::string>> sorted(a.labels().begin(), a.labels().end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [k, v] : sorted) labels.push_back(absl::StrCat(k, "=", v));
  auto by = [&](const std::string& who, const google::protobuf::Timestamp& at) {
    return who.empty() ? std::string() : absl::StrCat(who, " at ", s.Time(at));
  };
  std::cout << RenderFields({
      {"alert", a.alert_id()},
      {"summary", a.summary()},
      {"state", State(a.state())},
      {"kind", Kind(a.kind())},
      {"category", Category(a.category())},
      {"severity", Severity(a.severity())},
      {"tier", absl::StrCat(a.tier())},
      {"raised", s.Time(a.created_at())},
      {"ack due", a.state() == apb::ALERT_STATE_OPEN ? s.Time(a.ack_due()) : ""},
      {"contact due", a.has_customer_contacted_at() ? "" : s.Time(a.contact_due())},
      {"acknowledged", by(a.acknowledged_by(), a.acknowledged_at())},
      {"contacted", by(a.customer_contacted_by(), a.customer_contacted_at())},
      {"resolved", by(a.resolved_by(), a.resolved_at())},
      {"resolution", a.resolution()},
      {"feedback", a.feedback_id()},
      {"ticket", a.ticket_id()},
      {"customer", a.customer_pseudonym()},
      {"department", a.department()},
      {"group", a.group_key()},
      {"labels", absl::StrJoin(labels, ", ")},
      {"evidence", absl::StrJoin(evidence, "\n")},
  });
  return kExitOk;
}

// ---- ack, resolve, contact ----

int Ack(Session& s, const std::string& id, const std::string& note) {
  apb::AcknowledgeAlertRequest req;
  req.set_alert_id(id);
  req.set_actor(s.user());
  req.set_note(note);
  apb::Alert a;
  grpc::Status st = Stub(s)->AcknowledgeAlert(s.Context().get(), req, &a);
  if (!st.ok()) return s.Fail(Service::kAlerting, "AcknowledgeAlert", st);
  return PrintChanged(s, a, absl::StrCat("acknowledged by ", a.acknowledged_by()));
}

int Resolve(Session& s, const std::string& id, const std::string& resolution) {
  apb::ResolveAlertRequest req;
  req.set_alert_id(id);
  req.set_actor(s.user());
  req.set_resolution(resolution);
  apb::Alert a;
  grpc::Status st = Stub(s)->ResolveAlert(s.Context().get(), req, &a);
  if (!st.ok()) return s.Fail(Service::kAlerting, "ResolveAlert", st);
  return PrintChanged(s, a, absl::StrCat("resolved by ", a.resolved_by()));
}

int Contact(Session& s, const std::string& id, const std::string& at) {
  apb::RecordCustomerContactRequest req;
  req.set_alert_id(id);
  req.set_actor(s.user());
  if (!at.empty()) {
    auto t = ParseSince(at, absl::Now(), s.tz());
    if (!t.ok()) return UsageError(absl::StrCat("--at: ", t.status().message()));
    *req.mutable_contacted_at() = runtime::ToProto(*t);
  }
  apb::Alert a;
  grpc::Status st = Stub(s)->RecordCustomerContact(s.Context().get(), req, &a);
  if (!st.ok()) return s.Fail(Service::kAlerting, "RecordCustomerContact", st);
  return PrintChanged(s, a, absl::StrCat("customer contacted at ", s.Time(a.customer_contacted_at())));
}

}  // namespace

void AddAlertCommands(CLI::App& app, Commands& c) {
  auto* group = app.add_subcommand("alerts", "Red alerts, quality risks and deadline breaches (alerting)");
  group->require_subcommand(1);
  AddAddressOption(group, c, Service::kAlerting);

  auto lo = std::make_shared<ListOptions>();
  auto* list = group->add_subcommand("list", "Alerts matching all given filters, newest first");
  AddEnumOption(list, "--state", &lo->state, apb::AlertState_descriptor(), "only this state");
  AddEnumOption(list, "--kind", &lo->kind, apb::AlertKind_descriptor(), "only this kind");
  AddEnumOption(list, "--category", &lo->category, apb::AlertCategory_descriptor(), "only this category");
  list->add_option("--since", lo->since, "raised at or after: a duration back from now (24h) or a time")
      ->check(SinceCheck());
  list->add_option("--limit,-n", lo->limit, "at most this many (0 = all)")->capture_default_str();
  SetAction(list, c, [lo](Session& s) { return List(s, *lo); });

  auto id = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "One alert with evidence, tier and deadlines");
  show->add_option("ID", *id, "alert id")->required();
  SetAction(show, c, [id](Session& s) { return Show(s, *id); });

  auto ack_id = std::make_shared<std::string>(), note = std::make_shared<std::string>();
  auto* ack = group->add_subcommand("ack", "Acknowledge an alert (stops its escalation); --user is who takes it");
  ack->add_option("ID", *ack_id, "alert id")->required();
  ack->add_option("--note", *note, "e.g. calling the customer now");
  SetAction(ack, c, [ack_id, note](Session& s) { return Ack(s, *ack_id, *note); });

  auto res_id = std::make_shared<std::string>(), resolution = std::make_shared<std::string>();
  auto* resolve = group->add_subcommand("resolve", "Resolve an alert (final)");
  resolve->add_option("ID", *res_id, "alert id")->required();
  resolve->add_option("--resolution", *resolution, "how it was resolved");
  SetAction(resolve, c, [res_id, resolution](Session& s) { return Resolve(s, *res_id, *resolution); });

  auto con_id = std::make_shared<std::string>(), at = std::make_shared<std::string>();
  auto* contact = group->add_subcommand("contact", "Record that the customer was contacted (stops the contact timer)");
  contact->add_option("ID", *con_id, "alert id")->required();
  contact->add_option("--at", *at, "when (a time, or a duration ago such as 10m; default now)")->check(SinceCheck());
  SetAction(contact, c, [con_id, at](Session& s) { return Contact(s, *con_id, *at); });
}

}  // namespace fbl::cli
