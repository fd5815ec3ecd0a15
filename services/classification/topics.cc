#include "services/classification/topics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_join.h"
#include "libs/text/simhash.h"
#include "libs/text/utf8.h"

namespace fbl::classification {
namespace {

// A term weight of one document or a centroid, by term ID.
using SparseVector = std::vector<std::pair<int, double>>;

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

bool IsAsciiAlnum(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Sentence-final and aspect particles: they separate segments like
// punctuation, so no term or phrase contains one.
bool IsParticle(char32_t c) {
  switch (c) {
    case U'的':
    case U'了':
    case U'吗':
    case U'吧':
    case U'啊':
    case U'呢':
    case U'呀':
    case U'哦':
    case U'嘛':
    case U'哈':
    case U'啦':
    case U'么':
      return true;
    default:
      return false;
  }
}

uint64_t BigramKey(char32_t a, char32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

// Function-word bigrams that say nothing about a topic; they separate
// segments like punctuation.
const absl::flat_hash_set<uint64_t>& FunctionBigrams() {
  static const auto* const kSet = [] {
    constexpr std::u32string_view kWords[] = {
        U"我们", U"你们", U"他们", U"她们", U"它们", U"咱们", U"这个", U"那个", U"这些", U"那些", U"这样",
        U"那样", U"这么", U"那么", U"什么", U"怎么", U"为什", U"就是", U"不是", U"还是", U"但是", U"可是",
        U"只是", U"也是", U"都是", U"因为", U"所以", U"而且", U"然后", U"并且", U"如果", U"虽然", U"已经",
        U"一个", U"一下", U"一些", U"一直", U"可以", U"自己", U"还有", U"时候", U"有点", U"有些", U"非常",
        U"真的", U"觉得", U"感觉", U"以后", U"之后", U"以前", U"的话", U"其实", U"而是", U"不过", U"还要",
        U"就会", U"没有",
        // Generic complaint wording: in every complaint, about none.
        U"问题", U"希望", U"处理", U"解决", U"要求", U"尽快", U"存在", U"出现", U"导致", U"情况", U"现象"};
    auto* set = new absl::flat_hash_set<uint64_t>();
    for (std::u32string_view w : kWords) set->insert(BigramKey(w[0], w[1]));
    return set;
  }();
  return *kSet;
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) text::AppendUtf8(c, &out);
  return out;
}

// One document: its Han segments (for phrases) and its raw tokens.
struct Parsed {
  std::vector<std::u32string> han_runs;
  std::vector<std::string> tokens;  // Bigrams and ASCII words, with repeats.
};

Parsed Parse(std::string_view normalized) {
  Parsed p;
  std::u32string han;
  std::string word;
  // Ends a segment of Han characters: particles and function-word bigrams
  // separate segments like punctuation, so no bigram straddles them.
  const auto flush_segment = [&](std::u32string_view segment) {
    if (segment.size() < 2) return;
    for (size_t i = 0; i + 1 < segment.size(); ++i) p.tokens.push_back(ToUtf8(segment.substr(i, 2)));
    p.han_runs.emplace_back(segment);
  };
  const auto flush_han = [&] {
    const std::u32string_view run = han;
    size_t begin = 0;
    for (size_t i = 0; i < run.size();) {
      size_t skip = 0;
      if (IsParticle(run[i])) {
        skip = 1;
      } else if (i + 1 < run.size() && FunctionBigrams().contains(BigramKey(run[i], run[i + 1]))) {
        skip = 2;
      }
      if (skip == 0) {
        ++i;
        continue;
      }
      flush_segment(run.substr(begin, i - begin));
      i += skip;
      begin = i;
    }
    flush_segment(run.substr(begin));
    han.clear();
  };
  const auto flush_word = [&] {
    const bool digits = std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (word.size() >= 2 && !digits) p.tokens.push_back(word);
    word.clear();
  };
  size_t pos = 0;
  while (pos < normalized.size()) {
    const char32_t c = text::NextCodePoint(normalized, &pos);
    if (IsHan(c)) {
      flush_word();
      han.push_back(c);
    } else if (IsAsciiAlnum(c)) {
      flush_han();
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else {
      flush_han();
      flush_word();
    }
  }
  flush_han();
  flush_word();
  return p;
}

double Dot(const SparseVector& doc, const absl::flat_hash_map<int, double>& dense) {
  double s = 0;
  for (const auto& [t, w] : doc) {
    if (auto it = dense.find(t); it != dense.end()) s += w * it->second;
  }
  return s;
}

// Sum of the member vectors and its squared norm.
struct Centroid {
  absl::flat_hash_map<int, double> sum;
  double norm2 = 0;
  int64_t size = 0;

  void Add(const SparseVector& v) {
    for (const auto& [t, w] : v) {
      double& s = sum[t];
      norm2 += 2 * s * w + w * w;
      s += w;
    }
    ++size;
  }
};

// One pass of leader clustering: each document joins the centroid it is
// most similar to (cosine ≥ `similarity`) or starts a cluster. Returns the
// cluster of each document (-1 for an empty vector).
std::vector<int> LeaderPass(const std::vector<SparseVector>& vectors, size_t terms, double similarity) {
  std::vector<int> assignment(vectors.size(), -1);
  std::vector<Centroid> clusters;
  std::vector<std::vector<int>> postings(terms);  // Term -> clusters whose centroid has it.
  std::vector<double> score;
  std::vector<int> touched;
  for (size_t d = 0; d < vectors.size(); ++d) {
    const SparseVector& v = vectors[d];
    if (v.empty()) continue;
    score.resize(clusters.size(), 0);
    for (const auto& [t, w] : v) {
      for (int c : postings[t]) {
        if (score[c] == 0) touched.push_back(c);
        score[c] += w * clusters[c].sum.at(t);
      }
    }
    int best = -1;
    double best_cos = similarity;
    for (int c : touched) {
      const double cos = score[c] / std::sqrt(clusters[c].norm2);
      if (cos > best_cos || (cos == best_cos && (best < 0 || c < best))) {
        best = c;
        best_cos = cos;
      }
      score[c] = 0;
    }
    touched.clear();
    if (best < 0) {
      best = static_cast<int>(clusters.size());
      clusters.emplace_back();
    }
    Centroid& cl = clusters[best];
    for (const auto& [t, w] : v) {
      if (!cl.sum.contains(t)) postings[t].push_back(best);
    }
    cl.Add(v);
    assignment[d] = best;
  }
  return assignment;
}

// Reassigns every document to the most similar centroid of the clusters
// with at least two members (cosine ≥ `similarity`), else -1.
std::vector<int> RefinePass(const std::vector<SparseVector>& vectors, size_t terms, const std::vector<int>& assignment,
                            double similarity) {
  const int n_clusters = assignment.empty() ? 0 : *std::max_element(assignment.begin(), assignment.end()) + 1;
  std::vector<Centroid> centroids(n_clusters);
  for (size_t d = 0; d < vectors.size(); ++d) {
    if (assignment[d] >= 0) centroids[assignment[d]].Add(vectors[d]);
  }
  // Term -> (cluster, normalised centroid weight), clusters ascending.
  std::vector<std::vector<std::pair<int, double>>> postings(terms);
  for (int c = 0; c < n_clusters; ++c) {
    if (centroids[c].size < 2) continue;
    const double norm = std::sqrt(centroids[c].norm2);
    SparseVector sorted(centroids[c].sum.begin(), centroids[c].sum.end());
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [t, s] : sorted) postings[t].emplace_back(c, s / norm);
  }
  std::vector<double> score(n_clusters, 0);
  std::vector<int> touched;
  std::vector<int> out(vectors.size(), -1);
  for (size_t d = 0; d < vectors.size(); ++d) {
    for (const auto& [t, w] : vectors[d]) {
      for (const auto& [c, cw] : postings[t]) {
        if (score[c] == 0) touched.push_back(c);
        score[c] += w * cw;
      }
    }
    int best = -1;
    double best_cos = similarity;
    for (int c : touched) {
      if (score[c] > best_cos || (score[c] == best_cos && (best < 0 || c < best))) {
        best = c;
        best_cos = score[c];
      }
      score[c] = 0;
    }
    touched.clear();
    out[d] = best;
  }
  // Renumber densely by first member, so that cluster IDs stay canonical.
  std::vector<int> renumber(n_clusters, -1);
  int next = 0;
  for (int& a : out) {
    if (a < 0) continue;
    if (renumber[a] < 0) renumber[a] = next++;
    a = renumber[a];
  }
  return out;
}

// Merges the clusters (of at least two members) whose centroids have a
// cosine ≥ `similarity`, transitively; the leader pass splits a large theme
// into several clusters when its first members differ.
std::vector<int> MergePass(const std::vector<SparseVector>& vectors, size_t terms, const std::vector<int>& assignment,
                           double similarity) {
  const int n_clusters = assignment.empty() ? 0 : *std::max_element(assignment.begin(), assignment.end()) + 1;
  std::vector<Centroid> centroids(n_clusters);
  for (size_t d = 0; d < vectors.size(); ++d) {
    if (assignment[d] >= 0) centroids[assignment[d]].Add(vectors[d]);
  }
  std::vector<SparseVector> normalized(n_clusters);
  std::vector<std::vector<std::pair<int, double>>> postings(terms);
  for (int c = 0; c < n_clusters; ++c) {
    if (centroids[c].size < 2) continue;
    const double norm = std::sqrt(centroids[c].norm2);
    normalized[c].assign(centroids[c].sum.begin(), centroids[c].sum.end());
    std::sort(normalized[c].begin(), normalized[c].end());
    for (auto& [t, w] : normalized[c]) {
      w /= norm;
      postings[t].emplace_back(c, w);
    }
  }
  std::vector<int> parent(n_clusters);
  std::iota(parent.begin(), parent.end(), 0);
  const auto find = [&parent](int c) {
    while (parent[c] != c) c = parent[c] = parent[parent[c]];
    return c;
  };
  std::vector<double> score(n_clusters, 0);
  std::vector<int> touched;
  for (int c = 0; c < n_clusters; ++c) {
    for (const auto& [t, w] : normalized[c]) {
      for (const auto& [o, ow] : postings[t]) {
        if (o <= c) continue;
        if (score[o] == 0) touched.push_back(o);
        score[o] += w * ow;
      }
    }
    for (int o : touched) {
      if (score[o] >= similarity) {
        const int a = find(c);
        const int b = find(o);
        parent[std::max(a, b)] = std::min(a, b);
      }
      score[o] = 0;
    }
    touched.clear();
  }
  std::vector<int> out(assignment.size(), -1);
  for (size_t d = 0; d < assignment.size(); ++d) {
    if (assignment[d] >= 0) out[d] = find(assignment[d]);
  }
  return out;
}

// Number of `members` whose Han runs contain `phrase`.
int DocsContaining(const std::vector<const Parsed*>& members, std::u32string_view phrase) {
  int n = 0;
  for (const Parsed* p : members) {
    for (const std::u32string& run : p->han_runs) {
      if (run.find(phrase) != std::u32string::npos) {
        ++n;
        break;
      }
    }
  }
  return n;
}

// Grows `phrase` one character at a time on the side where more members
// agree, while the longer phrase is still in kGrowShare of the members that
// contain the original one and the new edge bigram is a kept term (`is_term`), so
// that overlapping top bigrams merge (电池 + 池鼓 + 鼓包 → 电池鼓包) but
// phrases never grow into particles, function words or rare bigrams.
template <typename IsTerm>
std::u32string GrowPhrase(const std::vector<const Parsed*>& members, std::u32string phrase, int max_chars,
                          const IsTerm& is_term) {
  constexpr double kGrowShare = 0.7;
  const int base = DocsContaining(members, phrase);
  while (static_cast<int>(phrase.size()) < max_chars && base >= 2) {
    // Side (0 right, 1 left) -> character -> documents.
    absl::flat_hash_map<char32_t, int> next[2];
    for (const Parsed* p : members) {
      absl::flat_hash_set<char32_t> seen[2];
      for (const std::u32string& run : p->han_runs) {
        for (size_t at = run.find(phrase); at != std::u32string::npos; at = run.find(phrase, at + 1)) {
          if (at + phrase.size() < run.size()) seen[0].insert(run[at + phrase.size()]);
          if (at > 0) seen[1].insert(run[at - 1]);
        }
      }
      for (int side = 0; side < 2; ++side) {
        for (char32_t c : seen[side]) ++next[side][c];
      }
    }
    int best_side = -1;
    char32_t best = 0;
    int best_n = 0;
    for (int side = 0; side < 2; ++side) {
      for (const auto& [c, n] : next[side]) {
        const std::u32string edge = side == 0 ? std::u32string{phrase.back(), c} : std::u32string{c, phrase.front()};
        if (IsParticle(c) || !is_term(edge)) continue;
        if (n > best_n || (n == best_n && std::tie(side, c) < std::tie(best_side, best))) {
          best_side = side;
          best = c;
          best_n = n;
        }
      }
    }
    if (best_side < 0 || best_n < 2 || best_n < kGrowShare * base) break;
    phrase = best_side == 0 ? phrase + best : best + phrase;
  }
  return phrase;
}

// The `count` most characteristic terms of a cluster: highest summed TF-IDF,
// bigrams grown into phrases, terms covered by an earlier phrase dropped.
std::vector<std::string> TopTerms(const std::vector<const Parsed*>& members, const Centroid& centroid,
                                  const std::vector<std::string>& vocabulary,
                                  const absl::flat_hash_map<std::string, int>& term_ids, const std::vector<double>& idf,
                                  int count, int max_phrase_chars) {
  const auto is_term = [&](const std::u32string& bigram) {
    auto it = term_ids.find(ToUtf8(bigram));
    return it != term_ids.end() && idf[it->second] > 0;
  };
  std::vector<std::pair<double, int>> ranked;
  ranked.reserve(centroid.sum.size());
  for (const auto& [t, s] : centroid.sum) ranked.emplace_back(s, t);
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return vocabulary[a.second] < vocabulary[b.second];
  });
  std::vector<std::string> out;
  const size_t candidates = std::min(ranked.size(), static_cast<size_t>(count) * 4);
  for (size_t i = 0; i < candidates && static_cast<int>(out.size()) < count; ++i) {
    const std::string& term = vocabulary[ranked[i].second];
    size_t pos = 0;
    const char32_t first = text::NextCodePoint(term, &pos);
    std::string phrase = term;
    if (IsHan(first)) {
      std::u32string u;
      for (size_t p = 0; p < term.size();) u.push_back(text::NextCodePoint(term, &p));
      phrase = ToUtf8(GrowPhrase(members, std::move(u), max_phrase_chars, is_term));
    }
    if (std::any_of(out.begin(), out.end(), [&](const std::string& o) { return o.find(phrase) != std::string::npos; })) {
      continue;
    }
    // Replace the earlier terms the phrase covers, at the first one's place.
    auto covered = std::find_if(out.begin(), out.end(), [&](const std::string& o) { return phrase.find(o) != std::string::npos; });
    if (covered == out.end()) {
      out.push_back(std::move(phrase));
      continue;
    }
    *covered = phrase;
    out.erase(std::remove_if(std::next(covered), out.end(),
                             [&](const std::string& o) { return phrase.find(o) != std::string::npos; }),
              out.end());
  }
  return out;
}

std::string TopicId(const std::vector<std::string>& top_terms) {
  const size_t n = std::min<size_t>(top_terms.size(), 3);
  const std::string key = absl::StrJoin(top_terms.begin(), top_terms.begin() + n, "\x1f");
  char buf[32];
  std::snprintf(buf, sizeof(buf), "topic-%016llx", static_cast<unsigned long long>(text::StableHash64(key)));
  return buf;
}

}  // namespace

