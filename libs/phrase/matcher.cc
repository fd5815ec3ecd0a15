#include "libs/phrase/matcher.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/phrase/fold.h"
#include "libs/text/utf8.h"

namespace fbl::phrase {

std::string_view SuppressReasonName(SuppressReason r) {
  switch (r) {
    case SuppressReason::kNegated:
      return "negated";
    case SuppressReason::kHarmless:
      return "harmless";
    case SuppressReason::kMissingContext:
      return "missing_context";
    case SuppressReason::kScanFailed:
      return "scan_failed";
    case SuppressReason::kUnspecified:
      break;
  }
  return "";
}

namespace {

constexpr size_t kSnippetCodePoints = 40;
// A one-character negation cue ("没", "无") only counts this close to the term.
constexpr int kShortCueGap = 2;
// Extra code points looked at before the window so that an exception
// ("没想到") that straddles the window start still masks its cue.
constexpr int kExceptionLookback = 4;

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabasePtr = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
using HsScratchPtr = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

enum class View { kCompact, kWords };
enum class Kind { kTerm, kHarmless };

// One expression in a Hyperscan database.
struct Expr {
  Kind kind = Kind::kTerm;
  int rule = -1;   // kTerm: owning rule. kHarmless: the rule it is for, or -1.
  int scope = -1;  // kHarmless with rule -1: the scope it is for, or -1 (global).
  std::string source;  // As written in the rules file.
  bool pattern = false;  // A regular expression (compact view), not a term.
};

// The set of byte values of a string: a string can only occur in another
// whose set holds all of its bytes (a cheap filter before searching).
struct ByteSet {
  uint64_t bits[4] = {0, 0, 0, 0};

  static ByteSet Of(std::string_view s) {
    ByteSet b;
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      b.bits[u >> 6] |= uint64_t{1} << (u & 63);
    }
    return b;
  }
  bool Within(const ByteSet& other) const {
    return ((bits[0] & ~other.bits[0]) | (bits[1] & ~other.bits[1]) | (bits[2] & ~other.bits[2]) |
            (bits[3] & ~other.bits[3])) == 0;
  }
};

struct CompiledRule {
  std::string id;
  int scope = -1;
  bool negatable = true;
  std::vector<std::string> neg_cjk;  // Compact-folded cues.
  std::vector<ByteSet> neg_cjk_bytes;  // Per cue.
  std::vector<std::string> neg_en;   // Lower-case words.
  std::vector<std::string> ctx_cjk;  // Compact-folded phrases.
  std::vector<std::string> ctx_en;   // Words-folded phrases.
};

struct Hit {
  unsigned id;
  unsigned long long from;
  unsigned long long to;
};

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}
bool HasAsciiLetter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
}
bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
// English terms/phrases go to the words view; everything else to compact.
bool IsEnglish(std::string_view s) { return IsAscii(s) && HasAsciiLetter(s); }

