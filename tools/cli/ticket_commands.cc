// fbl tickets list | show | create | transition | assign | comment | audit — the workorder API.
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"
#include "workorder/v1/workorder.grpc.pb.h"

namespace fbl::cli {
namespace {

namespace cpb = ::feedbackloop::common::v1;
namespace wpb = ::feedbackloop::workorder::v1;

std::string State(int s) { return ShortEnumName(*wpb::TicketState_descriptor(), s); }
std::string Priority(int p) { return ShortEnumName(*cpb::Priority_descriptor(), p); }

std::unique_ptr<wpb::WorkorderService::Stub> Stub(Session& s) {
  return wpb::WorkorderService::NewStub(s.Channel(Service::kWorkorder));
}

// The due time with its flags: "2026-11-20 18:00:00 (breached)".
std::string Due(const Session& s, const google::protobuf::Timestamp& t, bool warned, bool breached) {
  std::string out = s.Time(t);
  if (out.empty()) return out;
  if (breached) return out + " (breached)";
  if (warned) return out + " (warned)";
  return out;
}

// After a change: the ticket as JSON, its id, or one line.
int PrintChanged(Session& s, const wpb::Ticket& t, const std::string& what) {
  if (s.json()) {
    s.PrintJson(t);
  } else if (s.quiet()) {
    std::cout << t.ticket_id() << "\n";
  } else {
    std::cout << "ticket " << t.ticket_id() << ": " << what << "; state " << State(t.state())
              << (t.assignee().empty() ? "" : absl::StrCat(", assignee ", t.assignee())) << ", version " << t.version()
              << "\n";
  }
  return kExitOk;
}

// ---- list ----

struct ListOptions {
  std::string state, priority, department, assignee, customer;
  int limit = 50;
};

int List(Session& s, const ListOptions& o) {
  auto stub = Stub(s);
  Table table({{"TICKET"}, {"STATE"}, {"PRIORITY"}, {"DEPARTMENT", 16}, {"ASSIGNEE", 16}, {"CREATED"},
               {"RESOLUTION DUE"}, {"TITLE", 40}});
  const int rc = ForEachPage(o.limit, [&](int page_size, const std::string& token, std::string* next) {
    wpb::ListTicketsRequest req;
    req.set_state(static_cast<wpb::TicketState>(EnumValue(wpb::TicketState_descriptor(), o.state)));
    req.set_priority(static_cast<cpb::Priority>(EnumValue(cpb::Priority_descriptor(), o.priority)));
    req.set_department(o.department);
    req.set_assignee(o.assignee);
    req.set_customer_pseudonym(o.customer);
    req.mutable_page()->set_page_size(page_size);
    req.mutable_page()->set_page_token(token);
    wpb::ListTicketsResponse resp;
    grpc::Status st = stub->ListTickets(s.Context().get(), req, &resp);
    if (!st.ok()) return -s.Fail(Service::kWorkorder, "ListTickets", st);
    for (const auto& t : resp.tickets()) {
      if (s.json()) {
        s.PrintJson(t);
      } else if (s.quiet()) {
        std::cout << t.ticket_id() << "\n";
      } else {
        table.AddRow({t.ticket_id(), State(t.state()), Priority(t.priority()), t.department(), t.assignee(),
                      s.Time(t.created_at()), Due(s, t.resolution_due(), t.resolution_warned(), t.resolution_breached()),
                      t.title()});
      }
    }
    *next = resp.next_page_token();
    return resp.tickets_size();
  });
  if (rc == kExitOk && !s.json() && !s.quiet()) std::cout << table.Render();
  return rc;
}

// ---- show ----

int Show(Session& s, const std::string& id) {
  wpb::GetTicketRequest req;
  req.set_ticket_id(id);
  wpb::Ticket t;
  grpc::Status st = Stub(s)->GetTicket(s.Context().get(), req, &t);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "GetTicket", st);
  if (s.json()) {
    s.PrintJson(t);
    return kExitOk;
  }
  if (s.quiet()) {
    std::cout << t.ticket_id() << "\n";
    return kExitOk;
  }
  std::string survey;
  if (t.has_survey() && t.survey().csat() > 0) {
    survey = absl::StrCat("CSAT ", t.survey().csat(), t.survey().has_nps() ? absl::StrCat(", NPS ", t.survey().nps()) : "",
                          t.survey().comment().empty() ? "" : absl::StrCat(": ", t.survey().comment()));
  }
  std::cout << RenderFields({
      {"ticket", t.ticket_id()},
      {"title", t.title()},
      {"state", State(t.state())},
      {"priority", Priority(t.priority())},
      {"origin", ShortEnumName(*wpb::TicketOrigin_descriptor(), t.origin())},
      {"alert", t.alert_id()},
      {"department", absl::StrCat(t.department(), t.team().empty() ? "" : absl::StrCat(" / ", t.team()))},
      {"assignee", t.assignee()},
      {"customer", t.customer_pseudonym()},
      {"language", t.language()},
      {"problem type", ShortenEnumString(t.problem_type(), "PROBLEM_TYPE_")},
      {"tags", absl::StrJoin(t.tags(), ", ")},
      {"feedback", absl::StrJoin(t.feedback_ids(), "\n")},
      {"created", s.Time(t.created_at())},
      {"updated", s.Time(t.updated_at())},
      {"response due", Due(s, t.response_due(), t.response_warned(), t.response_breached())},
      {"resolution due", Due(s, t.resolution_due(), t.resolution_warned(), t.resolution_breached())},
      {"first response", s.Time(t.first_response_at())},
      {"resolved", s.Time(t.resolved_at())},
      {"closed", s.Time(t.closed_at())},
      {"waiting", t.waiting_on_customer() ? absl::StrCat("on the customer since ", s.Time(t.waiting_since())) : ""},
      {"merged into", t.merged_into()},
      {"reopened", t.reopen_count() > 0 ? absl::StrCat(t.reopen_count(), " times") : ""},
      {"survey", survey},
      {"version", absl::StrCat(t.version())},
      {"summary", t.summary()},
  });
  return kExitOk;
}

// ---- create ----

struct CreateOptions {
  std::string title, summary, priority, department, feedback_id, customer, problem_type;
  std::vector<std::string> tags;
};

int Create(Session& s, const CreateOptions& o) {
  wpb::CreateTicketRequest req;
  req.set_title(o.title);
  req.set_summary(o.summary);
  req.set_priority(static_cast<cpb::Priority>(EnumValue(cpb::Priority_descriptor(), o.priority)));
  req.set_department(o.department);
  req.set_feedback_id(o.feedback_id);
  req.set_customer_pseudonym(o.customer);
  req.set_problem_type(o.problem_type);
  for (const auto& tag : o.tags) req.add_tags(tag);
  req.set_actor(s.user());
  req.set_origin(wpb::TICKET_ORIGIN_API);
  wpb::Ticket t;
  grpc::Status st = Stub(s)->CreateTicket(s.Context().get(), req, &t);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "CreateTicket", st);
  return PrintChanged(s, t, "created");
}

