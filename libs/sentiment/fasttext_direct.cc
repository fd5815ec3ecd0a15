#include "libs/sentiment/fasttext_direct.h"

#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fasttext/loss.h>
#include <fasttext/matrix.h>
#include <fasttext/productquantizer.h>
#include <fasttext/quantmatrix.h>
#include <fasttext/vector.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/text/utf8.h"

namespace fbl::sentiment {
namespace {

bool IsAsciiAlnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }
bool IsCjk(char32_t cp) { return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF); }

// The code points Tokenize keeps as one-character tokens lie in
// [kCjkFirst, kCjkLast]; all of them are 3-byte UTF-8 with lead byte
// 0xE3..0xE9.
constexpr char32_t kCjkFirst = 0x3400;
constexpr char32_t kCjkLast = 0x9FFF;

// fastText's loss.cc: the sigmoid table's range and size.
constexpr float kMaxSigmoid = 8;
constexpr float kSigmoidTableSize = 512;

// fastText keeps what the direct evaluation needs protected; these
// subclasses expose it. The model itself is loaded as FastTextModel; its
// dictionary and quantised input matrix are copied (save, then load) into
// the other two; the sigmoid table is read from a loss of its own.
class DictionaryInternals : public fasttext::Dictionary {
 public:
  using Dictionary::Dictionary;
  int64_t prune_size() const { return pruneidx_size_; }
  const std::unordered_map<int32_t, int32_t>& prune_index() const { return pruneidx_; }
};

class QuantMatrixInternals : public fasttext::QuantMatrix {
 public:
  int64_t rows() const { return m_; }
  int64_t cols() const { return n_; }
  bool qnorm() const { return qnorm_; }
  const std::vector<uint8_t>& codes() const { return codes_; }
  const std::vector<uint8_t>& norm_codes() const { return norm_codes_; }
  const fasttext::ProductQuantizer& pq() const { return *pq_; }
  const fasttext::ProductQuantizer* npq() const { return npq_.get(); }
};

class SigmoidTable : public fasttext::OneVsAllLoss {
 public:
  explicit SigmoidTable(std::shared_ptr<fasttext::Matrix>& wo) : OneVsAllLoss(wo) {}
  const std::vector<fasttext::real>& table() const { return t_sigmoid_; }
};

// fastText's comparePairs: the heap of findKBest keeps the worst on top.
bool Better(const std::pair<float, int32_t>& l, const std::pair<float, int32_t>& r) { return l.first > r.first; }

// fastText's std_log.
float StdLog(float x) { return static_cast<float>(std::log(static_cast<double>(x) + 1e-5)); }

int CountTokens(const std::string& tokens) {
  return tokens.empty() ? 0 : 1 + static_cast<int>(std::count(tokens.begin(), tokens.end(), ' '));
}

}  // namespace

class FastTextDirect::FastTextModel : public fasttext::FastText {
 public:
  const fasttext::Matrix& input() const { return *input_; }
};

std::string Tokenize(std::string_view s) {
  std::string out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out += word;
    word.clear();
  };
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = text::NextCodePoint(s, &pos);
    if (cp < 0x80 && IsAsciiAlnum(static_cast<unsigned char>(cp))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(cp))));
      continue;
    }
    flush();
    if (IsCjk(cp)) {
      if (!out.empty()) out.push_back(' ');
      out.append(s.substr(start, pos - start));
    }
  }
  flush();
  return out;
}

// A supervised softmax or one-vs-all fastText model without character
// n-grams, evaluated the way fastText evaluates it (Dictionary::getLine,
// Model::computeHidden, SoftmaxLoss / OneVsAllLoss::computeOutput,
// Loss::findKBest, FastText::predictLine), on the tokens of Tokenize found
// while scanning the text.
struct FastTextDirect::Linear {
  struct Char {
    uint32_t hash = 0;  // fastText's hash of the character's UTF-8 bytes.
    int32_t row = -1;   // Row of the input matrix; -1 out of vocabulary.
  };

