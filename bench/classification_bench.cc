// Classification throughput per core on real reviews (the CPU part: phrase
// rules, sentiment model, decisions; no Kafka or Redis), next to two
// baselines measured in the same run on the same texts and thread:
//   raw hyperscan — every taxonomy term as a plain literal in one Hyperscan
//                   block database, scanned over the normalised text
//   raw fasttext  — the sentiment model's prediction alone
//   raw tag model — the L3 tag model's prediction alone, on every text
// and the sentiment model's accuracy per dataset on the held-out split.
// The full path is measured without and with the tag model; with it, as the
// service runs it (deploy/local/classification.yaml sets tag_model): the
// model is asked only where no rule fired (Classifier::Analyze).
//   classification_bench [--seconds S] [--model FILE.ftz] [--tag-model FILE.ftz]
//   classification_bench --profile N   the full path (with the tag model) once
//                                      over the first N texts, nothing else
//                                      (for perf/callgrind)
#include <hs/hs.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/sentiment/corpus.h"
#include "services/classification/classifier.h"
#include "services/classification/tag_model.h"
#include "services/classification/taxonomy.h"

namespace fbl::classification {
namespace {

// CPU time of the calling thread, in seconds: the rate per core does not
// depend on what else the (shared) machine runs at the same time.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Runs `fn` over `texts` repeatedly for at least `seconds` of this thread's
// CPU time; texts per CPU second.
double Rate(const std::vector<std::string>& texts, double seconds, const std::function<void(const std::string&)>& fn) {
  const double start = ThreadSeconds();
  size_t n = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const std::string& t : texts) fn(t);
    n += texts.size();
    elapsed = ThreadSeconds() - start;
  }
  return static_cast<double>(n) / elapsed;
}

int OnMatch(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<size_t*>(ctx);
  return 0;
}

