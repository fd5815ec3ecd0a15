// fbl feedback submit | import | show — the intake API.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "intake/v1/intake_service.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"
#include "tools/cli/import.h"

namespace fbl::cli {
namespace {

namespace cpb = ::feedbackloop::common::v1;
namespace fpb = ::feedbackloop::feedback::v1;
namespace ipb = ::feedbackloop::intake::v1;

std::string Outcome(ipb::Outcome o) { return ShortEnumName(*ipb::Outcome_descriptor(), o); }

std::string Quality(const fpb::DescriptionQuality& q) {
  if (!q.vague()) return "";
  std::vector<std::string> reasons;
  for (int r : q.reasons()) reasons.push_back(ShortEnumName(*fpb::VagueReason_descriptor(), r));
  return absl::StrCat("vague (", absl::StrJoin(reasons, ", "), ")");
}

// ---- submit ----

struct SubmitOptions {
  std::string text, title, channel = "api", source = "fbl-cli", external_id, customer_id, customer_type, language;
  std::string product_model, batch, demand, emotion;
  std::vector<std::string> labels;
  bool offline = false;
};

int Submit(Session& s, const SubmitOptions& o) {
  ipb::SubmitFeedbackRequest req;
  fpb::FeedbackSubmission* sub = req.mutable_submission();
  std::string text = o.text;
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  sub->set_text(text);
  sub->set_title(o.title);
  sub->set_channel(static_cast<cpb::Channel>(EnumValue(cpb::Channel_descriptor(), o.channel)));
  sub->set_source(o.source);
  sub->set_external_id(o.external_id);
  sub->set_customer_id(o.customer_id);
  sub->set_customer_type(static_cast<cpb::CustomerType>(EnumValue(cpb::CustomerType_descriptor(), o.customer_type)));
  sub->set_language(o.language);
  sub->set_demand(static_cast<cpb::Demand>(EnumValue(cpb::Demand_descriptor(), o.demand)));
  sub->set_emotion(static_cast<cpb::Emotion>(EnumValue(cpb::Emotion_descriptor(), o.emotion)));
  if (!o.product_model.empty()) sub->mutable_product()->set_model(o.product_model);
  if (!o.batch.empty()) sub->mutable_product()->set_batch(o.batch);
  sub->set_offline(o.offline);
  for (const auto& l : o.labels) {
    auto kv = ParseKeyValue(l);
    if (!kv.ok()) return UsageError(absl::StrCat("--label: ", kv.status().message()));
    (*sub->mutable_labels())[kv->first] = kv->second;
  }
  auto stub = ipb::IntakeService::NewStub(s.Channel(Service::kIntake));
  ipb::SubmitFeedbackResponse resp;
  grpc::Status st = stub->SubmitFeedback(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kIntake, "SubmitFeedback", st);
  if (s.json()) {
    s.PrintJson(resp);
  } else if (s.quiet()) {
    std::cout << resp.feedback_id() << "\n";
  } else {
    std::cout << RenderFields({{"feedback", resp.feedback_id()},
                               {"outcome", Outcome(resp.outcome())},
                               {"duplicate of", resp.duplicate_of()},
                               {"quality", Quality(resp.quality())},
                               {"hint", resp.quality().hint()}});
  }
  return kExitOk;
}

// ---- import ----

struct ImportCommandOptions {
  std::string file, format, text_column = "text", title_column, id_column, customer_column, language_column;
  std::vector<std::string> label_columns;
  std::string source = "fbl-import", channel = "api";
  bool offline = false, dry_run = false;
  int batch_size = 100;
};

struct ImportTally {
  int64_t rows = 0, accepted = 0, replay = 0, near_duplicate = 0, failed = 0;
};

class Progress {
 public:
  explicit Progress(int64_t total) : total_(total), tty_(isatty(STDERR_FILENO) == 1), start_(absl::Now()) {}
  void Show(const ImportTally& t, bool final) {
    const double secs = absl::ToDoubleSeconds(absl::Now() - start_);
    const int64_t done = t.accepted + t.replay + t.near_duplicate + t.failed;
    std::string line = absl::StrCat("[", done, "/", total_, "] ",
                                    total_ > 0 ? FormatPercent(static_cast<double>(done) / total_) : "-", "  accepted ",
                                    t.accepted, "  replay ", t.replay, "  near-duplicate ", t.near_duplicate,
                                    "  failed ", t.failed, "  ", secs > 0 ? static_cast<int64_t>(done / secs) : 0, "/s");
    if (tty_) {
      std::cerr << "\r" << line << "\x1b[K" << (final ? "\n" : "") << std::flush;
    } else if (done != last_done_ || !final) {
      std::cerr << line << "\n";  // one line per batch; the final one only if it says something new
    }
    last_done_ = done;
  }
  // A message on its own line, not mixed into the progress line.
  void Note(const std::string& message) {
    if (tty_) std::cerr << "\r\x1b[K";
    std::cerr << message << "\n";
  }