  // Rows are numbered here as in fastText for words (0 .. nwords-1); the
  // rows of word n-gram buckets follow in ascending bucket order (fastText
  // numbers them in the order of its prune index instead).
  struct Block {
    uint64_t bits = 0;  // Buckets 64 * i .. 64 * i + 63 that have a row.
    uint32_t rank = 0;  // Buckets with a row before this block.
  };

  int dim = 0;
  int word_ngrams = 1;
  uint64_t bucket = 0;
  uint64_t bucket_inverse = 0;  // floor((2^64 - 1) / bucket).
  int32_t nwords = 0;
  int64_t prune_size = -1;    // fastText: -1 every bucket has a row, 0 none, > 0 those in `blocks`.
  std::vector<Block> blocks;  // prune_size > 0: which buckets have a row.
  int nlabels = 0;
  bool softmax = true;                              // Else one-vs-all.
  std::vector<float> sigmoid;                       // One-vs-all: fastText's sigmoid table.
  std::vector<float> output;                        // Output matrix: label l at l * dim.
  std::vector<Char> cjk;                            // Code point - kCjkFirst; only IsCjk ones are used.
  absl::flat_hash_map<std::string, int32_t> ascii;  // In-vocabulary ASCII words -> row.
  Char eos;

  // The input matrix: product-quantised like fastText's QuantMatrix (row r:
  // its norm code, then its `nsubq` codes, at r * (nsubq + 1)), or plain
  // float rows.
  bool quantised = false;
  bool qnorm = false;
  int nsubq = 0, dsub = 0, lastdsub = 0;
  std::vector<uint8_t> codes;
  std::vector<float> norms;      // 256 norm centroids.
  std::vector<float> centroids;  // Sub-quantiser m, code k: (m * 256 + k) * dsub.
  std::vector<float> rows;       // Not quantised: row r at r * dim.

  // The row of a word n-gram bucket, or -1 (Dictionary::pushHash).
  int32_t NgramRow(uint64_t b) const {
    if (prune_size < 0) return nwords + static_cast<int32_t>(b);
    const Block& block = blocks[b >> 6];
    const uint64_t bit = uint64_t{1} << (b & 63);
    if ((block.bits & bit) == 0) return -1;
    return nwords + static_cast<int32_t>(block.rank) + std::popcount(block.bits & (bit - 1));
  }

  // h % bucket, by a multiplication (Barrett reduction: the estimated
  // quotient is the true one or one less).
  uint64_t Bucket(uint64_t h) const {
    const auto q = static_cast<uint64_t>((static_cast<unsigned __int128>(h) * bucket_inverse) >> 64);
    uint64_t r = h - q * bucket;
    while (r >= bucket) r -= bucket;
    return r;
  }

  void Prefetch(int32_t r) const {
    if (quantised) {
      __builtin_prefetch(codes.data() + static_cast<int64_t>(r) * (nsubq + 1));
    } else {
      __builtin_prefetch(rows.data() + static_cast<int64_t>(r) * dim);
    }
  }

  // hidden += row `r`, as fastText's QuantMatrix/DenseMatrix::addRowToVector.
  void AddRow(int32_t r, float* hidden) const {
    if (!quantised) {
      const float* v = rows.data() + static_cast<int64_t>(r) * dim;
      for (int j = 0; j < dim; ++j) hidden[j] += v[j];
      return;
    }
    const uint8_t* code = codes.data() + static_cast<int64_t>(r) * (nsubq + 1);
    const float alpha = qnorm ? norms[code[0]] : 1.0f;
    ++code;
    for (int m = 0; m < nsubq; ++m) {
      const float* c = centroids.data() + (m * 256 + code[m]) * dsub;
      const int d = m == nsubq - 1 ? lastdsub : dsub;
      float* x = hidden + m * dsub;
      for (int k = 0; k < d; ++k) x[k] += alpha * c[k];
    }
  }

