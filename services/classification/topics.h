#pragma once
// CLS-9: emerging topics, pure domain logic (no Kafka, Redis or gRPC). The
// service periodically passes the feedback that no tag explains well and
// publishes the candidate topics:
//
//   std::vector<EmergingTopic> topics = FindEmergingTopics(docs, options);
//
// Method, right for Chinese (no whitespace splitting):
//  1. Tokens: code-point bigrams inside each run of Han characters and
//     lower-case ASCII words (2+ characters, not only digits); punctuation,
//     space and other scripts separate runs. Bigrams with a particle (的了吗…),
//     a small list of function-word bigrams (我们, 不是…), terms in fewer than
//     `min_term_docs` documents and, on large inputs, terms in more than
//     `max_term_doc_fraction` of the documents are dropped.
//  2. Sublinear TF-IDF vectors, L2-normalised.
//  3. Leader clustering on the sparse vectors with an inverted index over the
//     cluster centroids (one pass in a canonical order: by feedback ID), then
//     `refine_passes` passes that reassign every document to its most similar
//     centroid (cosine ≥ `similarity`, else it stays alone); clusters whose
//     centroids have a cosine ≥ `merge_similarity` merge, and a last pass
//     reassigns the documents to the merged centroids.
//  4. Top terms: the highest summed TF-IDF terms of the members, each grown
//     into the longest phrase the members agree on (电池 + 池鼓 + 鼓包 →
//     电池鼓包). The topic ID hashes the top 3 terms.
// Deterministic: the result does not depend on the order of `docs`.
// Roughly linear: ~20,000 short reviews take well under a few seconds.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace fbl::classification {

struct TopicDoc {
  std::string feedback_id;  // Unique within one call (the canonical order).
  std::string normalized;   // Normalizer::Normalize output (NFKC, case folded).
  absl::Time at;
};

struct TopicOptions {
  int min_cluster_size = 5;  // Smaller clusters are not returned.
  int max_topics = 20;
  int top_terms = 8;
  int samples = 5;             // Sample feedback IDs per topic, most central first.
  double similarity = 0.3;     // Minimum cosine of a document to its cluster centroid.
  int refine_passes = 2;       // Reassignment passes after the leader pass.
  double merge_similarity = 0.6;  // Clusters whose centroids are this similar merge (> 1: never).
  int min_term_docs = 2;       // Terms in fewer documents are ignored.
  double max_term_doc_fraction = 0.3;  // Terms in more are stopwords …
  int min_docs_for_doc_fraction = 100;  // … when there are at least this many documents.
  int max_phrase_chars = 8;    // Longest phrase a top term may grow into.
};

struct EmergingTopic {
  std::string topic_id;                // "topic-" + 16 hex digits; stable for the same top terms.
  std::vector<std::string> top_terms;  // Most characteristic first.
  int64_t size = 0;                    // Member documents.
  std::vector<std::string> sample_feedback_ids;
  absl::Time first_seen;  // Earliest / latest `at` of the members.
  absl::Time last_seen;
};

// Clusters `docs` and returns the clusters of at least
// `options.min_cluster_size` documents as topics, largest first (ties by
// topic ID), at most `options.max_topics`.
std::vector<EmergingTopic> FindEmergingTopics(const std::vector<TopicDoc>& docs, const TopicOptions& options);

}  // namespace fbl::classification
