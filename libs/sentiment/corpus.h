#pragma once
// The labelled Chinese reviews in shared/data, with a deterministic
// train / dev / holdout split of 80 / 10 / 10 % by a hash of the text (the
// same text is always on the same side, so duplicates cannot leak across).
// Tune on dev; report on holdout.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::sentiment {

struct LabelledText {
  std::string dataset;  // file name
  std::string normalized;
  bool positive = false;
  enum class Split { kTrain, kDev, kHoldout } split = Split::kTrain;
};

// online_shopping_10_cats.csv, waimai_10k.csv, ChnSentiCorp_htl_all.csv.
[[nodiscard]] absl::StatusOr<std::vector<LabelledText>> LoadCorpus(const std::string& data_dir);

}  // namespace fbl::sentiment