  // fastText's Loss::sigmoid.
  float Sigmoid(float x) const {
    if (x < -kMaxSigmoid) return 0.0f;
    if (x > kMaxSigmoid) return 1.0f;
    return sigmoid[static_cast<int64_t>((x + kMaxSigmoid) * kSigmoidTableSize / kMaxSigmoid / 2)];
  }

  int Predict(std::string_view s, int k, float threshold, LabelPredictions* predictions) const;
};

int FastTextDirect::Linear::Predict(std::string_view s, int k, float threshold, LabelPredictions* predictions) const {
  predictions->clear();
  // As fastText's Dictionary::getLine: `line` gets the rows of the tokens
  // (in-vocabulary ones), then those of the word n-grams; `hashes` the hash
  // of every token (as int32). The rows are only summed at the end, in that
  // order, so their memory can be fetched ahead meanwhile.
  thread_local std::vector<int32_t> line;
  thread_local std::vector<int32_t> hashes;
  thread_local std::vector<uint64_t> buckets;
  thread_local std::string word;
  line.clear();
  hashes.clear();
  word.clear();
  auto token = [&](uint32_t hash, int32_t row) {
    if (row >= 0) {
      Prefetch(row);
      line.push_back(row);
    }
    hashes.push_back(static_cast<int32_t>(hash));
  };
  uint32_t word_hash = 2166136261u;
  auto flush = [&] {
    if (word.empty()) return;
    auto it = ascii.find(word);
    token(word_hash, it == ascii.end() ? -1 : it->second);
    word.clear();
    word_hash = 2166136261u;
  };

  const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
  const size_t size = s.size();
  size_t pos = 0;
  while (pos < size) {
    const unsigned char b = bytes[pos];
    if (b < 0x80) {
      ++pos;
      if (IsAsciiAlnum(b)) {
        const char c = static_cast<char>(b | ((b >= 'A' && b <= 'Z') ? 0x20 : 0));
        word.push_back(c);
        word_hash = (word_hash ^ static_cast<uint32_t>(static_cast<int8_t>(c))) * 16777619u;
      } else {
        flush();
      }
      continue;
    }
    flush();
    if (b >= 0xE3 && b <= 0xE9 && pos + 2 < size && (bytes[pos + 1] & 0xC0) == 0x80 &&
        (bytes[pos + 2] & 0xC0) == 0x80) {
      // Well-formed three-byte sequence (no overlong or surrogate form has
      // these lead bytes).
      const char32_t cp = (static_cast<char32_t>(b & 0x0F) << 12) | (static_cast<char32_t>(bytes[pos + 1] & 0x3F) << 6) |
                          static_cast<char32_t>(bytes[pos + 2] & 0x3F);
      pos += 3;
      if (IsCjk(cp)) {
        const Char& e = cjk[cp - kCjkFirst];
        token(e.hash, e.row);
      }
      continue;
    }
    // Anything else (other scripts, symbols, ill-formed bytes) is no token.
    text::NextCodePoint(s, &pos);
  }
  flush();
  const int tokens = static_cast<int>(hashes.size());
  token(eos.hash, eos.row);  // fastText reads the end of line as the word "</s>".

  // Word n-grams over the hashes (Dictionary::addWordNgrams / pushHash): the
  // int32 hashes widen with their sign, as in fastText. First the buckets
  // (fetching their bitmap blocks), then their rows (fetching the codes).
  if (prune_size != 0) {
    buckets.clear();
    const int64_t count = static_cast<int64_t>(hashes.size());
    for (int64_t i = 0; i < count; ++i) {
      uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
      for (int64_t j = i + 1; j < count && j < i + word_ngrams; ++j) {
        h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(hashes[j]));
        const uint64_t b = Bucket(h);
        if (prune_size > 0) __builtin_prefetch(&blocks[b >> 6]);
        buckets.push_back(b);
      }
    }
    for (const uint64_t b : buckets) {
      if (const int32_t row = NgramRow(b); row >= 0) {
        Prefetch(row);
        line.push_back(row);
      }
    }
  }
  const int64_t n = static_cast<int64_t>(line.size());
  if (n == 0) return tokens;  // fastText predicts nothing for an empty line.

  thread_local std::vector<float> hidden;
  hidden.assign(dim, 0.0f);
  for (const int32_t row : line) AddRow(row, hidden.data());
  const auto scale = static_cast<float>(1.0 / static_cast<double>(n));
  for (int j = 0; j < dim; ++j) hidden[j] *= scale;
  // The output layer (DenseMatrix::dotRow, in float).
  thread_local std::vector<float> out;
  out.assign(nlabels, 0.0f);
  for (int l = 0; l < nlabels; ++l) {
    const float* w = output.data() + static_cast<int64_t>(l) * dim;
    float d = 0.0f;
    for (int j = 0; j < dim; ++j) d += w[j] * hidden[j];
    out[l] = d;
  }
  if (softmax) {
    // SoftmaxLoss::computeOutput: float, exp in double.
    float max = out[0];
    for (int l = 0; l < nlabels; ++l) max = std::max(out[l], max);
    float z = 0.0f;
    for (int l = 0; l < nlabels; ++l) {
      out[l] = static_cast<float>(std::exp(static_cast<double>(out[l] - max)));
      z += out[l];
    }
    for (int l = 0; l < nlabels; ++l) out[l] /= z;
  } else {
    for (int l = 0; l < nlabels; ++l) out[l] = Sigmoid(out[l]);  // OneVsAllLoss::computeOutput.
  }
  // Loss::findKBest, then Loss::predict's sort_heap, then predictLine's exp.
  const size_t kk = k <= 0 ? static_cast<size_t>(nlabels) : static_cast<size_t>(k);
  LabelPredictions& heap = *predictions;
  for (int32_t l = 0; l < nlabels; ++l) {
    if (out[l] < threshold) continue;
    const float log_p = StdLog(out[l]);
    if (heap.size() == kk && log_p < heap.front().first) continue;
    heap.emplace_back(log_p, l);
    std::push_heap(heap.begin(), heap.end(), Better);
    if (heap.size() > kk) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.pop_back();
    }
  }
  std::sort_heap(heap.begin(), heap.end(), Better);
  for (auto& [p, l] : heap) p = std::exp(p);
  return tokens;
}