// Escapes `s` as a Hyperscan literal (non-ASCII bytes pass through).
std::string EscapeLiteral(std::string_view s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && !IsAsciiAlnum(c) && c != ' ' && c != '_') {
      absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// English term (already words-folded) -> whole-word expression.
std::string EnglishExpression(std::string_view folded) {
  bool stem = false;
  if (!folded.empty() && folded.back() == '*') {
    stem = true;
    folded.remove_suffix(1);
  }
  std::string out = "\\b";
  size_t i = 0;
  while (i < folded.size()) {
    if (folded[i] == ' ' || folded[i] == '-') {
      while (i < folded.size() && (folded[i] == ' ' || folded[i] == '-')) ++i;
      out += "[\\s\\-]+";
      continue;
    }
    out += EscapeLiteral(folded.substr(i, 1));
    ++i;
  }
  out += stem ? "\\w*" : "\\b";
  return out;
}

// Steps back `n` code points from byte `pos` in `s`, not crossing `clause`
// (if given) and not below 0. Returns the new byte position.
size_t StepBack(const std::string& s, const std::vector<uint32_t>* clause, size_t pos, int n) {
  const uint32_t c = (clause != nullptr && pos < clause->size()) ? (*clause)[pos]
                     : (clause != nullptr && pos > 0)            ? (*clause)[pos - 1]
                                                                 : 0;
  while (n > 0 && pos > 0) {
    size_t p = pos - 1;
    while (p > 0 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
    if (clause != nullptr && (*clause)[p] != c) break;
    pos = p;
    --n;
  }
  return pos;
}

size_t StepForward(const std::string& s, size_t pos, int n) {
  while (n > 0 && pos < s.size()) {
    ++pos;
    while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
    --n;
  }
  return pos;
}

int CodePoints(std::string_view s) { return static_cast<int>(text::CodePointCount(s)); }

std::string Snippet(std::string_view text, size_t begin, size_t end) {
  size_t mcp = text::CodePointCount(text.substr(begin, end - begin));
  size_t left = begin, right = end;
  if (mcp >= kSnippetCodePoints) {
    right = begin;
    for (size_t n = 0; n < kSnippetCodePoints && right < text.size(); ++n) text::NextCodePoint(text, &right);
  } else {
    size_t budget = kSnippetCodePoints - mcp;
    size_t want_left = budget / 2;
    size_t got_left = 0;
    while (got_left < want_left && left > 0) {
      --left;
      while (left > 0 && (static_cast<unsigned char>(text[left]) & 0xC0) == 0x80) --left;
      ++got_left;
    }
    size_t want_right = budget - got_left;
    for (size_t n = 0; n < want_right && right < text.size(); ++n) text::NextCodePoint(text, &right);
  }
  std::string out(text.substr(left, right - left));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

int OnHit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/,
          void* ctx) {
  static_cast<std::vector<Hit>*>(ctx)->push_back(Hit{id, from, to});
  return 0;
}
// Compact view: terms and harmless phrases are literals compiled without
// start-of-match tracking (which costs Hyperscan much); their start is the
// end minus the literal's length.
struct CompactHits {
  std::vector<Hit>* hits;
  const std::vector<unsigned>* literal_length;  // Per expression id; 0 for a pattern.
};
int OnCompactHit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/,
                 void* ctx) {
  auto* c = static_cast<CompactHits*>(ctx);
  const unsigned length = (*c->literal_length)[id];
  c->hits->push_back(Hit{id, length > 0 ? to - length : from, to});
  return 0;
}

// Keeps, per (id, from), the longest match.
void Dedupe(std::vector<Hit>* hits) {
  std::sort(hits->begin(), hits->end(), [](const Hit& a, const Hit& b) {
    if (a.id != b.id) return a.id < b.id;
    if (a.from != b.from) return a.from < b.from;
    return a.to > b.to;
  });
  hits->erase(std::unique(hits->begin(), hits->end(),
                          [](const Hit& a, const Hit& b) { return a.id == b.id && a.from == b.from; }),
              hits->end());
}

}  // namespace

struct Matcher::Impl {
  std::shared_ptr<const internal::Folder> folder;
  int negation_window = 6;
  int negation_window_words = 3;
  int context_window = 12;
  std::vector<CompiledRule> rules;
  std::vector<std::string> exceptions;  // Compact-folded negation exceptions.
  std::vector<ByteSet> exception_bytes;  // Per exception.
  std::vector<Expr> exprs[2];           // Per view.
  HsDatabasePtr db[2];
  std::vector<unsigned> literal_length;  // Per compact expression: folded bytes of a literal, 0 for a pattern.
  HsScratchPtr prototype;

  mutable std::mutex pool_mu;
  mutable std::vector<HsScratchPtr> pool;

  HsScratchPtr Acquire() const {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      if (!pool.empty()) {
        HsScratchPtr s = std::move(pool.back());
        pool.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(prototype.get(), &s) != HS_SUCCESS) return nullptr;
    return HsScratchPtr(s);
  }
  void Release(HsScratchPtr s) const {
    if (!s) return;
    std::lock_guard<std::mutex> lock(pool_mu);
    pool.push_back(std::move(s));
  }