// ---- transition ----

struct TransitionOptions {
  std::string id, to, note, merge_into;
  int64_t expected_version = 0;
};

int Transition(Session& s, const TransitionOptions& o) {
  wpb::TransitionTicketRequest req;
  req.set_ticket_id(o.id);
  req.set_to_state(static_cast<wpb::TicketState>(EnumValue(wpb::TicketState_descriptor(), o.to)));
  req.set_note(o.note);
  req.set_merge_into(o.merge_into);
  req.set_expected_version(o.expected_version);
  req.set_actor(s.user());
  if (req.to_state() == wpb::TICKET_STATE_MERGED && o.merge_into.empty()) {
    return UsageError("--to merged needs --merge-into TICKET");
  }
  wpb::Ticket t;
  grpc::Status st = Stub(s)->TransitionTicket(s.Context().get(), req, &t);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "TransitionTicket", st);
  return PrintChanged(s, t, absl::StrCat("moved to ", State(req.to_state())));
}

// ---- assign ----

struct AssignOptions {
  std::string id, to;
  bool automatic = false;
  int64_t expected_version = 0;
};

int Assign(Session& s, const AssignOptions& o) {
  if (o.to.empty() == !o.automatic) return UsageError("tickets assign: give either --to AGENT or --auto");
  wpb::AssignTicketRequest req;
  req.set_ticket_id(o.id);
  req.set_assignee(o.to);
  req.set_expected_version(o.expected_version);
  req.set_actor(s.user());
  wpb::Ticket t;
  grpc::Status st = Stub(s)->AssignTicket(s.Context().get(), req, &t);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "AssignTicket", st);
  return PrintChanged(s, t, absl::StrCat("assigned to ", t.assignee()));
}

// ---- comment ----

struct CommentOptions {
  std::string id, text;
  bool customer_visible = false;
};

int Comment(Session& s, const CommentOptions& o) {
  wpb::AddCommentRequest req;
  req.set_ticket_id(o.id);
  req.set_text(o.text);
  req.set_customer_visible(o.customer_visible);
  req.set_actor(s.user());
  wpb::Ticket t;
  grpc::Status st = Stub(s)->AddComment(s.Context().get(), req, &t);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "AddComment", st);
  return PrintChanged(s, t, o.customer_visible ? "commented (sent to the customer)" : "commented");
}

// ---- audit ----

