#include "services/classification/classification_service.h"

#include <malloc.h>

#include <algorithm>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/delivery_tracker.h"
#include "libs/text/feedback_id.h"
#include "libs/text/normalize.h"
#include "libs/runtime/log.h"
#include "libs/runtime/proto_time.h"

namespace fbl::classification {
namespace {

namespace cpb = ::feedbackloop::common::v1;

using runtime::FromProto;
using runtime::ToProto;

pb::ProblemType ProblemTypeProto(const std::string& name) {
  pb::ProblemType t = pb::PROBLEM_TYPE_UNSPECIFIED;
  pb::ProblemType_Parse("PROBLEM_TYPE_" + absl::AsciiStrToUpper(name), &t);
  return t;
}

pb::Polarity PolarityProto(sentiment::Polarity p) {
  switch (p) {
    case sentiment::Polarity::kPositive:
      return pb::POLARITY_POSITIVE;
    case sentiment::Polarity::kNegative:
      return pb::POLARITY_NEGATIVE;
    case sentiment::Polarity::kNeutral:
      break;
  }
  return pb::POLARITY_NEUTRAL;
}

void FillSentiment(const Analysis& a, const std::string& model_version, pb::Sentiment* s) {
  s->set_polarity(PolarityProto(a.sentiment.polarity));
  s->set_score(a.sentiment.score);
  s->set_intensity(a.sentiment.intensity);
  s->set_model_version(model_version);
}

std::string PolarityName(sentiment::Polarity p) {
  return p == sentiment::Polarity::kPositive ? "positive" : p == sentiment::Polarity::kNegative ? "negative" : "neutral";
}

}  // namespace

absl::StatusOr<std::unique_ptr<TaxonomyReloader>> CreateTaxonomyReloader(std::string path) {
  return TaxonomyReloader::Create(std::move(path), &Taxonomy::Load, [](const Taxonomy& t) { return t.version(); });
}

absl::StatusOr<std::unique_ptr<TagModelReloader>> CreateTagModelReloader(std::string path) {
  return TagModelReloader::Create(std::move(path), &TagModel::Load, [](const TagModel& m) { return m.version(); });
}

std::shared_ptr<const Classifier> ClassifierSource::Get() {
  std::shared_ptr<const Taxonomy> t = taxonomy_.Current();
  std::shared_ptr<const TagModel> tags = tags_ != nullptr ? tags_->Current() : nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (t != seen_ || tags != seen_tags_) {
    current_ = std::make_shared<const Classifier>(t, model_, policy_, tags);
    seen_ = std::move(t);
    seen_tags_ = std::move(tags);
    loaded_at_ = absl::Now();
  }
  return current_;
}

absl::Time ClassifierSource::loaded_at() {
  (void)Get();
  std::lock_guard<std::mutex> lock(mu_);
  return loaded_at_;
}

ClassificationMetrics::ClassificationMetrics(prometheus::Registry& registry)
    : records_(prometheus::BuildCounter()
                   .Name("classification_records_total")
                   .Help("Accepted records read, by result (classified, skipped).")
                   .Register(registry)),
      intents_(prometheus::BuildCounter()
                   .Name("classification_intents_total")
                   .Help("Classified records by L1 intent.")
                   .Register(registry)),
      modules_(prometheus::BuildCounter()
                   .Name("classification_modules_total")
                   .Help("L2 module tags given (a record may have several), by module code.")
                   .Register(registry)),
      problems_(prometheus::BuildCounter()
                    .Name("classification_problems_total")
                    .Help("L3 problem tags given, by problem code (bounded by the taxonomy).")
                    .Register(registry)),
      priorities_(prometheus::BuildCounter()
                      .Name("classification_priorities_total")
                      .Help("Classified records by four-quadrant priority.")
                      .Register(registry)),
      reloads_(prometheus::BuildCounter()
                   .Name("classification_taxonomy_reloads_total")
                   .Help("Taxonomy file reloads, by result (ok, refused).")
                   .Register(registry)),
      batch_seconds_(prometheus::BuildHistogram()
                         .Name("classification_batch_seconds")
                         .Help("Time to classify, count and publish one consumed batch.")
                         .Register(registry)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                                          1, 2.5, 5})) {
  for (const char* result : {"ok", "refused"}) reloads_.Add({{"result", result}});
}

Input InputFor(const fpb::FeedbackRecord& record, std::string* text_buffer) {
  if (record.title().empty()) {
    *text_buffer = record.text();
  } else {
    *text_buffer = absl::StrCat(record.title(), "\n", record.text());
  }
  return {*text_buffer, record.normalized_text(), record.product().model(),
          record.customer_type() == cpb::CUSTOMER_TYPE_VIP};
}