  bool Negated(const internal::FoldedText& f, View view, const Hit& h, const CompiledRule& r,
               std::string* cue) const;
  bool HasContext(const internal::FoldedText& f, View view, const Hit& h, const CompiledRule& r) const;
};

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Create(const PhraseSet& rules) {
  absl::StatusOr<std::shared_ptr<const internal::Folder>> folder = internal::Folder::Get();
  if (!folder.ok()) return folder.status();
  auto impl = std::make_unique<Impl>();
  impl->folder = *folder;
  const internal::Folder& fold = **folder;
  impl->negation_window = rules.negation_window;
  impl->negation_window_words = rules.negation_window_words;
  impl->context_window = rules.context_window;

  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("rules ", rules.origin, ": ", std::string(what)));
  };

  // Splits cue lists into compact-folded Chinese and lower-case English.
  auto add_cues = [&](const std::vector<std::string>& in, std::vector<std::string>* cjk,
                      std::vector<std::string>* en) {
    for (const std::string& s : in) {
      if (IsEnglish(s)) {
        en->push_back(fold.Words(s));
      } else {
        std::string k = fold.Compact(s);
        if (!k.empty()) cjk->push_back(std::move(k));
      }
    }
  };
  for (const std::string& e : rules.negation_exceptions) {
    std::string k = fold.Compact(e);
    if (!k.empty()) impl->exceptions.push_back(std::move(k));
  }
  for (const std::string& e : impl->exceptions) impl->exception_bytes.push_back(ByteSet::Of(e));

  // Harmless phrases of any scope become expressions in their view.
  auto add_harmless = [&](const std::vector<std::string>& list, int scope, int rule) -> absl::Status {
    for (const std::string& h : list) {
      Expr e;
      e.kind = Kind::kHarmless;
      e.rule = rule;
      e.scope = scope;
      e.source = h;
      if (IsEnglish(h)) {
        impl->exprs[1].push_back(e);
      } else {
        if (fold.Compact(h).empty()) return bad(absl::StrCat("harmless phrase '", h, "' folds to nothing"));
        impl->exprs[0].push_back(e);
      }
    }
    return absl::OkStatus();
  };
  if (absl::Status s = add_harmless(rules.harmless, -1, -1); !s.ok()) return s;
  for (size_t i = 0; i < rules.scopes.size(); ++i) {
    if (absl::Status s = add_harmless(rules.scopes[i].harmless, static_cast<int>(i), -1); !s.ok()) return s;
  }

  for (const Rule& rule : rules.rules) {
    const int index = static_cast<int>(impl->rules.size());
    if (rule.scope >= static_cast<int>(rules.scopes.size())) {
      return bad(absl::StrCat("rule '", rule.id, "': no scope ", rule.scope));
    }
    CompiledRule cr;
    cr.id = rule.id;
    cr.scope = rule.scope;
    cr.negatable = rule.negatable;
    add_cues(rules.negations, &cr.neg_cjk, &cr.neg_en);
    if (rule.scope >= 0) add_cues(rules.scopes[rule.scope].negations, &cr.neg_cjk, &cr.neg_en);
    add_cues(rule.negations, &cr.neg_cjk, &cr.neg_en);
    add_cues(rule.require_context, &cr.ctx_cjk, &cr.ctx_en);
    if (!rule.require_context.empty() && cr.ctx_cjk.empty() && cr.ctx_en.empty()) {
      return bad(absl::StrCat("rule '", rule.id, "': require_context folds to nothing"));
    }
    for (const std::string& c : cr.neg_cjk) cr.neg_cjk_bytes.push_back(ByteSet::Of(c));
    impl->rules.push_back(std::move(cr));
    for (const std::string& t : rule.terms) {
      Expr e;
      e.kind = Kind::kTerm;
      e.rule = index;
      e.source = t;
      if (IsEnglish(t)) {
        impl->exprs[1].push_back(e);
      } else {
        if (fold.Compact(t).empty()) {
          return bad(absl::StrCat("rule '", rule.id, "': term '", t, "' folds to nothing"));
        }
        impl->exprs[0].push_back(e);
      }
    }
    for (const std::string& p : rule.patterns) {
      Expr e;
      e.kind = Kind::kTerm;
      e.rule = index;
      e.source = p;
      e.pattern = true;
      // ASCII patterns with a letter read the words view; others compact.
      impl->exprs[IsEnglish(p) ? 1 : 0].push_back(std::move(e));
    }
    if (absl::Status s = add_harmless(rule.harmless, -1, index); !s.ok()) return s;
  }

  // Pattern sources are passed as written; everything else is escaped.
  auto expression = [&](const Expr& e, View view, bool is_pattern) -> std::string {
    if (is_pattern) return e.source;
    if (view == View::kWords) return EnglishExpression(fold.Words(e.source));
    return EscapeLiteral(fold.Compact(e.source));
  };

  impl->literal_length.assign(impl->exprs[0].size(), 0);
  for (int v = 0; v < 2; ++v) {
    const View view = v == 0 ? View::kCompact : View::kWords;
    const std::vector<Expr>& exprs = impl->exprs[v];
    if (exprs.empty()) continue;
    std::vector<std::string> sources;
    std::vector<const char*> ptrs;
    std::vector<unsigned> flags, ids;
    sources.reserve(exprs.size());
    for (size_t i = 0; i < exprs.size(); ++i) {
      const Expr& e = exprs[i];
      sources.push_back(expression(e, view, e.pattern));
      // Words view: ASCII word boundaries (Hyperscan has no \b with UCP).
      unsigned f = HS_FLAG_UTF8 | (view == View::kWords ? HS_FLAG_CASELESS : HS_FLAG_UCP);
      if (view == View::kCompact && !e.pattern) {
        impl->literal_length[i] = static_cast<unsigned>(fold.Compact(e.source).size());
      } else {
        f |= HS_FLAG_SOM_LEFTMOST;
      }
      flags.push_back(f);
      ids.push_back(static_cast<unsigned>(i));
    }
    for (const std::string& s : sources) ptrs.push_back(s.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) != HS_SUCCESS) {
      std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown error";
      std::string where = "rules";
      if (err != nullptr && err->expression >= 0 && static_cast<size_t>(err->expression) < exprs.size()) {
        const Expr& e = exprs[err->expression];
        where = e.kind == Kind::kTerm ? absl::StrCat("rule '", impl->rules[e.rule].id, "': '", e.source, "'")
                                      : absl::StrCat("harmless phrase '", e.source, "'");
      }
      hs_free_compile_error(err);
      return bad(absl::StrCat(where, " does not compile: ", msg));
    }
    impl->db[v].reset(db);
    hs_scratch_t* scratch = impl->prototype.release();
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
      if (scratch != nullptr) hs_free_scratch(scratch);
      return absl::InternalError("hyperscan: cannot allocate scratch");
    }
    impl->prototype.reset(scratch);
  }
  return std::shared_ptr<const Matcher>(new Matcher(std::move(impl)));
}