int Run(double seconds, const std::string& model_path, const std::string& tag_model_path, int profile) {
  auto taxonomy = Taxonomy::Load(absl::StrCat(FBL_SOURCE_DIR, "/deploy/taxonomy/taxonomy.yaml"));
  auto model = sentiment::SentimentModel::Load(model_path);
  auto tags = TagModel::Load(tag_model_path);
  auto corpus = sentiment::LoadCorpus(FBL_DATA_DIR);
  if (!taxonomy.ok() || !model.ok() || !tags.ok() || !corpus.ok()) {
    std::fprintf(stderr, "classification_bench: cannot load the taxonomy, models or data\n");
    return 1;
  }
  std::vector<std::string> texts;
  for (const auto& t : *corpus) {
    if (texts.size() < 20000) texts.push_back(t.normalized);
  }
  if (profile > 0) {
    Classifier classifier(*taxonomy, model->get(), {}, *tags);
    double sink = 0;
    for (int i = 0; i < profile; ++i) {
      const Input in{texts[i % texts.size()], texts[i % texts.size()], "", false};
      const Analysis a = classifier.Analyze(in);
      sink += static_cast<double>(classifier.Decide(a, in, {}).priority);
    }
    std::printf("%d records classified (%.0f)\n", profile, sink);
    return 0;
  }
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  std::printf("classification throughput per CPU second of one thread, %zu real reviews (%.0f bytes avg), taxonomy %s (%zu problems), tag model %s (%d codes)\n",
              texts.size(), static_cast<double>(bytes) / texts.size(), (*taxonomy)->version().c_str(),
              (*taxonomy)->problems().size(), (*tags)->version().c_str(), (*tags)->labels());

  // Baseline: the taxonomy's Chinese terms as literals, one database, no folding.
  auto spec = config::LoadFile<TaxonomySpec>(absl::StrCat(FBL_SOURCE_DIR, "/deploy/taxonomy/taxonomy.yaml"));
  if (!spec.ok()) return 1;
  std::vector<std::string> literals;
  for (const auto& p : spec->problems) {
    for (const auto& t : p.terms) literals.push_back(t);
  }
  std::vector<const char*> ptrs;
  std::vector<unsigned> flags, ids, lens;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < literals.size(); ++i) {
    ptrs.push_back(literals[i].c_str());
    sizes.push_back(literals[i].size());
    flags.push_back(HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(ptrs.data(), flags.data(), ids.data(), sizes.data(), static_cast<unsigned>(ptrs.size()),
                           HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::fprintf(stderr, "hyperscan: %s\n", err->message);
    return 1;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  size_t hits = 0;
  const double raw_hs = Rate(texts, seconds, [&](const std::string& t) {
    hs_scan(db, t.data(), static_cast<unsigned>(t.size()), 0, scratch, OnMatch, &hits);
  });
  hs_free_scratch(scratch);
  hs_free_database(db);

  double sink = 0;
  const double raw_ft = Rate(texts, seconds, [&](const std::string& t) { sink += (*model)->PositiveProbability(t); });
  const Policy policy;
  const double raw_tags = Rate(texts, seconds, [&](const std::string& t) {
    sink += static_cast<double>((*tags)->Predict(t, policy.tag_model_max, policy.tag_model_threshold).size());
  });

  Classifier classifier(*taxonomy, model->get(), policy);
  Classifier with_tags(*taxonomy, model->get(), policy, *tags);
  size_t tagged = 0;
  const double rules_only = Rate(texts, seconds, [&](const std::string& t) {
    tagged += (*taxonomy)->matcher().Match(t).evidences.size();
  });
  const double full = Rate(texts, seconds, [&](const std::string& t) {
    const Input in{t, t, "", false};
    const Analysis a = classifier.Analyze(in);
    sink += static_cast<double>(classifier.Decide(a, in, {}).priority);
  });
  const double full_tags = Rate(texts, seconds, [&](const std::string& t) {
    const Input in{t, t, "", false};
    const Analysis a = with_tags.Analyze(in);
    sink += static_cast<double>(with_tags.Decide(a, in, {}).priority);
  });
  // How often the service asks the tag model, and how often it adds a tag.
  size_t asked = 0, model_tagged = 0;
  for (const std::string& t : texts) {
    const Analysis a = with_tags.Analyze(Input{t, t, "", false});
    const bool any_rule =
        std::any_of(a.problems.begin(), a.problems.end(), [](const ProblemHit& h) { return h.source != TagSource::kModel; });
    asked += !any_rule;
    model_tagged += !a.problems.empty() && !any_rule;
  }

  std::printf("\n%-64s %12s %10s\n", "path", "records/s", "vs full");
  auto row = [&](const char* name, double r) { std::printf("%-64s %12.0f %9.2fx\n", name, r, r / full_tags); };
  row("raw hyperscan (taxonomy terms as literals)", raw_hs);
  row("raw fasttext (sentiment prediction only)", raw_ft);
  row("raw tag model (L3 prediction only, every text)", raw_tags);
  row("phrase rules (fold + hyperscan + negation)", rules_only);
  row("full without tag model (rules + sentiment + decide)", full);
  row("full (rules + tag model where none fired + sentiment + decide)", full_tags);
  std::printf("tag model asked for %.1f%% of the texts (no rule fired), tagged %.1f%%\n",
              100.0 * static_cast<double>(asked) / static_cast<double>(texts.size()),
              100.0 * static_cast<double>(model_tagged) / static_cast<double>(texts.size()));
  std::printf("target: >= 50,000 records/s for the CPU part on one core\n");

  // Sentiment accuracy, held-out split (the model was trained on the train split).
  std::map<std::string, std::pair<int, int>> per;
  for (const auto& t : *corpus) {
    if (t.split != sentiment::LabelledText::Split::kHoldout) continue;
    auto& [correct, total] = per[t.dataset];
    correct += ((*model)->PositiveProbability(t.normalized) >= 0.5) == t.positive;
    ++total;
  }
  int all_correct = 0, all_total = 0;
  std::printf("\n%-30s %8s %9s\n", "sentiment, holdout split", "texts", "accuracy");
  for (const auto& [name, ct] : per) {
    std::printf("  %-28s %8d %9.3f\n", name.c_str(), ct.second, static_cast<double>(ct.first) / ct.second);
    all_correct += ct.first;
    all_total += ct.second;
  }
  std::printf("  %-28s %8d %9.3f\n", "overall", all_total, static_cast<double>(all_correct) / all_total);
  return sink < -1e18 ? 1 : 0;  // keeps the work observable
}

}  // namespace
}  // namespace fbl::classification

int main(int argc, char** argv) {
  double seconds = 3;
  int profile = 0;
  std::string model = std::string(FBL_SOURCE_DIR) + "/models/sentiment-zh.ftz";
  std::string tag_model = std::string(FBL_SOURCE_DIR) + "/models/tags-zh.ftz";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--seconds") seconds = std::atof(argv[i + 1]);
    if (std::string(argv[i]) == "--model") model = argv[i + 1];
    if (std::string(argv[i]) == "--tag-model") tag_model = argv[i + 1];
    if (std::string(argv[i]) == "--profile") profile = std::atoi(argv[i + 1]);
  }
  return fbl::classification::Run(seconds, model, tag_model, profile);
}
