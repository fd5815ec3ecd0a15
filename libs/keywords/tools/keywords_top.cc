// keywords-top: the most frequent terms (document frequency) of one text
// column of a CSV file, and the extraction throughput on one thread.
//
//   keywords-top --stopwords deploy/analytics/stopwords.txt
//                --csv /work/shared/data/waimai_10k.csv [--column review]
//                [--where label=0] [--top 20] [--limit N] [--grep WORD] [--show]
//
// --grep keeps only rows whose text contains WORD (a plain substring);
// --show prints every text with its terms instead of the top list.
//
// The text is masked with fbl::text::MaskPii first, as in the pipeline
// (masking time is not included in the throughput). Exit code 0 on success,
// 2 on bad arguments or unreadable input.

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/dataset/csv_reader.h"
#include "libs/keywords/keywords.h"
#include "libs/text/pii.h"

namespace {

int Usage() {
  std::cerr << "usage: keywords-top --stopwords FILE --csv FILE [--column NAME] [--where COLUMN=VALUE] "
               "[--top N] [--limit ROWS] [--grep WORD] [--show]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string stopwords, csv, column = "review", where, grep;
  bool show = false;
  int64_t top = 20, limit = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--stopwords" && i + 1 < argc) {
      stopwords = argv[++i];
    } else if (a == "--csv" && i + 1 < argc) {
      csv = argv[++i];
    } else if (a == "--column" && i + 1 < argc) {
      column = argv[++i];
    } else if (a == "--where" && i + 1 < argc) {
      where = argv[++i];
    } else if (a == "--top" && i + 1 < argc) {
      top = std::stoll(argv[++i]);
    } else if (a == "--grep" && i + 1 < argc) {
      grep = argv[++i];
    } else if (a == "--show") {
      show = true;
    } else if (a == "--limit" && i + 1 < argc) {
      limit = std::stoll(argv[++i]);
    } else {
      return Usage();
    }
  }
  if (stopwords.empty() || csv.empty() || top <= 0) return Usage();

  auto extractor = fbl::keywords::Extractor::Create(stopwords);
  if (!extractor.ok()) {
    std::cerr << extractor.status() << "\n";
    return 2;
  }
  auto table = fbl::dataset::ReadCsvFile(csv);
  if (!table.ok()) {
    std::cerr << table.status() << "\n";
    return 2;
  }
  const int text_col = table->Column(column);
  if (text_col < 0) {
    std::cerr << csv << ": no column " << column << "\n";
    return 2;
  }
  int where_col = -1;
  std::string where_value;
  if (!where.empty()) {
    const size_t eq = where.find('=');
    if (eq == std::string::npos) return Usage();
    where_col = table->Column(where.substr(0, eq));
    where_value = where.substr(eq + 1);
    if (where_col < 0) {
      std::cerr << csv << ": no column " << where.substr(0, eq) << "\n";
      return 2;
    }
  }

  std::vector<std::string> texts;
  for (const fbl::dataset::CsvRow& row : table->rows) {
    if (limit >= 0 && static_cast<int64_t>(texts.size()) >= limit) break;
    if (static_cast<int>(row.fields.size()) <= text_col) continue;
    if (where_col >= 0 &&
        (static_cast<int>(row.fields.size()) <= where_col || row.fields[where_col] != where_value)) {
      continue;
    }
    if (!grep.empty() && row.fields[text_col].find(grep) == std::string::npos) continue;
    texts.push_back(fbl::text::MaskPii(row.fields[text_col]).text);
  }
  if (show) {
    for (const std::string& t : texts) {
      std::printf("%s\n  ->", t.c_str());
      for (const std::string& term : (*extractor)->Terms(t)) std::printf(" %s", term.c_str());
      std::printf("\n");
    }
    return 0;
  }

  absl::flat_hash_map<std::string, int64_t> counts;
  int64_t bytes = 0, terms = 0;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (const std::string& t : texts) {
    bytes += static_cast<int64_t>(t.size());
    for (std::string& term : (*extractor)->Terms(t)) {
      ++counts[std::move(term)];
      ++terms;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  std::printf("%zu texts, %lld distinct terms, %lld term mentions (document frequency)\n", texts.size(),
              static_cast<long long>(counts.size()), static_cast<long long>(terms));
  std::printf(
      "one thread: %.3f s wall, %.3f s CPU; %.0f texts/s, %.2f MB/s by CPU time (extraction + counting, texts in "
      "memory)\n",
      seconds, cpu_seconds, static_cast<double>(texts.size()) / cpu_seconds,
      static_cast<double>(bytes) / cpu_seconds / 1e6);
  int rank = 0;
  for (const fbl::keywords::TermCount& tc : fbl::keywords::TopTerms(counts, static_cast<size_t>(top))) {
    std::printf("%3d  %-16s %6lld  %5.1f%%\n", ++rank, tc.term.c_str(), static_cast<long long>(tc.count),
                100.0 * static_cast<double>(tc.count) / static_cast<double>(texts.size()));
  }
  return 0;
}