void AppendTags(const Classifier& classifier, const Analysis& a, google::protobuf::RepeatedPtrField<pb::Tag>* tags) {
  const Taxonomy& t = classifier.taxonomy();
  pb::Tag* l1 = tags->Add();
  l1->set_level(pb::TAG_LEVEL_L1);
  l1->set_code(std::string(IntentCode(a.intent)));
  l1->set_name(std::string(IntentName(a.intent)));
  l1->set_source(static_cast<pb::TagSource>(a.intent_source));
  l1->set_confidence(a.intent_confidence);
  l1->set_evidence(a.intent_evidence);
  std::set<int> modules;
  for (const ProblemHit& h : a.problems) {
    const Problem& p = t.problems()[h.problem];
    if (modules.insert(p.module).second) {
      pb::Tag* l2 = tags->Add();
      l2->set_level(pb::TAG_LEVEL_L2);
      l2->set_code(t.modules()[p.module].code);
      l2->set_name(t.modules()[p.module].name);
      l2->set_source(static_cast<pb::TagSource>(h.source));
      l2->set_confidence(h.confidence);
      l2->set_parent_code(l1->code());
    }
  }
  for (const ProblemHit& h : a.problems) {
    const Problem& p = t.problems()[h.problem];
    pb::Tag* l3 = tags->Add();
    l3->set_level(pb::TAG_LEVEL_L3);
    l3->set_code(p.code);
    l3->set_name(p.name);
    l3->set_source(static_cast<pb::TagSource>(h.source));
    l3->set_confidence(h.confidence);
    if (!h.evidence.empty()) l3->set_evidence(h.evidence.front());
    l3->set_parent_code(t.modules()[p.module].code);
  }
}

pb::ClassifiedFeedback ToClassified(const fpb::FeedbackRecord& record, const Classifier& classifier,
                                    const Analysis& a, const Decision& d, const std::string& model_version,
                                    absl::Time now) {
  pb::ClassifiedFeedback out;
  *out.mutable_feedback() = record;
  AppendTags(classifier, a, out.mutable_tags());
  out.set_problem_type(ProblemTypeProto(a.problem_type));
  out.set_impact_scope(static_cast<pb::ImpactScope>(d.impact));
  out.set_distinct_customers(d.distinct_customers);
  out.set_urgency(static_cast<pb::Urgency>(d.urgency));
  out.set_priority(static_cast<cpb::Priority>(d.priority));
  *out.mutable_response_within() = ToProto(d.target.response);
  *out.mutable_resolution_within() = ToProto(d.target.resolution);
  out.set_department(d.department);
  FillSentiment(a, model_version, out.mutable_sentiment());
  out.set_needs_action(d.needs_action);
  out.set_taxonomy_version(classifier.taxonomy().version());
  out.set_model_version(classifier.tag_model_version());
  *out.mutable_classified_at() = ToProto(now);
  return out;
}