bool Matcher::Impl::Negated(const internal::FoldedText& f, View view, const Hit& h, const CompiledRule& r,
                            std::string* cue) const {
  if (!r.negatable) return false;
  if (view == View::kCompact) {
    if (r.neg_cjk.empty() || negation_window <= 0) return false;
    const size_t end = h.from;
    const size_t ws = StepBack(f.compact, &f.compact_clause, end, negation_window);
    const size_t xs = StepBack(f.compact, &f.compact_clause, ws, kExceptionLookback);
    // Exceptions are masked in list order (a later one overlapping an
    // earlier one is not found); the byte sets skip strings that cannot
    // occur.
    thread_local std::string region;
    region.assign(f.compact, xs, end - xs);
    const ByteSet region_bytes = ByteSet::Of(region);
    for (size_t i = 0; i < exceptions.size(); ++i) {
      if (!exception_bytes[i].Within(region_bytes)) continue;
      const std::string& e = exceptions[i];
      for (size_t p = region.find(e); p != std::string::npos; p = region.find(e, p + 1)) {
        std::fill(region.begin() + p, region.begin() + p + e.size(), '\x01');
      }
    }
    const std::string_view window = std::string_view(region).substr(ws - xs);
    const ByteSet window_bytes = ByteSet::Of(window);
    for (size_t i = 0; i < r.neg_cjk.size(); ++i) {
      if (!r.neg_cjk_bytes[i].Within(window_bytes)) continue;
      const std::string& c = r.neg_cjk[i];
      for (size_t p = window.find(c); p != std::string_view::npos; p = window.find(c, p + 1)) {
        const int gap = CodePoints(window.substr(p + c.size()));
        if (CodePoints(c) == 1 && gap > kShortCueGap) continue;
        *cue = c;
        return true;
      }
    }
    return false;
  }
  if (r.neg_en.empty() || negation_window_words <= 0) return false;
  // Up to N words before the match, same clause.
  const std::string& w = f.words;
  size_t pos = h.from;
  const uint32_t clause = pos < f.words_clause.size() ? f.words_clause[pos] : 0;
  int words = 0;
  while (pos > 0 && words < negation_window_words) {
    size_t e = pos;
    while (e > 0 && w[e - 1] == ' ') --e;
    if (e == 0) break;
    size_t b = e;
    while (b > 0 && w[b - 1] != ' ') --b;
    std::string token;
    bool crossed = false;
    for (size_t i = b; i < e; ++i) {
      if (f.words_clause[i] != clause) crossed = true;
      const char c = w[i];
      if (IsAsciiAlnum(c) || c == '\'') token.push_back(c);
    }
    // A token that starts in another clause ends the window, but its part
    // in this clause still counts ("fire. no smoke" vs "no. smoke").
    for (const std::string& n : r.neg_en) {
      if (token == n && !(crossed && f.words_clause[e - 1] != clause)) {
        *cue = n;
        return true;
      }
    }
    if (crossed) break;
    pos = b;
    ++words;
  }
  return false;
}

