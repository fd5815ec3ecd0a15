#include "libs/dataset/csv_reader.h"

#include <csv.h>

#include <fstream>

#include "absl/strings/str_cat.h"

namespace fbl::dataset {
namespace {

struct ParseState {
  const std::function<bool(CsvRow&)>* on_row;
  CsvRow row;
  int64_t record = 0;
  bool stop = false;
};

void OnField(void* data, size_t len, void* opaque) {
  auto* st = static_cast<ParseState*>(opaque);
  st->row.fields.emplace_back(static_cast<const char*>(data), len);
}

void OnRowEnd(int /*terminator*/, void* opaque) {
  auto* st = static_cast<ParseState*>(opaque);
  if (st->stop) {
    st->row.fields.clear();
    return;
  }
  st->row.record = ++st->record;
  if (!(*st->on_row)(st->row)) st->stop = true;
  st->row.fields.clear();
}

struct ParserDeleter {
  void operator()(csv_parser* p) const {
    csv_free(p);
    delete p;
  }
};

}  // namespace

absl::Status ReadCsv(std::istream& in, const std::function<bool(CsvRow&)>& on_row) {
  std::unique_ptr<csv_parser, ParserDeleter> parser(new csv_parser);
  if (csv_init(parser.get(), CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
    return absl::InternalError("csv_init failed");
  }
  ParseState st;
  st.on_row = &on_row;
  std::string buf(1 << 16, '\0');
  bool first = true;
  while (!st.stop && in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    size_t skip = 0;
    if (first && n >= 3 && buf.compare(0, 3, "\xEF\xBB\xBF") == 0) skip = 3;
    first = false;
    if (csv_parse(parser.get(), buf.data() + skip, n - skip, OnField, OnRowEnd, &st) != n - skip) {
      return absl::InvalidArgumentError(absl::StrCat("csv: ", csv_strerror(csv_error(parser.get())),
                                                     " near record ", st.record + 1));
    }
  }
  if (in.bad()) return absl::DataLossError("csv: read error");
  if (!st.stop && csv_fini(parser.get(), OnField, OnRowEnd, &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("csv: ", csv_strerror(csv_error(parser.get())),
                                                   " at end of input (unterminated quote?)"));
  }
  return absl::OkStatus();
}

int CsvTable::Column(const std::string& column) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path, int64_t max_rows) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  CsvTable table;
  absl::Status s = ReadCsv(in, [&](CsvRow& row) {
    if (row.record == 1) {
      table.header = std::move(row.fields);
      return true;
    }
    table.rows.push_back(std::move(row));
    return max_rows < 0 || static_cast<int64_t>(table.rows.size()) < max_rows;
  });
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  return table;
}

}  // namespace fbl::dataset