FastTextDirect::FastTextDirect() = default;
FastTextDirect::~FastTextDirect() = default;

namespace {

// The input matrix of a quantised model as codes and centroids, row r here
// being fastText's row `source[r]`. False if it is not a product-quantised
// matrix this code decodes exactly (checked row by row against fastText).
bool LoadQuantised(const fasttext::Matrix& input, fasttext::FastText& ft, const std::vector<int32_t>& source,
                   FastTextDirect::Linear* l) {
  std::stringstream saved;
  input.save(saved);
  QuantMatrixInternals q;
  q.load(saved);
  if (q.rows() != static_cast<int64_t>(source.size()) || q.cols() != l->dim || q.rows() == 0) return false;
  const size_t per_row = q.codes().size() / static_cast<size_t>(q.rows());
  if (per_row == 0 || per_row * q.rows() != q.codes().size() || per_row > static_cast<size_t>(l->dim)) return false;
  l->nsubq = static_cast<int>(per_row);
  const fasttext::ProductQuantizer& pq = q.pq();
  // get_centroids(m, i) is &centroids_[(m * 256 + i) * dsub], the last
  // sub-quantiser laid out with its own width.
  l->dsub = static_cast<int>(pq.get_centroids(0, 1) - pq.get_centroids(0, 0));
  l->lastdsub = static_cast<int>(pq.get_centroids(l->nsubq - 1, 1) - pq.get_centroids(l->nsubq - 1, 0));
  if (l->dsub <= 0 || l->lastdsub <= 0 || (l->nsubq - 1) * l->dsub + l->lastdsub != l->dim) return false;
  l->centroids.assign(static_cast<size_t>(l->nsubq) * 256 * l->dsub, 0.0f);
  for (int m = 0; m < l->nsubq; ++m) {
    const int d = m == l->nsubq - 1 ? l->lastdsub : l->dsub;
    for (int k = 0; k < 256; ++k) {
      const float* c = pq.get_centroids(m, static_cast<uint8_t>(k));
      std::copy(c, c + d, l->centroids.begin() + (m * 256 + k) * l->dsub);
    }
  }
  l->qnorm = q.qnorm();
  if (l->qnorm) {
    if (q.npq() == nullptr || q.norm_codes().size() != source.size()) return false;
    l->norms.resize(256);
    for (int k = 0; k < 256; ++k) l->norms[k] = q.npq()->get_centroids(0, static_cast<uint8_t>(k))[0];
  }
  const size_t stride = l->nsubq + 1;
  l->codes.assign(source.size() * stride, 0);
  for (size_t r = 0; r < source.size(); ++r) {
    if (l->qnorm) l->codes[r * stride] = q.norm_codes()[source[r]];
    std::copy_n(q.codes().begin() + static_cast<int64_t>(source[r]) * l->nsubq, l->nsubq,
                l->codes.begin() + r * stride + 1);
  }
  l->quantised = true;
  fasttext::Vector expected(l->dim);
  std::vector<float> decoded(l->dim);
  for (size_t r = 0; r < source.size(); ++r) {
    ft.getInputVector(expected, source[r]);
    std::fill(decoded.begin(), decoded.end(), 0.0f);
    l->AddRow(static_cast<int32_t>(r), decoded.data());
    if (!std::equal(decoded.begin(), decoded.end(), expected.data())) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FastTextDirect>> FastTextDirect::Load(const std::string& path) {
  std::unique_ptr<FastTextDirect> m(new FastTextDirect());
  m->model_ = std::make_unique<FastTextModel>();
  FastTextModel& ft = *m->model_;
  try {
    ft.loadModel(path);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
  const fasttext::Args args = ft.getArgs();
  const auto dict = ft.getDictionary();
  m->supervised_ = args.model == fasttext::model_name::sup;
  m->softmax_ = args.loss == fasttext::loss_name::softmax;
  m->one_vs_all_ = args.loss == fasttext::loss_name::ova;
  for (int32_t i = 0; i < dict->nlabels(); ++i) m->labels_.push_back(dict->getLabel(i));
  if (!m->supervised_ || !(m->softmax_ || m->one_vs_all_) || args.maxn > 0 || args.qout || dict->nlabels() < 1 ||
      args.dim <= 0 || args.bucket < 0) {
    return m;  // Evaluated through predictLine.
  }
  auto linear = std::make_unique<Linear>();
  Linear& l = *linear;
  l.dim = args.dim;
  l.word_ngrams = args.wordNgrams;
  l.bucket = static_cast<uint64_t>(args.bucket);
  l.bucket_inverse = l.bucket == 0 ? 0 : ~uint64_t{0} / l.bucket;
  l.nwords = dict->nwords();
  l.nlabels = dict->nlabels();
  l.softmax = m->softmax_;
  try {
    if (!l.softmax) {
      std::shared_ptr<fasttext::Matrix> none;
      const SigmoidTable loss(none);
      l.sigmoid.assign(loss.table().begin(), loss.table().end());
      if (l.sigmoid.size() != static_cast<size_t>(kSigmoidTableSize) + 1) return m;
    }
    std::stringstream saved;
    dict->save(saved);
    const DictionaryInternals internals(std::make_shared<fasttext::Args>(args), saved);
    l.prune_size = internals.prune_size();
    // Word n-grams need the bucket count only when some bucket has a row.
    if (l.prune_size != 0 && l.word_ngrams > 1 && l.bucket == 0) return m;
    // fastText's row of each row here: words, then buckets (all of them, or
    // the kept ones in ascending order).
    std::vector<int32_t> source(l.nwords);
    for (int32_t i = 0; i < l.nwords; ++i) source[i] = i;
    if (l.prune_size < 0) {
      for (uint64_t b = 0; b < l.bucket; ++b) source.push_back(l.nwords + static_cast<int32_t>(b));
    } else if (l.prune_size > 0) {
      std::vector<std::pair<int32_t, int32_t>> kept(internals.prune_index().begin(), internals.prune_index().end());
      std::sort(kept.begin(), kept.end());
      l.blocks.resize(l.bucket / 64 + 1);
      for (const auto& [bucket, index] : kept) {
        if (bucket < 0 || static_cast<uint64_t>(bucket) >= l.bucket) return m;
        l.blocks[bucket >> 6].bits |= uint64_t{1} << (bucket & 63);
        source.push_back(l.nwords + index);
      }
      uint32_t rank = 0;
      for (Linear::Block& b : l.blocks) {
        b.rank = rank;
        rank += static_cast<uint32_t>(std::popcount(b.bits));
      }
    }
    if (!ft.isQuant() || !LoadQuantised(ft.input(), ft, source, &l)) {
      l.quantised = false;
      l.codes.clear();
      l.rows.resize(source.size() * l.dim);
      fasttext::Vector v(l.dim);
      for (size_t r = 0; r < source.size(); ++r) {
        ft.getInputVector(v, source[r]);
        std::copy(v.data(), v.data() + l.dim, l.rows.begin() + r * l.dim);
      }
    }
    const auto out = ft.getOutputMatrix();
    if (out->rows() != l.nlabels || out->cols() != l.dim) return m;
    l.output.assign(out->data(), out->data() + static_cast<int64_t>(l.nlabels) * l.dim);

    l.cjk.resize(kCjkLast - kCjkFirst + 1);
    std::string utf8;
    for (char32_t cp = kCjkFirst; cp <= kCjkLast; ++cp) {
      if (!IsCjk(cp)) continue;
      utf8.clear();
      text::AppendUtf8(cp, &utf8);
      Linear::Char& c = l.cjk[cp - kCjkFirst];
      c.hash = dict->hash(utf8);
      c.row = dict->getId(utf8, c.hash);
    }
    for (int32_t i = 0; i < l.nwords; ++i) {
      const std::string w = dict->getWord(i);
      if (!w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
            return IsAsciiAlnum(static_cast<unsigned char>(c)) && !(c >= 'A' && c <= 'Z');
          })) {
        l.ascii.emplace(w, i);
      }
    }
    l.eos.hash = dict->hash(fasttext::Dictionary::EOS);
    l.eos.row = dict->getId(fasttext::Dictionary::EOS, l.eos.hash);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
  m->linear_ = std::move(linear);
  return m;
}

int FastTextDirect::LabelIndex(std::string_view label) const {
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (labels_[i] == label) return static_cast<int>(i);
  }
  return -1;
}

int FastTextDirect::ReferencePredict(std::string_view normalized, int k, float threshold,
                                     LabelPredictions* out) const {
  out->clear();
  const std::string tokens = Tokenize(normalized);
  std::istringstream line(tokens + "\n");
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  model_->predictLine(line, predictions, k <= 0 ? -1 : k, threshold);
  for (const auto& [probability, label] : predictions) out->emplace_back(probability, LabelIndex(label));
  return CountTokens(tokens);
}

int FastTextDirect::Predict(std::string_view normalized, int k, float threshold, LabelPredictions* out) const {
  return linear_ != nullptr ? linear_->Predict(normalized, k, threshold, out)
                            : ReferencePredict(normalized, k, threshold, out);
}

}  // namespace fbl::sentiment