absl::Status ClassificationProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  const absl::Time started = absl::Now();
  std::shared_ptr<const Classifier> classifier = classifiers_.Get();
  struct Item {
    fpb::FeedbackRecord record;
    std::string text;
    Input input;
    Analysis analysis;
  };
  // Built in place and never reallocated (reserved): each item's input views
  // its own record and text.
  std::vector<Item> items;
  items.reserve(batch.size());
  std::vector<ImpactStore::Observation> observations;
  for (const kafka::Message& m : batch) {
    Item& item = items.emplace_back();
    if (!item.record.ParseFromString(m.value) || item.record.feedback_id().empty()) {
      // Intake only publishes valid records; a foreign one is skipped, not retried forever.
      log::Error("not a FeedbackRecord; skipped",
                 {{"partition", std::to_string(m.partition)}, {"offset", std::to_string(m.offset)}});
      metrics_.Record("skipped");
      items.pop_back();
      continue;
    }
    item.input = InputFor(item.record, &item.text);
    item.analysis = classifier->Analyze(item.input);
    ImpactStore::Observation o;
    o.feedback_id = item.record.feedback_id();
    for (const ProblemHit& h : item.analysis.problems) o.problems.push_back(classifier->taxonomy().problems()[h.problem].code);
    o.customer = item.record.customer_pseudonym();
    o.at = item.record.has_received_at() ? FromProto(item.record.received_at()) : started;
    observations.push_back(std::move(o));
  }
  auto counts = impact_.Record(observations);
  if (!counts.ok()) return counts.status();
  std::vector<ClassificationStore::Seen> seen;
  seen.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    seen.push_back({items[i].record.feedback_id(), items[i].record.normalized_text(), observations[i].problems,
                    observations[i].at});
  }
  if (absl::Status s = store_.Remember(seen); !s.ok()) return s;

  auto tracker = std::make_shared<kafka::DeliveryTracker>();
  const absl::Time now = absl::Now();
  std::vector<pb::ClassifiedFeedback> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    const Decision d = classifier->Decide(item.analysis, item.input, (*counts)[i]);
    out.push_back(ToClassified(item.record, *classifier, item.analysis, d, classifiers_.sentiment_model_version(), now));
    const pb::ClassifiedFeedback& c = out.back();
    const std::string& key =
        item.record.customer_pseudonym().empty() ? item.record.feedback_id() : item.record.customer_pseudonym();
    kafka::OutgoingMessage msg{config_.classified_topic, key, c.SerializeAsString(),
                               {{kafka::kSchemaHeader, c.GetTypeName()}}};
    if (absl::Status s = producer_.Produce(std::move(msg), tracker->Track(tracker)); !s.ok()) return s;
  }
  if (absl::Status s = tracker->Wait(config_.producer.message_timeout + absl::Seconds(5)); !s.ok()) return s;
  for (const pb::ClassifiedFeedback& c : out) {
    metrics_.Record("classified");
    metrics_.Priority(PriorityName(static_cast<Priority>(c.priority())));
    for (const pb::Tag& t : c.tags()) {
      if (t.level() == pb::TAG_LEVEL_L1) metrics_.Intent(t.code());
      if (t.level() == pb::TAG_LEVEL_L2) metrics_.Module(t.code());
      if (t.level() == pb::TAG_LEVEL_L3) metrics_.Problem(t.code());
    }
  }
  metrics_.BatchSeconds(absl::ToDoubleSeconds(absl::Now() - started));
  return absl::OkStatus();
}

grpc::Status ClassificationGrpcService::Classify(grpc::ServerContext*, const pb::ClassifyRequest* request,
                                                 pb::ClassifyResponse* response) {
  if (request->text().find_first_not_of(" \t\r\n") == std::string::npos) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "text is required");
  }
  if (request->text().size() + request->title().size() > 65536) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "title + text must be at most 65536 bytes");
  }
  std::shared_ptr<const Classifier> classifier = classifiers_.Get();
  fpb::FeedbackRecord record;
  record.set_title(request->title());
  record.set_text(request->text());
  record.mutable_product()->set_model(request->product_model());
  record.set_customer_type(request->customer_type());
  static const auto* normalizer = new auto(text::Normalizer::Create());
  if (normalizer->ok()) record.set_normalized_text((*normalizer)->Normalize(absl::StrCat(request->title(), " ", request->text())));
  std::string buffer;
  const Input input = InputFor(record, &buffer);
  const Analysis a = classifier->Analyze(input);
  const Decision d = classifier->Decide(a, input, {});
  AppendTags(*classifier, a, response->mutable_tags());
  response->set_problem_type(ProblemTypeProto(a.problem_type));
  response->set_urgency(static_cast<pb::Urgency>(d.urgency));
  response->set_priority(static_cast<cpb::Priority>(d.priority));
  response->set_department(d.department);
  FillSentiment(a, classifiers_.sentiment_model_version(), response->mutable_sentiment());
  *response->mutable_response_within() = ToProto(d.target.response);
  *response->mutable_resolution_within() = ToProto(d.target.resolution);
  response->set_needs_action(d.needs_action);
  response->set_taxonomy_version(classifier->taxonomy().version());
  return grpc::Status::OK;
}

absl::StatusOr<int> TopicsJob::RunOnce(absl::Time now) {
  auto leading = store_.LeadTopics(owner_, config_.interval);
  if (!leading.ok()) return leading.status();
  if (!*leading) return -1;
  absl::StatusOr<int> found = Compute(now);
  // The documents and clusters (tens of MB for max_docs texts) are freed by
  // now; hand the pages back, or the process keeps them until the next run.
  malloc_trim(0);
  return found;
}