bool Matcher::Impl::HasContext(const internal::FoldedText& f, View view, const Hit& h,
                               const CompiledRule& r) const {
  if (r.ctx_cjk.empty() && r.ctx_en.empty()) return true;
  for (const std::string& c : r.ctx_en) {
    if (f.words.find(c) != std::string::npos) return true;
  }
  if (r.ctx_cjk.empty()) return false;
  size_t from = h.from, to = h.to;
  if (view == View::kWords) {
    // Map the words-view match to the compact view through original offsets.
    const uint32_t src = f.words_src[h.from];
    auto it = std::lower_bound(f.compact_src.begin(), f.compact_src.end(), src);
    from = to = static_cast<size_t>(it - f.compact_src.begin());
  }
  const size_t b = StepBack(f.compact, nullptr, from, context_window);
  const size_t e = StepForward(f.compact, to, context_window);
  const std::string_view around = std::string_view(f.compact).substr(b, e - b);
  for (const std::string& c : r.ctx_cjk) {
    if (around.find(c) != std::string_view::npos) return true;
  }
  return false;
}

Result Matcher::Match(std::string_view text, const MatchOptions& options) const {
  const Impl& m = *impl_;
  Result result;
  thread_local internal::FoldedText folded;
  m.folder->Fold(text, &folded);

  HsScratchPtr scratch = m.Acquire();
  thread_local std::vector<Hit> hits[2];
  for (int v = 0; v < 2; ++v) {
    hits[v].clear();
    if (!m.db[v]) continue;
    const std::string& view = v == 0 ? folded.compact : folded.words;
    CompactHits compact{&hits[v], &m.literal_length};
    if (!scratch || hs_scan(m.db[v].get(), view.data(), static_cast<unsigned>(view.size()), 0, scratch.get(),
                            v == 0 ? OnCompactHit : OnHit,
                            v == 0 ? static_cast<void*>(&compact) : static_cast<void*>(&hits[v])) != HS_SUCCESS) {
      Suppressed s;
      s.reason = SuppressReason::kScanFailed;
      s.detail = "hyperscan scan failed";
      result.suppressed.push_back(std::move(s));
      hits[v].clear();
    }
    Dedupe(&hits[v]);
  }
  m.Release(std::move(scratch));

  struct Accepted {
    int rule;
    size_t begin, end;  // Original byte span.
    const Expr* expr;
  };
  thread_local std::vector<Accepted> accepted;
  accepted.clear();

  for (int v = 0; v < 2; ++v) {
    const View view = v == 0 ? View::kCompact : View::kWords;
    const std::string& vt = v == 0 ? folded.compact : folded.words;
    const std::vector<uint32_t>& src = v == 0 ? folded.compact_src : folded.words_src;
    for (const Hit& h : hits[v]) {
      const Expr& e = m.exprs[v][h.id];
      if (e.kind != Kind::kTerm || h.to <= h.from) continue;
      if (view == View::kCompact) {
        // Digits and Latin letters at the edges must not continue a longer
        // number or word ("0123150", "m315", "315万").
        if (IsAsciiAlnum(vt[h.from]) && h.from > 0 && IsAsciiAlnum(vt[h.from - 1])) continue;
        if (IsAsciiAlnum(vt[h.to - 1]) && h.to < vt.size() && IsAsciiAlnum(vt[h.to])) continue;
      }
      const CompiledRule& rule = m.rules[e.rule];
      const size_t begin = src[h.from];
      size_t end = src[h.to - 1];
      text::NextCodePoint(text, &end);

      Suppressed sup;
      sup.reason = SuppressReason::kUnspecified;
      for (const Hit& g : hits[v]) {
        const Expr& he = m.exprs[v][g.id];
        if (he.kind != Kind::kHarmless) continue;
        const bool in_scope =
            he.rule < 0 ? (he.scope < 0 || he.scope == rule.scope) : he.rule == e.rule;
        if (in_scope && g.from <= h.from && g.to >= h.to) {
          sup.reason = SuppressReason::kHarmless;
          sup.detail = he.source;
          break;
        }
      }
      std::string cue;
      if (sup.reason == SuppressReason::kUnspecified && m.Negated(folded, view, h, rule, &cue)) {
        sup.reason = SuppressReason::kNegated;
        sup.detail = cue;
      }
      if (sup.reason == SuppressReason::kUnspecified && !m.HasContext(folded, view, h, rule)) {
        sup.reason = SuppressReason::kMissingContext;
      }
      if (sup.reason != SuppressReason::kUnspecified) {
        if (!options.suppressed) continue;
        sup.rule = e.rule;
        sup.term = e.source;
        sup.matched = std::string(text.substr(begin, end - begin));
        sup.offset = begin;
        result.suppressed.push_back(std::move(sup));
        continue;
      }
      accepted.push_back(Accepted{e.rule, begin, end, &e});
    }
  }

  // Text order; for one rule drop spans inside an earlier, longer span.
  std::sort(accepted.begin(), accepted.end(), [](const Accepted& a, const Accepted& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.rule < b.rule;
  });
  for (size_t i = 0; i < accepted.size(); ++i) {
    const Accepted& a = accepted[i];
    bool covered = false;
    for (size_t j = 0; j < i && !covered; ++j) {
      covered = accepted[j].rule == a.rule && accepted[j].begin <= a.begin && accepted[j].end >= a.end;
    }
    if (covered) continue;
    Evidence ev;
    ev.rule = a.rule;
    ev.term = a.expr->source;
    ev.matched = std::string(text.substr(a.begin, a.end - a.begin));
    if (options.snippets) ev.snippet = Snippet(text, a.begin, a.end);
    ev.offset = a.begin;
    ev.length = a.end - a.begin;
    result.evidences.push_back(std::move(ev));
  }
  std::sort(result.suppressed.begin(), result.suppressed.end(),
            [](const Suppressed& a, const Suppressed& b) { return a.offset < b.offset; });
  return result;
}

}  // namespace fbl::phrase
