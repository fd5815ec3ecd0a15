#include "services/intake/importer.h"

#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>

#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/producer.h"
#include "services/intake/submission_decoder.h"

namespace fbl::intake {
namespace {

namespace common = ::feedbackloop::common::v1;

const std::vector<std::string> kKnownFields = {
    "text", "title", "external_id", "customer_id", "customer_type", "submitted_at",
    "product.model", "product.batch", "product.purchase_channel", "place.store_id",
    "place.store_name", "place.city", "handler_judgement"};

absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& text) {
  absl::Time t;
  std::string err;
  static const absl::TimeZone kShanghai = [] {
    absl::TimeZone tz;
    return absl::LoadTimeZone("Asia/Shanghai", &tz) ? tz : absl::FixedTimeZone(8 * 3600);
  }();
  for (const char* fmt : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                          "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"}) {
    if (absl::ParseTime(fmt, text, kShanghai, &t, &err)) {
      return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("cannot read time '", text, "'"));
}

std::string RowHash(const ImportMapping& mapping, const Row& row) {
  std::string material = mapping.source;
  for (const auto& [field, column] : mapping.columns) {
    auto it = row.find(column);
    absl::StrAppend(&material, "\x1f", field, "=", it == row.end() ? "" : it->second);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16));
}

std::string CsvEscape(const std::string& s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

}  // namespace

void BindConfig(config::Binder& b, ImportMapping& m) {
  b.Field("source", m.source);
  b.Field("channel", m.channel);
  b.Field("offline", m.offline);
  b.Required("columns", m.columns);
  common::Channel ch = common::CHANNEL_UNSPECIFIED;
  if (!common::Channel_Parse(m.channel, &ch) || ch == common::CHANNEL_UNSPECIFIED) {
    b.Fail("channel", "must be a Channel name such as CHANNEL_STORE_RECORD");
  }
  if (m.columns.count("text") == 0) b.Fail("columns", "must map 'text'");
  for (const auto& [field, column] : m.columns) {
    const bool known = std::find(kKnownFields.begin(), kKnownFields.end(), field) != kKnownFields.end() ||
                       field.rfind("labels.", 0) == 0;
    if (!known) b.Fail(absl::StrCat("columns.", field), "is not a submission field this importer maps");
  }
}

absl::StatusOr<pb::FeedbackSubmission> MapRow(const ImportMapping& mapping, const Row& row) {
  pb::FeedbackSubmission s;
  s.set_source(mapping.source);
  common::Channel ch = common::CHANNEL_UNSPECIFIED;  // validated by BindConfig
  common::Channel_Parse(mapping.channel, &ch);
  s.set_channel(ch);
  s.set_offline(mapping.offline);
  for (const auto& [field, column] : mapping.columns) {
    auto it = row.find(column);
    if (it == row.end()) {
      return absl::InvalidArgumentError(absl::StrCat("column '", column, "' (", field, ") is missing"));
    }
    const std::string& v = it->second;
    if (v.empty()) continue;
    if (field == "text") s.set_text(v);
    else if (field == "title") s.set_title(v);
    else if (field == "external_id") s.set_external_id(v);
    else if (field == "customer_id") s.set_customer_id(v);
    else if (field == "handler_judgement") s.set_handler_judgement(v);
    else if (field == "product.model") s.mutable_product()->set_model(v);
    else if (field == "product.batch") s.mutable_product()->set_batch(v);
    else if (field == "product.purchase_channel") s.mutable_product()->set_purchase_channel(v);
    else if (field == "place.store_id") s.mutable_place()->set_store_id(v);
    else if (field == "place.store_name") s.mutable_place()->set_store_name(v);
    else if (field == "place.city") s.mutable_place()->set_city(v);
    else if (field == "customer_type") {
      common::CustomerType t;
      if (!common::CustomerType_Parse(v, &t)) {
        return absl::InvalidArgumentError(absl::StrCat("customer_type '", v, "' is not a CustomerType name"));
      }
      s.set_customer_type(t);
    } else if (field == "submitted_at") {
      auto ts = ParseTime(v);
      if (!ts.ok()) return ts.status();
      *s.mutable_submitted_at() = *ts;
    } else if (field.rfind("labels.", 0) == 0) {
      (*s.mutable_labels())[field.substr(7)] = v;
    }
  }
  if (s.external_id().empty()) s.set_external_id("row:" + RowHash(mapping, row));
  return s;
}