std::vector<EmergingTopic> FindEmergingTopics(const std::vector<TopicDoc>& docs, const TopicOptions& options) {
  // Canonical order, so that the result does not depend on the input order.
  std::vector<const TopicDoc*> ordered;
  ordered.reserve(docs.size());
  for (const TopicDoc& d : docs) ordered.push_back(&d);
  std::sort(ordered.begin(), ordered.end(), [](const TopicDoc* a, const TopicDoc* b) {
    return std::tie(a->feedback_id, a->normalized, a->at) < std::tie(b->feedback_id, b->normalized, b->at);
  });
  const size_t n = ordered.size();

  // Tokens, vocabulary and document frequencies.
  std::vector<Parsed> parsed(n);
  std::vector<std::vector<std::pair<int, int>>> counts(n);  // (term, tf), term ascending.
  absl::flat_hash_map<std::string, int> term_ids;
  std::vector<std::string> vocabulary;
  std::vector<int> df;
  for (size_t d = 0; d < n; ++d) {
    parsed[d] = Parse(ordered[d]->normalized);
    std::vector<int> ids;
    ids.reserve(parsed[d].tokens.size());
    for (const std::string& tok : parsed[d].tokens) {
      auto [it, inserted] = term_ids.try_emplace(tok, static_cast<int>(vocabulary.size()));
      if (inserted) {
        vocabulary.push_back(tok);
        df.push_back(0);
      }
      ids.push_back(it->second);
    }
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size();) {
      size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) ++j;
      counts[d].emplace_back(ids[i], static_cast<int>(j - i));
      ++df[ids[i]];
      i = j;
    }
    parsed[d].tokens.clear();
    parsed[d].tokens.shrink_to_fit();
  }

  // Sublinear TF-IDF, L2-normalised, without rare and stopword terms.
  const bool use_fraction = static_cast<int64_t>(n) >= options.min_docs_for_doc_fraction;
  std::vector<double> idf(vocabulary.size(), 0);
  for (size_t t = 0; t < vocabulary.size(); ++t) {
    if (df[t] < options.min_term_docs) continue;
    if (use_fraction && df[t] > options.max_term_doc_fraction * static_cast<double>(n)) continue;
    idf[t] = std::log((1.0 + static_cast<double>(n)) / (1.0 + df[t])) + 1.0;
  }
  std::vector<SparseVector> vectors(n);
  for (size_t d = 0; d < n; ++d) {
    double norm2 = 0;
    for (const auto& [t, tf] : counts[d]) {
      if (idf[t] == 0) continue;
      const double w = (1.0 + std::log(static_cast<double>(tf))) * idf[t];
      vectors[d].emplace_back(t, w);
      norm2 += w * w;
    }
    const double norm = std::sqrt(norm2);
    for (auto& [t, w] : vectors[d]) w /= norm;
  }
  counts.clear();

  // Clustering.
  std::vector<int> assignment = LeaderPass(vectors, vocabulary.size(), options.similarity);
  for (int pass = 0; pass < options.refine_passes; ++pass) {
    assignment = RefinePass(vectors, vocabulary.size(), assignment, options.similarity);
  }
  if (options.merge_similarity <= 1) {
    assignment = MergePass(vectors, vocabulary.size(), assignment, options.merge_similarity);
    assignment = RefinePass(vectors, vocabulary.size(), assignment, options.similarity);
  }

  // Topics.
  const int n_clusters = assignment.empty() ? 0 : *std::max_element(assignment.begin(), assignment.end()) + 1;
  std::vector<std::vector<int>> members(std::max(n_clusters, 0));
  for (size_t d = 0; d < n; ++d) {
    if (assignment[d] >= 0) members[assignment[d]].push_back(static_cast<int>(d));
  }
  const size_t min_size = static_cast<size_t>(std::max(options.min_cluster_size, 2));
  struct Candidate {
    EmergingTopic topic;
    int first_member;  // Canonical index, the last tie-breaker.
  };
  std::vector<Candidate> candidates;
  for (const std::vector<int>& m : members) {
    if (m.size() < min_size) continue;
    Centroid centroid;
    std::vector<const Parsed*> texts;
    for (int d : m) {
      centroid.Add(vectors[d]);
      texts.push_back(&parsed[d]);
    }
    Candidate c;
    c.first_member = m.front();
    EmergingTopic& t = c.topic;
    t.top_terms = TopTerms(texts, centroid, vocabulary, term_ids, idf, options.top_terms, options.max_phrase_chars);
    t.topic_id = TopicId(t.top_terms);
    t.size = static_cast<int64_t>(m.size());
    t.first_seen = absl::InfiniteFuture();
    t.last_seen = absl::InfinitePast();
    std::vector<std::pair<double, int>> central;  // (-cosine, canonical index)
    for (int d : m) {
      t.first_seen = std::min(t.first_seen, ordered[d]->at);
      t.last_seen = std::max(t.last_seen, ordered[d]->at);
      central.emplace_back(-Dot(vectors[d], centroid.sum), d);
    }
    std::sort(central.begin(), central.end());
    const size_t samples = std::min(central.size(), static_cast<size_t>(std::max(options.samples, 0)));
    for (size_t i = 0; i < samples; ++i) t.sample_feedback_ids.push_back(ordered[central[i].second]->feedback_id);
    candidates.push_back(std::move(c));
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(b.topic.size, a.topic.topic_id, a.first_member) <
           std::tie(a.topic.size, b.topic.topic_id, b.first_member);
  });

  std::vector<EmergingTopic> out;
  absl::flat_hash_map<std::string, int> seen_ids;  // Same top terms in two clusters: "-2", "-3", …
  for (Candidate& c : candidates) {
    if (static_cast<int>(out.size()) >= options.max_topics) break;
    const int k = ++seen_ids[c.topic.topic_id];
    if (k > 1) c.topic.topic_id += "-" + std::to_string(k);
    out.push_back(std::move(c.topic));
  }
  return out;
}

}  // namespace fbl::classification