int Audit(Session& s, const std::string& id) {
  wpb::GetAuditTrailRequest req;
  req.set_ticket_id(id);
  wpb::GetAuditTrailResponse resp;
  grpc::Status st = Stub(s)->GetAuditTrail(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kWorkorder, "GetAuditTrail", st);
  Table table({{"AT"}, {"ACTOR", 20}, {"ACTION", 24}, {"VERSION", 0, true}, {"DETAIL", 80}});
  for (const auto& e : resp.entries()) {
    if (s.json()) {
      s.PrintJson(e);
    } else {
      table.AddRow({s.Time(e.at()), e.actor(), e.action(), absl::StrCat(e.version()), e.detail()});
    }
  }
  if (!s.json()) std::cout << table.Render();
  return kExitOk;
}

}  // namespace

void AddTicketCommands(CLI::App& app, Commands& c) {
  auto* group = app.add_subcommand("tickets", "List, read and work on tickets (workorder)");
  group->require_subcommand(1);
  AddAddressOption(group, c, Service::kWorkorder);

  auto lo = std::make_shared<ListOptions>();
  auto* list = group->add_subcommand("list", "Tickets matching all given filters, newest first");
  AddEnumOption(list, "--state", &lo->state, wpb::TicketState_descriptor(), "only this state");
  AddEnumOption(list, "--priority", &lo->priority, cpb::Priority_descriptor(), "only this priority");
  list->add_option("--department", lo->department, "only this department code, e.g. logistics");
  list->add_option("--assignee", lo->assignee, "only this agent");
  list->add_option("--customer", lo->customer, "only this customer pseudonym (c_...)");
  list->add_option("--limit,-n", lo->limit, "at most this many (0 = all)")->capture_default_str();
  SetAction(list, c, [lo](Session& s) { return List(s, *lo); });

  auto id = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "One ticket with deadlines, tags and feedback ids");
  show->add_option("ID", *id, "ticket id")->required();
  SetAction(show, c, [id](Session& s) { return Show(s, *id); });

  auto co = std::make_shared<CreateOptions>();
  auto* create = group->add_subcommand("create", "Open a ticket by hand (origin api); --user is the creator");
  create->add_option("--title", co->title, "short title")->required();
  create->add_option("--summary", co->summary, "summary for the handler");
  AddEnumOption(create, "--priority", &co->priority, cpb::Priority_descriptor(), "priority (default p4_routine)");
  create->add_option("--department", co->department, "department code (default: routed from tags)");
  create->add_option("--tag", co->tags, "taxonomy tag code (repeatable)");
  create->add_option("--feedback-id", co->feedback_id, "the feedback it is for (idempotency key)");
  create->add_option("--customer", co->customer, "customer pseudonym");
  create->add_option("--problem-type", co->problem_type, "ProblemType name, e.g. PROBLEM_TYPE_LOGISTICS");
  SetAction(create, c, [co](Session& s) { return Create(s, *co); });

  auto to = std::make_shared<TransitionOptions>();
  auto* transition = group->add_subcommand(
      "transition", "Move a ticket to another state (pending, in_progress, awaiting_verification, done, closed, ...)");
  transition->add_option("ID", to->id, "ticket id")->required();
  AddEnumOption(transition, "--to", &to->to, wpb::TicketState_descriptor(), "target state")->required();
  transition->add_option("--note", to->note, "why; goes into the audit trail");
  transition->add_option("--merge-into", to->merge_into, "for --to merged: the ticket this one joins");
  transition->add_option("--expected-version", to->expected_version,
                         "refuse (ABORTED) if the ticket changed since this version (0 = any)");
  SetAction(transition, c, [to](Session& s) { return Transition(s, *to); });

  auto ao = std::make_shared<AssignOptions>();
  auto* assign = group->add_subcommand("assign", "Assign a ticket to an agent, or automatically");
  assign->add_option("ID", ao->id, "ticket id")->required();
  auto* agent = assign->add_option("--to", ao->to, "agent id");
  assign->add_flag("--auto", ao->automatic, "by skill, language and load (RESOURCE_EXHAUSTED when nobody has room)")
      ->excludes(agent);
  assign->add_option("--expected-version", ao->expected_version, "refuse if the ticket changed since (0 = any)");
  SetAction(assign, c, [ao](Session& s) { return Assign(s, *ao); });

  auto cm = std::make_shared<CommentOptions>();
  auto* comment = group->add_subcommand("comment", "Add a comment to a ticket");
  comment->add_option("ID", cm->id, "ticket id")->required();
  comment->add_option("--text", cm->text, "the comment")->required();
  comment->add_flag("--customer-visible", cm->customer_visible, "also send it to the customer");
  SetAction(comment, c, [cm](Session& s) { return Comment(s, *cm); });

  auto aid = std::make_shared<std::string>();
  auto* audit = group->add_subcommand("audit", "Who did what to a ticket, oldest first");
  audit->add_option("ID", *aid, "ticket id")->required();
  SetAction(audit, c, [aid](Session& s) { return Audit(s, *aid); });
}

}  // namespace fbl::cli