int RunImport(const IntakeConfig& config, const ImportOptions& options) {
  auto mapping = config::LoadFile<ImportMapping>(options.mapping_file);
  if (!mapping.ok()) {
    std::fprintf(stderr, "intake import: %s\n", std::string(mapping.status().message()).c_str());
    return 2;
  }
  std::string format = options.format;
  if (format.empty()) {
    format = options.file.size() > 6 && options.file.substr(options.file.size() - 6) == ".jsonl" ? "jsonl" : "csv";
  }
  if (format != "csv" && format != "jsonl") {
    std::fprintf(stderr, "intake import: --format must be csv or jsonl\n");
    return 2;
  }
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "intake import: cannot open %s\n", options.file.c_str());
    return 2;
  }
  struct stat st {};
  stat(options.file.c_str(), &st);
  const double total_bytes = static_cast<double>(st.st_size);
  const std::string report_path = options.report_file.empty() ? options.file + ".rejects.csv" : options.report_file;
  std::ofstream report(report_path);
  report << "record,reason,detail\n";

  kafka::ProducerConfig pc = config.producer;
  pc.client_id = "intake-import";
  auto producer = kafka::Producer::Create(pc);
  if (!producer.ok()) {
    std::fprintf(stderr, "intake import: %s\n", std::string(producer.status().message()).c_str());
    return 1;
  }
  std::atomic<int64_t> delivered{0}, failed{0};
  int64_t rows = 0, sent = 0, rejected = 0;
  const absl::Time start = absl::Now();
  const bool tty = !options.quiet && isatty(STDERR_FILENO);
  absl::Time last_draw = absl::InfinitePast();
  auto progress = [&](bool final) {
    if (options.quiet) return;
    const absl::Time now = absl::Now();
    if (!final && now - last_draw < absl::Milliseconds(tty ? 100 : 2000)) return;
    last_draw = now;
    const double pos = in ? static_cast<double>(in.tellg()) : total_bytes;
    const double frac = total_bytes > 0 ? std::min(1.0, pos / total_bytes) : 1.0;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    const double secs = std::max(1e-3, absl::ToDoubleSeconds(now - start));
    std::fprintf(stderr, "%s[%s%s] %3.0f%%  %ld rows  %ld sent  %ld rejected  %.0f rows/s%s",
                 tty ? "\r" : "", std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                 100 * frac, static_cast<long>(rows), static_cast<long>(sent), static_cast<long>(rejected),
                 static_cast<double>(rows) / secs, tty && !final ? "" : "\n");
  };

  auto handle = [&](int64_t record, const Row& row) -> bool {
    ++rows;
    absl::StatusOr<pb::FeedbackSubmission> sub = MapRow(*mapping, row);
    std::optional<Rejection> rejection;
    if (!sub.ok()) {
      rejection = Rejection{pb::REJECT_REASON_MISSING_REQUIRED_FIELD, std::string(sub.status().message()), {}};
    } else {
      rejection = ValidateSubmission(*sub, config.limits, /*require_external_id=*/true);
    }
    if (rejection) {
      ++rejected;
      report << record << "," << pb::RejectReason_Name(rejection->reason) << "," << CsvEscape(rejection->detail)
             << "\n";
    } else {
      kafka::OutgoingMessage m{config.topics.raw, sub->external_id(), sub->SerializeAsString(),
                               {{"content-type", std::string(kContentTypeProtobuf)}}};
      absl::Status s;
      // A full queue waits for the broker instead of dropping rows.
      while ((s = (*producer)->Produce(m, [&](const kafka::DeliveryResult& r) {
                (r.status.ok() ? delivered : failed)++;
              })).code() == absl::StatusCode::kResourceExhausted) {
      }
      if (!s.ok()) {
        std::fprintf(stderr, "\nintake import: %s\n", std::string(s.message()).c_str());
        return false;
      }
      ++sent;
    }
    progress(false);
    return options.limit < 0 || rows < options.limit;
  };

  absl::Status read;
  if (format == "csv") {
    std::vector<std::string> header;
    read = dataset::ReadCsv(in, [&](dataset::CsvRow& r) {
      if (r.record == 1) {
        header = r.fields;
        return true;
      }
      Row row;
      for (size_t i = 0; i < header.size() && i < r.fields.size(); ++i) row[header[i]] = r.fields[i];
      return handle(r.record - 1, row);
    });
  } else {
    std::string line;
    int64_t record = 0;
    while (std::getline(in, line)) {
      ++record;
      if (line.empty()) continue;
      absl::StatusOr<Row> row = ParseJsonLine(line);
      if (!row.ok()) {
        ++rows;
        ++rejected;
        report << record << ",REJECT_REASON_MALFORMED_PAYLOAD," << CsvEscape(std::string(row.status().message()))
               << "\n";
        continue;
      }
      if (!handle(record, *row)) break;
    }
  }
  absl::Status flushed = (*producer)->Flush(absl::Minutes(2));
  progress(true);
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::fprintf(stderr,
               "import %s: %ld rows, %ld sent (%ld acknowledged, %ld failed), %ld rejected -> %s, %.1fs\n",
               options.file.c_str(), static_cast<long>(rows), static_cast<long>(sent),
               static_cast<long>(delivered.load()), static_cast<long>(failed.load()),
               static_cast<long>(rejected), report_path.c_str(), secs);
  if (!read.ok()) {
    std::fprintf(stderr, "intake import: %s\n", std::string(read.message()).c_str());
    return 1;
  }
  if (!flushed.ok() || failed.load() > 0 || delivered.load() != sent) {
    std::fprintf(stderr, "intake import: not every row reached Kafka; re-run the same command (it is safe)\n");
    return 1;
  }
  return 0;
}

}  // namespace fbl::intake
