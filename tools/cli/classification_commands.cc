// fbl classify (dry run) and fbl classification correct | corrections |
// topics | info — the classification API.
#include <iostream>
#include <iterator>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "classification/v1/classification.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"

namespace fbl::cli {
namespace {

namespace clpb = ::feedbackloop::classification::v1;
namespace cpb = ::feedbackloop::common::v1;

std::unique_ptr<clpb::ClassificationService::Stub> Stub(Session& s) {
  return clpb::ClassificationService::NewStub(s.Channel(Service::kClassification));
}

std::string Tags(const google::protobuf::RepeatedPtrField<clpb::Tag>& tags) {
  std::vector<std::string> codes;
  for (const auto& t : tags) codes.push_back(t.code());
  return absl::StrJoin(codes, ", ");
}

// ---- classify ----

struct ClassifyOptions {
  std::string text, title, product_model, customer_type;
};

int Classify(Session& s, const ClassifyOptions& o) {
  clpb::ClassifyRequest req;
  std::string text = o.text;
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  req.set_text(text);
  req.set_title(o.title);
  req.set_product_model(o.product_model);
  req.set_customer_type(static_cast<cpb::CustomerType>(EnumValue(cpb::CustomerType_descriptor(), o.customer_type)));
  clpb::ClassifyResponse r;
  grpc::Status st = Stub(s)->Classify(s.Context().get(), req, &r);
  if (!st.ok()) return s.Fail(Service::kClassification, "Classify", st);
  if (s.json()) {
    s.PrintJson(r);
    return kExitOk;
  }
  if (s.quiet()) {
    for (const auto& t : r.tags()) std::cout << t.code() << "\n";
    return kExitOk;
  }
  std::cout << RenderFields({
      {"needs action", r.needs_action() ? "yes" : "no"},
      {"priority", ShortEnumName(*cpb::Priority_descriptor(), r.priority())},
      {"urgency", ShortEnumName(*clpb::Urgency_descriptor(), r.urgency())},
      {"problem type", ShortEnumName(*clpb::ProblemType_descriptor(), r.problem_type())},
      {"department", r.department()},
      {"sentiment", absl::StrFormat("%s (score %+.2f, intensity %.2f)",
                                    ShortEnumName(*clpb::Polarity_descriptor(), r.sentiment().polarity()),
                                    r.sentiment().score(), r.sentiment().intensity())},
      {"respond within", r.has_response_within() ? FormatSeconds(r.response_within().seconds()) : ""},
      {"resolve within", r.has_resolution_within() ? FormatSeconds(r.resolution_within().seconds()) : ""},
      {"taxonomy", r.taxonomy_version()},
      {"tag model", r.model_version()},
  });
  if (r.tags_size() > 0) {
    Table t({{"LEVEL"}, {"TAG", 40}, {"NAME", 20}, {"SOURCE"}, {"CONFIDENCE", 0, true}, {"EVIDENCE", 30}});
    for (const auto& tag : r.tags()) {
      t.AddRow({ShortEnumName(*clpb::TagLevel_descriptor(), tag.level()), tag.code(), tag.name(),
                ShortEnumName(*clpb::TagSource_descriptor(), tag.source()), absl::StrFormat("%.2f", tag.confidence()),
                tag.evidence()});
    }
    std::cout << "\n" << t.Render();
  }
  return kExitOk;
}

// ---- correct ----

struct CorrectOptions {
  std::string feedback_id, by, note, wait;
  std::vector<std::string> tags;
};

int Correct(Session& s, const CorrectOptions& o) {
  clpb::CorrectTagsRequest req;
  req.set_feedback_id(o.feedback_id);
  req.set_corrected_by(o.by.empty() ? s.user() : o.by);
  req.set_note(o.note);
  for (const auto& text : o.tags) {
    auto spec = ParseTagSpec(text);
    if (!spec.ok()) return UsageError(absl::StrCat("--tag: ", spec.status().message()));
    clpb::Tag* t = req.add_tags();
    t->set_level(static_cast<clpb::TagLevel>(spec->level));
    t->set_code(spec->code);
  }
  absl::Duration wait = absl::ZeroDuration();
  if (!o.wait.empty()) {
    auto d = ParseDuration(o.wait);
    if (!d.ok()) return UsageError(absl::StrCat("--wait: ", d.status().message()));
    wait = *d;
  }
  // A feedback just submitted is classified a moment later: with --wait,
  // NOT_FOUND is retried until the time is up.
  const absl::Time deadline = absl::Now() + wait;
  auto stub = Stub(s);
  while (true) {
    clpb::CorrectTagsResponse r;
    grpc::Status st = stub->CorrectTags(s.Context().get(), req, &r);
    if (st.ok()) {
      if (s.json()) {
        s.PrintJson(r);
      } else if (s.quiet()) {
        std::cout << r.correction_id() << "\n";
      } else {
        std::cout << "correction " << r.correction_id() << ": feedback " << o.feedback_id << " tagged "
                  << Tags(req.tags()) << " by " << req.corrected_by() << "\n";
      }
      return kExitOk;
    }
    if (st.error_code() != grpc::StatusCode::NOT_FOUND || absl::Now() >= deadline) {
      return s.Fail(Service::kClassification, "CorrectTags", st);
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
}

// ---- corrections ----

int Corrections(Session& s, int limit) {
  auto stub = Stub(s);
  Table table({{"CORRECTION"}, {"FEEDBACK"}, {"BY", 16}, {"AT"}, {"TAGS", 60}, {"NOTE", 30}});
  const int rc = ForEachPage(limit, [&](int page_size, const std::string& token, std::string* next) {
    clpb::ListCorrectionsRequest req;
    req.mutable_page()->set_page_size(page_size);
    req.mutable_page()->set_page_token(token);
    clpb::ListCorrectionsResponse resp;
    grpc::Status st = stub->ListCorrections(s.Context().get(), req, &resp);
    if (!st.ok()) return -s.Fail(Service::kClassification, "ListCorrections", st);
    for (const auto& c : resp.corrections()) {
      if (s.json()) {
        s.PrintJson(c);
      } else if (s.quiet()) {
        std::cout << c.correction_id() << "\n";
      } else {
        table.AddRow({c.correction_id(), c.feedback_id(), c.corrected_by(), s.Time(c.corrected_at()), Tags(c.tags()),
                      c.note()});
      }
    }
    *next = resp.next_page_token();
    return resp.corrections_size();
  });
  if (rc == kExitOk && !s.json() && !s.quiet()) std::cout << table.Render();
  return rc;
}

// ---- topics ----

int Topics(Session& s, int n) {
  clpb::ListEmergingTopicsRequest req;
  req.set_limit(n);
  clpb::ListEmergingTopicsResponse resp;
  grpc::Status st = Stub(s)->ListEmergingTopics(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kClassification, "ListEmergingTopics", st);
  Table t({{"TOPIC"}, {"SIZE", 0, true}, {"FIRST SEEN"}, {"LAST SEEN"}, {"TERMS", 50}});
  for (const auto& topic : resp.topics()) {
    if (s.json()) {
      s.PrintJson(topic);
    } else {
      t.AddRow({topic.topic_id(), absl::StrCat(topic.size()), s.Time(topic.first_seen()), s.Time(topic.last_seen()),
                absl::StrJoin(topic.top_terms(), " ")});
    }
  }
  if (!s.json()) std::cout << t.Render();
  return kExitOk;
}

// ---- info ----

int Info(Session& s) {
  clpb::GetTaxonomyInfoResponse r;
  grpc::Status st = Stub(s)->GetTaxonomyInfo(s.Context().get(), clpb::GetTaxonomyInfoRequest(), &r);
  if (!st.ok()) return s.Fail(Service::kClassification, "GetTaxonomyInfo", st);
  if (s.json()) {
    s.PrintJson(r);
    return kExitOk;
  }
  std::cout << RenderFields({{"taxonomy", r.taxonomy_version()},
                             {"loaded", s.Time(r.loaded_at())},
                             {"tags", absl::StrCat(r.tag_count())},
                             {"tag model", r.model_version()},
                             {"sentiment model", r.sentiment_model_version()}});
  return kExitOk;
}

}  // namespace

void AddClassificationCommands(CLI::App& app, Commands& c) {
  auto co = std::make_shared<ClassifyOptions>();
  auto* classify = app.add_subcommand("classify", "Classify a text without side effects (dry run)");
  AddAddressOption(classify, c, Service::kClassification);
  classify->add_option("--text", co->text, "the text; - reads it from stdin")->required();
  classify->add_option("--title", co->title, "optional title");
  classify->add_option("--product-model", co->product_model, "product model, for department routing");
  AddEnumOption(classify, "--customer-type", &co->customer_type, cpb::CustomerType_descriptor(),
                "customer segment (vip raises the priority)");
  SetAction(classify, c, [co](Session& s) { return Classify(s, *co); });

  auto* group = app.add_subcommand("classification", "Corrections, emerging topics, taxonomy (classification)");
  group->require_subcommand(1);
  AddAddressOption(group, c, Service::kClassification);

  auto cr = std::make_shared<CorrectOptions>();
  auto* correct = group->add_subcommand("correct", "Replace a feedback's tags by the complete corrected set");
  correct->add_option("FEEDBACK_ID", cr->feedback_id, "the feedback")->required();
  correct->add_option("--tag", cr->tags,
                      "tag code, repeatable: complaint (L1), logistics (L2), logistics.late_delivery (L3); "
                      "or l1:/l2:/l3: before the code")
      ->required();
  correct->add_option("--by", cr->by, "who corrects (default: --user)");
  correct->add_option("--note", cr->note, "why, in a sentence");
  correct->add_option("--wait", cr->wait, "retry while the feedback is not classified yet, up to e.g. 30s")
      ->check(DurationCheck());
  SetAction(correct, c, [cr](Session& s) { return Correct(s, *cr); });

  auto limit = std::make_shared<int>(50);
  auto* corrections = group->add_subcommand("corrections", "Recorded corrections");
  corrections->add_option("--limit,-n", *limit, "at most this many (0 = all)")->capture_default_str();
  SetAction(corrections, c, [limit](Session& s) { return Corrections(s, *limit); });

  auto n = std::make_shared<int>(20);
  auto* topics = group->add_subcommand("topics", "Candidate new topics no rule explains, largest first");
  topics->add_option("-n", *n, "how many")->capture_default_str();
  SetAction(topics, c, [n](Session& s) { return Topics(s, *n); });

  auto* info = group->add_subcommand("info", "Loaded taxonomy and model versions");
  SetAction(info, c, [](Session& s) { return Info(s); });
}

}  // namespace fbl::cli