absl::StatusOr<int> TopicsJob::Compute(absl::Time now) {
  auto docs = store_.Unexplained(now - config_.window, config_.max_docs);
  if (!docs.ok()) return docs.status();
  TopicOptions options;
  options.min_cluster_size = config_.min_cluster_size;
  options.max_topics = config_.max_topics;
  const std::vector<EmergingTopic> topics = FindEmergingTopics(*docs, options);
  pb::ListEmergingTopicsResponse out;
  for (const EmergingTopic& t : topics) {
    pb::EmergingTopic* p = out.add_topics();
    p->set_topic_id(t.topic_id);
    for (const std::string& term : t.top_terms) p->add_top_terms(term);
    p->set_size(t.size);
    for (const std::string& id : t.sample_feedback_ids) p->add_sample_feedback_ids(id);
    *p->mutable_first_seen() = ToProto(t.first_seen);
    *p->mutable_last_seen() = ToProto(t.last_seen);
  }
  if (absl::Status s = store_.SaveTopics(out); !s.ok()) return s;
  log::Info("emerging topics updated", {{"documents", std::to_string(docs->size())},
                                        {"topics", std::to_string(topics.size())},
                                        {"largest", topics.empty() ? "" : topics.front().top_terms.empty()
                                                                               ? ""
                                                                               : topics.front().top_terms.front()}});
  return static_cast<int>(topics.size());
}

runtime::PermissionTable ClassificationPermissions() {
  const std::string read(runtime::kPermFeedbackRead);
  return {{"Classify", read},
          {"CorrectTags", std::string(runtime::kPermTagsWrite)},
          {"ListCorrections", read},
          {"ListEmergingTopics", read},
          {"GetTaxonomyInfo", read}};
}

grpc::Status ClassificationGrpcService::CorrectTags(grpc::ServerContext* context, const pb::CorrectTagsRequest* claimed,
                                                    pb::CorrectTagsResponse* response) {
  // With auth on, the authenticated caller corrects, whatever the request names.
  pb::CorrectTagsRequest authenticated;
  const pb::CorrectTagsRequest* request = claimed;
  if (context != nullptr) {
    if (auto caller = runtime::CallerOf(*context)) {
      authenticated = *claimed;
      authenticated.set_corrected_by(caller->name);
      request = &authenticated;
    }
  }
  if (request->feedback_id().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "feedback_id is required");
  if (request->corrected_by().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "corrected_by is required (who corrects)");
  }
  if (request->tags().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "tags is empty: give the complete corrected set");
  }
  const Taxonomy& t = classifiers_.Get()->taxonomy();
  for (int i = 0; i < request->tags_size(); ++i) {
    const pb::Tag& tag = request->tags(i);
    bool known = false;
    switch (tag.level()) {
      case pb::TAG_LEVEL_L1:
        known = tag.code() == "complaint" || tag.code() == "suggestion" || tag.code() == "inquiry" ||
                tag.code() == "praise";
        break;
      case pb::TAG_LEVEL_L2:
        known = std::any_of(t.modules().begin(), t.modules().end(), [&](const Module& m) { return m.code == tag.code(); });
        break;
      case pb::TAG_LEVEL_L3:
        known =
            std::any_of(t.problems().begin(), t.problems().end(), [&](const Problem& p) { return p.code == tag.code(); });
        break;
      default:
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("tags[", i, "].level is required"));
    }
    if (!known) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("tags[", i, "].code '", tag.code(), "' is not a ",
                                       pb::TagLevel_Name(tag.level()), " code of taxonomy ", t.version()));
    }
  }
  auto found = store_.Find(request->feedback_id());
  if (!found.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(found.status().message()));
  if (!found->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("feedback ", request->feedback_id(),
                                     " was not classified here or is older than the correction window"));
  }
  pb::Correction c;
  c.set_correction_id(text::NewFeedbackId());
  c.set_feedback_id(request->feedback_id());
  for (const pb::Tag& tag : request->tags()) {
    pb::Tag* out = c.add_tags();
    *out = tag;
    out->set_source(pb::TAG_SOURCE_HUMAN);
    out->set_confidence(1.0);
  }
  c.set_corrected_by(request->corrected_by());
  c.set_note(request->note());
  *c.mutable_corrected_at() = ToProto(absl::Now());
  if (absl::Status s = store_.AddCorrection(c, (*found)->normalized); !s.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));
  }
  auto tracker = std::make_shared<kafka::DeliveryTracker>();
  absl::Status s = producer_.Produce({corrections_topic_, c.feedback_id(), c.SerializeAsString(),
                                      {{kafka::kSchemaHeader, c.GetTypeName()}}},
                                     tracker->Track(tracker));
  if (s.ok()) s = tracker->Wait(publish_timeout_);
  if (!s.ok()) {
    // Kept in Redis (training reads it from there); the event is what is missing.
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("correction ", c.correction_id(), " stored but not published: ", s.message()));
  }
  log::Info("tags corrected", {{"feedback_id", c.feedback_id()},
                               {"correction_id", c.correction_id()},
                               {"by", c.corrected_by()}});
  response->set_correction_id(c.correction_id());
  return grpc::Status::OK;
}

