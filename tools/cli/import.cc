#include "tools/cli/import.h"

#include <google/protobuf/util/json_util.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/dataset/csv_reader.h"

namespace fbl::cli {
namespace {

namespace fpb = ::feedbackloop::feedback::v1;

// Debian's Abseil has its own string_view; std::string_view goes in through this.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

void ApplyDefaults(const ImportOptions& o, fpb::FeedbackSubmission& s) {
  if (s.source().empty()) s.set_source(o.source);
  if (s.channel() == 0) s.set_channel(static_cast<::feedbackloop::common::v1::Channel>(o.channel));
  if (o.offline) s.set_offline(true);
  if (s.external_id().empty()) s.set_external_id(DerivedExternalId(s));
}

absl::Status ReadJsonl(std::istream& in, const ImportOptions& o, const std::function<bool(ImportRow&)>& on_row) {
  google::protobuf::util::JsonParseOptions json;
  json.ignore_unknown_fields = false;  // a misspelt field is an error, as at intake
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    absl::string_view l = line;
    if (n == 1) l = absl::StripPrefix(l, "\xEF\xBB\xBF");
    l = absl::StripAsciiWhitespace(l);
    if (l.empty()) continue;
    ImportRow row;
    row.line = n;
    fpb::FeedbackSubmission s;
    auto st = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(l.data(), l.size()), &s, json);
    if (st.ok()) {
      ApplyDefaults(o, s);
      row.submission = std::move(s);
    } else {
      row.submission = absl::InvalidArgumentError(absl::StrCat("not a FeedbackSubmission: ", st.message().as_string()));
    }
    if (!on_row(row)) return absl::OkStatus();
  }
  if (in.bad()) return absl::DataLossError("read error");
  return absl::OkStatus();
}

absl::Status ReadCsvRows(std::istream& in, const ImportOptions& o, const std::function<bool(ImportRow&)>& on_row) {
  int text = -1, title = -1, id = -1, customer = -1, language = -1;
  std::vector<std::pair<std::string, int>> labels;
  absl::Status header_error;
  auto column = [&](const std::vector<std::string>& header, const std::string& name, int* out) {
    if (name.empty()) return true;
    for (size_t i = 0; i < header.size(); ++i) {
      if (absl::StripAsciiWhitespace(header[i]) == name) {
        *out = static_cast<int>(i);
        return true;
      }
    }
    header_error = absl::InvalidArgumentError(absl::StrCat("the CSV header has no column '", name,
                                                           "'; its columns: ", absl::StrJoin(header, ", ")));
    return false;
  };
  bool stopped = false;
  absl::Status s = dataset::ReadCsv(in, [&](dataset::CsvRow& r) {
    if (r.record == 1) {
      if (o.text_column.empty()) {
        header_error = absl::InvalidArgumentError("the text column is not named (--text-column)");
        return false;
      }
      if (!column(r.fields, o.text_column, &text) || !column(r.fields, o.title_column, &title) ||
          !column(r.fields, o.id_column, &id) || !column(r.fields, o.customer_column, &customer) ||
          !column(r.fields, o.language_column, &language)) {
        return false;
      }
      for (const auto& [key, name] : o.label_columns) {
        int c = -1;
        if (!column(r.fields, name, &c)) return false;
        labels.emplace_back(key, c);
      }
      return true;
    }
    auto field = [&](int c) -> std::string {
      return c >= 0 && c < static_cast<int>(r.fields.size()) ? r.fields[c] : std::string();
    };
    fpb::FeedbackSubmission sub;
    sub.set_text(field(text));
    sub.set_title(field(title));
    sub.set_external_id(std::string(absl::StripAsciiWhitespace(field(id))));
    sub.set_customer_id(std::string(absl::StripAsciiWhitespace(field(customer))));
    sub.set_language(std::string(absl::StripAsciiWhitespace(field(language))));
    for (const auto& [key, c] : labels) {
      std::string v(absl::StripAsciiWhitespace(field(c)));
      if (!v.empty()) (*sub.mutable_labels())[key] = std::move(v);
    }
    ApplyDefaults(o, sub);
    ImportRow row;
    row.line = r.record;
    row.submission = std::move(sub);
    if (!on_row(row)) {
      stopped = true;
      return false;
    }
    return true;
  });
  if (!header_error.ok()) return header_error;
  if (stopped) return absl::OkStatus();
  return s;
}

}  // namespace

absl::StatusOr<ImportFormat> ImportFormatFor(std::string_view path, std::string_view format) {
  std::string f = absl::AsciiStrToLower(Sv(format));
  if (f.empty()) {
    const std::string p = absl::AsciiStrToLower(Sv(path));
    if (absl::EndsWith(p, ".csv")) return ImportFormat::kCsv;
    if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson") || absl::EndsWith(p, ".json")) {
      return ImportFormat::kJsonl;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("cannot tell the format of '", Sv(path), "' from its name; give --format jsonl or --format csv"));
  }
  if (f == "jsonl" || f == "ndjson" || f == "json") return ImportFormat::kJsonl;
  if (f == "csv") return ImportFormat::kCsv;
  return absl::InvalidArgumentError(absl::StrCat("unknown format '", Sv(format), "'; use jsonl or csv"));
}

absl::Status ReadImport(std::istream& in, const ImportOptions& options, const std::function<bool(ImportRow&)>& on_row) {
  return options.format == ImportFormat::kCsv ? ReadCsvRows(in, options, on_row) : ReadJsonl(in, options, on_row);
}

std::string DerivedExternalId(const fpb::FeedbackSubmission& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view part) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    h ^= 0x1f;  // field separator, so ("ab","c") and ("a","bc") differ
    h *= 0x100000001b3ULL;
  };
  mix(s.source());
  mix(s.customer_id());
  mix(s.title());
  mix(s.text());
  return absl::StrFormat("row:%016x", h);
}

}  // namespace fbl::cli
