#pragma once
// Internal to libs/keywords: the built-in word lists that patch ICU's
// segmentation for review text. Hand-written (see lexicon.cc for how each
// list was chosen); all entries are already folded (simplified, lower case).

#include <span>
#include <string_view>

namespace fbl::keywords::internal {

// Review words that ICU's CJK dictionary splits into several tokens
// (送餐 -> 送 餐); consecutive tokens whose concatenation is listed are merged.
std::span<const std::string_view> DomainWords();

// Single Chinese characters that are kept as terms (慢, 贵, 咸 ...); every
// other single character is dropped.
std::span<const std::string_view> MeaningfulSingles();

// A negation token as ICU emits it and the prefix it becomes when joined to
// the following short word: 不+新鲜 -> 不新鲜, 都不+好吃 -> 不好吃,
// 还没+到 -> 没到. With `needs_softener` it joins only across a softener
// (不是+很+好吃 -> 不好吃; 不是+米饭 stays apart).
struct Negator {
  std::string_view token;
  std::string_view prefix;
  bool needs_softener = false;
};
std::span<const Negator> Negators();

// Skipped between a negator and its word: 不+怎么+好吃 -> 不好吃.
std::span<const std::string_view> Softeners();

// Dropped in front of a meaningful single character: 太慢 -> 慢.
std::span<const std::string_view> DegreeAdverbs();

}  // namespace fbl::keywords::internal