grpc::Status ClassificationGrpcService::ListCorrections(grpc::ServerContext*, const pb::ListCorrectionsRequest* request,
                                                        pb::ListCorrectionsResponse* response) {
  const int size = request->page().page_size() <= 0 ? 50 : std::min(request->page().page_size(), 500);
  auto page = store_.ListCorrections(request->page().page_token(), size);
  if (!page.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(page.status().message()));
  for (auto& c : page->corrections) *response->add_corrections() = std::move(c);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status ClassificationGrpcService::ListEmergingTopics(grpc::ServerContext*,
                                                           const pb::ListEmergingTopicsRequest* request,
                                                           pb::ListEmergingTopicsResponse* response) {
  auto topics = store_.LoadTopics();
  if (!topics.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(topics.status().message()));
  const int limit = request->limit() <= 0 ? 20 : request->limit();
  for (int i = 0; i < topics->topics_size() && i < limit; ++i) *response->add_topics() = topics->topics(i);
  return grpc::Status::OK;
}

absl::StatusOr<size_t> ExportCorrections(ClassificationStore& store, std::ostream& out) {
  auto all = store.LatestCorrections();
  if (!all.ok()) return all.status();
  for (const auto& l : *all) {
    std::vector<std::string> l3;
    for (const pb::Tag& t : l.correction.tags()) {
      if (t.level() == pb::TAG_LEVEL_L3) l3.push_back(t.code());
    }
    out << nlohmann::json{{"feedback_id", l.correction.feedback_id()}, {"text", l.normalized}, {"l3", l3}}.dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  return all->size();
}

grpc::Status ClassificationGrpcService::GetTaxonomyInfo(grpc::ServerContext*, const pb::GetTaxonomyInfoRequest*,
                                                        pb::GetTaxonomyInfoResponse* response) {
  std::shared_ptr<const Classifier> classifier = classifiers_.Get();
  const Taxonomy& t = classifier->taxonomy();
  response->set_taxonomy_version(t.version());
  *response->mutable_loaded_at() = ToProto(classifiers_.loaded_at());
  response->set_tag_count(static_cast<int32_t>(t.modules().size() + t.problems().size()));
  response->set_sentiment_model_version(classifiers_.sentiment_model_version());
  response->set_model_version(classifier->tag_model_version());
  return grpc::Status::OK;
}

int RunCheck(const Classifier& classifier, std::istream& in, std::ostream& out) {
  auto normalizer = text::Normalizer::Create();
  int bad = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
      ++bad;
      out << nlohmann::json{{"error", "expected a JSON object with a string \"text\""}}.dump() << "\n";
      continue;
    }
    const std::string text = j["text"].get<std::string>();
    const std::string model = j.contains("product_model") && j["product_model"].is_string()
                                  ? j["product_model"].get<std::string>()
                                  : "";
    const bool vip = j.contains("vip") && j["vip"].is_boolean() && j["vip"].get<bool>();
    const std::string normalized = normalizer.ok() ? normalizer->Normalize(text) : text;
    const Input input{text, normalized, model, vip};
    const Analysis a = classifier.Analyze(input);
    const Decision d = classifier.Decide(a, input, {});
    const Taxonomy& t = classifier.taxonomy();
    nlohmann::json o;
    o["id"] = j.contains("id") ? j["id"] : nlohmann::json(nullptr);
    o["l1"] = {{"code", std::string(IntentCode(a.intent))},
               {"source", std::string(TagSourceName(a.intent_source))},
               {"confidence", a.intent_confidence},
               {"evidence", a.intent_evidence}};
    o["tags"] = nlohmann::json::array();
    for (const ProblemHit& h : a.problems) {
      const Problem& p = t.problems()[h.problem];
      o["tags"].push_back({{"l2", t.modules()[p.module].code},
                           {"l3", p.code},
                           {"name", p.name},
                           {"source", std::string(TagSourceName(h.source))},
                           {"confidence", h.confidence},
                           {"evidence", h.evidence}});
    }
    o["problem_type"] = a.problem_type;
    o["urgency"] = std::string(UrgencyName(d.urgency));
    o["priority"] = std::string(PriorityName(d.priority));
    o["response_within"] = absl::FormatDuration(d.target.response);
    o["resolution_within"] = absl::FormatDuration(d.target.resolution);
    o["department"] = d.department;
    o["needs_action"] = d.needs_action;
    o["sentiment"] = {{"polarity", PolarityName(a.sentiment.polarity)},
                      {"score", a.sentiment.score},
                      {"intensity", a.sentiment.intensity}};
    o["taxonomy_version"] = t.version();
    out << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return bad;
}

}  // namespace fbl::classification