 private:
  int64_t total_;
  bool tty_;
  absl::Time start_;
  int64_t last_done_ = -1;
};

bool Retryable(int code) {
  return code == static_cast<int>(grpc::StatusCode::UNAVAILABLE) ||
         code == static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED) ||
         code == static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED);
}

// Sends one batch; items answered with a retryable code (backpressure) are
// sent again with backoff, like a failed call. Returns an exit code for a
// call that kept failing, else 0.
int SendBatch(Session& s, ipb::IntakeService::Stub& stub, std::vector<std::pair<int64_t, fpb::FeedbackSubmission>>& batch,
              ImportTally& tally, Progress& progress) {
  absl::Duration backoff = absl::Milliseconds(500);
  constexpr int kAttempts = 6;
  for (int attempt = 1; !batch.empty(); ++attempt) {
    ipb::SubmitFeedbackBatchRequest req;
    for (const auto& [line, sub] : batch) *req.add_submissions() = sub;
    ipb::SubmitFeedbackBatchResponse resp;
    grpc::Status st = stub.SubmitFeedbackBatch(s.Context(absl::Seconds(60)).get(), req, &resp);
    if (!st.ok()) {
      if (Retryable(st.error_code()) && attempt < kAttempts) {
        progress.Note(absl::StrCat("intake: ", CodeName(st.error_code()), ": ", st.error_message(), "; retrying in ",
                                   absl::FormatDuration(backoff)));
        absl::SleepFor(backoff);
        backoff *= 2;
        continue;
      }
      return s.Fail(Service::kIntake, "SubmitFeedbackBatch", st);
    }
    if (s.json()) s.PrintJson(resp);
    std::vector<std::pair<int64_t, fpb::FeedbackSubmission>> again;
    for (const auto& r : resp.results()) {
      if (r.index() < 0 || r.index() >= static_cast<int>(batch.size())) continue;
      auto& [line, sub] = batch[r.index()];
      if (r.has_response()) {
        switch (r.response().outcome()) {
          case ipb::OUTCOME_REPLAY: ++tally.replay; break;
          case ipb::OUTCOME_NEAR_DUPLICATE: ++tally.near_duplicate; break;
          default: ++tally.accepted; break;
        }
      } else if (Retryable(r.error().code()) && attempt < kAttempts) {
        again.emplace_back(line, std::move(sub));
      } else {
        ++tally.failed;
        std::vector<std::string> fields;
        for (const auto& v : r.error().violations()) fields.push_back(absl::StrCat(v.field(), ": ", v.description()));
        progress.Note(absl::StrCat(
            "line ", line, ": ", CodeName(static_cast<grpc::StatusCode>(r.error().code())),
            r.error().reason() != 0 ? absl::StrCat(" ", ShortEnumName(*fpb::RejectReason_descriptor(), r.error().reason()))
                                    : "",
            ": ", r.error().message(), fields.empty() ? "" : absl::StrCat(" (", absl::StrJoin(fields, "; "), ")")));
      }
    }
    batch = std::move(again);
    if (!batch.empty()) {
      absl::SleepFor(backoff);
      backoff *= 2;
    }
  }
  return kExitOk;
}

