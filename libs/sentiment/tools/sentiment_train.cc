// Trains the sentiment model on the labelled reviews (80 % by text hash),
// quantises it and reports accuracy per dataset on dev and holdout.
//   sentiment-train --data DIR --out models/sentiment-zh.ftz [--dim 10] [--word-ngrams 3] [--bucket 2000000] [--quantize yes|no]
#include <fasttext/fasttext.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "libs/sentiment/corpus.h"
#include "libs/sentiment/sentiment.h"

int main(int argc, char** argv) {
  std::string data = "../shared/data", out = "models/sentiment-zh.ftz";
  int dim = 10, word_ngrams = 3, bucket = 2000000;
  bool quantize = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--data") data = argv[i + 1];
    else if (flag == "--out") out = argv[i + 1];
    else if (flag == "--dim") dim = std::atoi(argv[i + 1]);
    else if (flag == "--word-ngrams") word_ngrams = std::atoi(argv[i + 1]);
    else if (flag == "--bucket") bucket = std::atoi(argv[i + 1]);
    else if (flag == "--quantize") quantize = std::string(argv[i + 1]) != "no";
    else {
      std::fprintf(stderr, "usage: %s --data DIR --out FILE.ftz [--dim N] [--word-ngrams N] [--bucket N] [--quantize yes|no]\n",
                   argv[0]);
      return 2;
    }
  }
  auto corpus = fbl::sentiment::LoadCorpus(data);
  if (!corpus.ok()) {
    std::fprintf(stderr, "sentiment-train: %s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  const std::string train_path = (std::filesystem::temp_directory_path() / "fbl-sentiment-train.txt").string();
  size_t train_rows = 0;
  {
    std::ofstream train(train_path);
    for (const auto& t : *corpus) {
      if (t.split != fbl::sentiment::LabelledText::Split::kTrain) continue;
      train << (t.positive ? "__label__pos " : "__label__neg ") << fbl::sentiment::Tokenize(t.normalized) << "\n";
      ++train_rows;
    }
  }
  std::fprintf(stderr, "training on %zu texts ...\n", train_rows);
  fasttext::Args args;
  args.input = train_path;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.epoch = 25;
  args.lr = 0.3;
  args.wordNgrams = word_ngrams;
  args.dim = dim;
  args.minCount = 1;
  args.minn = 0;
  args.maxn = 0;
  args.bucket = bucket;
  args.thread = 2;
  args.verbose = 0;
  fasttext::FastText model;
  model.train(args);
  if (quantize) {
    fasttext::Args q = args;
    q.qnorm = true;
    q.cutoff = 100000;
    q.dsub = 2;
    q.retrain = false;
    std::fprintf(stderr, "quantising ...\n");
    model.quantize(q);
  }
  model.saveModel(out);
  std::filesystem::remove(train_path);

  auto loaded = fbl::sentiment::SentimentModel::Load(out);
  if (!loaded.ok()) return 1;
  using Split = fbl::sentiment::LabelledText::Split;
  for (Split split : {Split::kDev, Split::kHoldout}) {
    std::map<std::string, std::pair<int, int>> per;  // dataset -> (correct, total)
    for (const auto& t : *corpus) {
      if (t.split != split) continue;
      const bool predicted = (*loaded)->PositiveProbability(t.normalized) >= 0.5;
      auto& [correct, total] = per[t.dataset];
      correct += predicted == t.positive;
      ++total;
    }
    int all_correct = 0, all_total = 0;
    std::printf("%-30s %8s %8s\n", split == Split::kDev ? "dev (tune here)" : "holdout (report here)", "texts",
                "accuracy");
    for (const auto& [name, ct] : per) {
      std::printf("  %-28s %8d %8.3f\n", name.c_str(), ct.second, static_cast<double>(ct.first) / ct.second);
      all_correct += ct.first;
      all_total += ct.second;
    }
    std::printf("  %-28s %8d %8.3f\n", "overall", all_total, static_cast<double>(all_correct) / all_total);
  }
  std::printf("model: %s (%ju bytes)\n", out.c_str(), static_cast<uintmax_t>(std::filesystem::file_size(out)));
  return 0;
}
