#include "libs/sentiment/corpus.h"

#include "absl/strings/str_cat.h"
#include "libs/dataset/csv_reader.h"
#include "libs/text/normalize.h"
#include "libs/text/simhash.h"

namespace fbl::sentiment {

absl::StatusOr<std::vector<LabelledText>> LoadCorpus(const std::string& data_dir) {
  auto normalizer = text::Normalizer::Create();
  if (!normalizer.ok()) return normalizer.status();
  std::vector<LabelledText> out;
  for (const char* file : {"online_shopping_10_cats.csv", "waimai_10k.csv", "ChnSentiCorp_htl_all.csv"}) {
    auto table = dataset::ReadCsvFile(absl::StrCat(data_dir, "/", file));
    if (!table.ok()) return table.status();
    const int label = table->Column("label"), review = table->Column("review");
    if (label < 0 || review < 0) return absl::DataLossError(absl::StrCat(file, ": no label/review column"));
    for (const auto& row : table->rows) {
      if (row.fields.size() <= static_cast<size_t>(std::max(label, review))) continue;
      LabelledText t;
      t.dataset = file;
      t.normalized = normalizer->Normalize(row.fields[review]);
      if (t.normalized.empty()) continue;
      t.positive = row.fields[label] == "1";
      const uint64_t bucket = text::StableHash64(t.normalized) % 10;
      t.split = bucket == 0 ? LabelledText::Split::kHoldout
                : bucket == 1 ? LabelledText::Split::kDev
                              : LabelledText::Split::kTrain;
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace fbl::sentiment