int Import(Session& s, const ImportCommandOptions& o) {
  auto format = ImportFormatFor(o.file, o.format);
  if (!format.ok()) return UsageError(format.status().message());
  if (o.batch_size < 1 || o.batch_size > 500) return UsageError("--batch-size must be 1..500");
  ImportOptions io;
  io.format = *format;
  io.source = o.source;
  io.channel = EnumValue(cpb::Channel_descriptor(), o.channel);
  io.offline = o.offline;
  io.text_column = o.text_column;
  io.title_column = o.title_column;
  io.id_column = o.id_column;
  io.customer_column = o.customer_column;
  io.language_column = o.language_column;
  for (const auto& l : o.label_columns) {
    auto kv = ParseKeyValue(l);
    if (!kv.ok()) return UsageError(absl::StrCat("--label-column: ", kv.status().message(), " (use KEY=COLUMN)"));
    io.label_columns.push_back(*kv);
  }
  // First pass: count the rows (and catch whole-file errors before sending anything).
  int64_t total = 0;
  {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) return UsageError(absl::StrCat("cannot open ", o.file));
    absl::Status st = ReadImport(in, io, [&](ImportRow&) {
      ++total;
      return true;
    });
    if (!st.ok()) return UsageError(absl::StrCat(o.file, ": ", st.message()));
  }
  ImportTally tally;
  Progress progress(total);
  std::ifstream in(o.file, std::ios::binary);
  auto stub = ipb::IntakeService::NewStub(s.Channel(Service::kIntake));
  std::vector<std::pair<int64_t, fpb::FeedbackSubmission>> batch;
  int rc = kExitOk;
  auto flush = [&] {
    if (batch.empty() || rc != kExitOk) return;
    if (o.dry_run) {
      tally.accepted += static_cast<int64_t>(batch.size());
    } else {
      rc = SendBatch(s, *stub, batch, tally, progress);
    }
    batch.clear();
    if (rc == kExitOk) progress.Show(tally, false);
  };
  absl::Status st = ReadImport(in, io, [&](ImportRow& row) {
    ++tally.rows;
    if (!row.submission.ok()) {
      ++tally.failed;
      progress.Note(absl::StrCat("line ", row.line, ": ", row.submission.status().message()));
      return true;
    }
    batch.emplace_back(row.line, std::move(*row.submission));
    if (static_cast<int>(batch.size()) >= o.batch_size) flush();
    return rc == kExitOk;
  });
  flush();
  if (rc != kExitOk) return rc;
  if (!st.ok()) return UsageError(absl::StrCat(o.file, ": ", st.message()));
  progress.Show(tally, true);
  if (!s.json()) {
    Table t({{"ROWS", 0, true}, {o.dry_run ? "READABLE" : "ACCEPTED", 0, true}, {"REPLAY", 0, true},
             {"NEAR-DUPLICATE", 0, true}, {"FAILED", 0, true}});
    t.AddRow({absl::StrCat(tally.rows), absl::StrCat(tally.accepted), absl::StrCat(tally.replay),
              absl::StrCat(tally.near_duplicate), absl::StrCat(tally.failed)});
    std::cout << t.Render();
  }
  return tally.failed > 0 ? kExitServerError : kExitOk;
}

// ---- show ----

int Show(Session& s, const std::string& id) {
  auto stub = ipb::IntakeService::NewStub(s.Channel(Service::kIntake));
  ipb::GetFeedbackRequest req;
  req.set_feedback_id(id);
  ipb::GetFeedbackResponse resp;
  grpc::Status st = stub->GetFeedback(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kIntake, "GetFeedback", st);
  if (s.json()) {
    s.PrintJson(resp);
    return kExitOk;
  }
  const fpb::FeedbackRecord& r = resp.record();
  if (s.quiet()) {
    std::cout << r.feedback_id() << "\n";
    return kExitOk;
  }
  std::vector<std::string> pii, labels;
  for (int k : r.masked_pii_kinds()) pii.push_back(ShortEnumName(*fpb::PiiKind_descriptor(), k));
  std::vector<std::pair<std::string, std::string>> sorted(r.labels().begin(), r.labels().end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [k, v] : sorted) labels.push_back(absl::StrCat(k, "=", v));
  std::cout << RenderFields({
      {"feedback", r.feedback_id()},
      {"received", s.Time(r.received_at())},
      {"submitted", s.Time(r.submitted_at())},
      {"channel", ShortEnumName(*cpb::Channel_descriptor(), r.channel())},
      {"source", r.source()},
      {"external id", r.external_id()},
      {"offline", r.offline() ? "yes" : ""},
      {"customer", r.customer_pseudonym()},
      {"customer type", ShortEnumName(*cpb::CustomerType_descriptor(), r.customer_type())},
      {"contact", r.has_contact() ? absl::StrCat("encrypted (key ", r.contact().key_id(), ")") : ""},
      {"language", r.language()},
      {"product", std::string(absl::StripAsciiWhitespace(absl::StrCat(r.product().model(), " ", r.product().batch())))},
      {"demand", ShortEnumName(*cpb::Demand_descriptor(), r.demand())},
      {"emotion", ShortEnumName(*cpb::Emotion_descriptor(), r.emotion())},
      {"title", r.title()},
      {"text", r.text()},
      {"quality", Quality(r.quality())},
      {"duplicate of", r.duplicate_of()},
      {"masked", absl::StrJoin(pii, ", ")},
      {"labels", absl::StrJoin(labels, ", ")},
  });
  return kExitOk;
}

}  // namespace

void AddFeedbackCommands(CLI::App& app, Commands& c) {
  auto* group = app.add_subcommand("feedback", "Submit, import and read feedback (intake)");
  group->require_subcommand(1);
  AddAddressOption(group, c, Service::kIntake);

  auto so = std::make_shared<SubmitOptions>();
  auto* submit = group->add_subcommand("submit", "Submit one piece of feedback (IntakeService.SubmitFeedback)");
  submit->add_option("--text", so->text, "the customer's text; - reads it from stdin")->required();
  submit->add_option("--title", so->title, "headline, e.g. the title of a complaint post");
  AddEnumOption(submit, "--channel", &so->channel, cpb::Channel_descriptor(), "channel")->capture_default_str();
  submit->add_option("--source", so->source, "sending system")->capture_default_str();
  submit->add_option("--external-id", so->external_id, "the channel's id; replays of it are idempotent");
  submit->add_option("--customer-id", so->customer_id, "the channel's customer id (pseudonymised by intake)");
  AddEnumOption(submit, "--customer-type", &so->customer_type, cpb::CustomerType_descriptor(), "customer segment");
  submit->add_option("--language", so->language, "BCP-47 hint, e.g. zh, en");
  submit->add_option("--product-model", so->product_model, "product model");
  submit->add_option("--batch", so->batch, "production batch");
  AddEnumOption(submit, "--demand", &so->demand, cpb::Demand_descriptor(), "what the customer asks for");
  AddEnumOption(submit, "--emotion", &so->emotion, cpb::Emotion_descriptor(), "recorded mood");
  submit->add_option("--label", so->labels, "KEY=VALUE channel metadata (repeatable)");
  submit->add_flag("--offline", so->offline, "an offline source (store record, paper form)");
  SetAction(submit, c, [so](Session& s) { return Submit(s, *so); });

  auto io = std::make_shared<ImportCommandOptions>();
  auto* imp = group->add_subcommand(
      "import", "Import a JSONL (FeedbackSubmission JSON per line) or CSV file in batches (SubmitFeedbackBatch)");
  imp->add_option("FILE", io->file, "the file (.jsonl or .csv)")->required()->check(CLI::ExistingFile);
  imp->add_option("--format", io->format, "jsonl or csv (default: from the file name)");
  imp->add_option("--text-column", io->text_column, "CSV: column with the text")->capture_default_str();
  imp->add_option("--title-column", io->title_column, "CSV: column with the title");
  imp->add_option("--id-column", io->id_column, "CSV: column with the external id (default: derived from the row)");
  imp->add_option("--customer-column", io->customer_column, "CSV: column with the customer id");
  imp->add_option("--language-column", io->language_column, "CSV: column with the language");
  imp->add_option("--label-column", io->label_columns, "CSV: KEY=COLUMN copied into labels (repeatable)");
  imp->add_option("--source", io->source, "source for rows without one")->capture_default_str();
  AddEnumOption(imp, "--channel", &io->channel, cpb::Channel_descriptor(), "channel for rows without one")
      ->capture_default_str();
  imp->add_flag("--offline", io->offline, "mark every row as offline");
  imp->add_option("--batch-size", io->batch_size, "submissions per call (1..500)")->capture_default_str();
  imp->add_flag("--dry-run", io->dry_run, "read and check the file, send nothing");
  SetAction(imp, c, [io](Session& s) { return Import(s, *io); });

  auto id = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "Show an accepted record (masked text) by feedback id");
  show->add_option("ID", *id, "feedback id")->required();
  SetAction(show, c, [id](Session& s) { return Show(s, *id); });
}

}  // namespace fbl::cli
