#pragma once
// INT-3: flags feedback too vague to act on ("不好用", "有问题!!!") so the
// channel can ask the customer for details.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fbl::text {

enum class VagueReason { kTooShort, kNoSymptom, kGenericPhraseOnly };

std::string_view VagueReasonName(VagueReason reason);  // "too_short", ...

struct VagueConfig {
  // kTooShort: fewer code points than this after Compact().
  size_t min_chars = 6;
  // kNoSymptom applies only to texts (after Compact()) shorter than this;
  // longer texts get the benefit of the doubt.
  size_t symptom_check_max_chars = 30;
  // kGenericPhraseOnly: the text consists only of these ...
  std::vector<std::string> generic_phrases = {
      "不好用", "有问题", "不行", "太差", "很差", "差评", "垃圾", "不满意", "一般", "一般般",
      "差", "不好", "失望", "坑", "bad", "terrible", "not good", "doesn't work",
      "not working", "useless", "poor", "awful", "worst", "sucks"};
  // ... plus these particles, intensifiers and fillers.
  std::vector<std::string> filler_terms = {
      "了", "吗", "呢", "啊", "吧", "呀", "的", "很", "太", "真", "是", "非常", "特别", "超级",
      "超", "真的", "实在", "十分", "极其", "简直", "完全", "根本", "有点", "有些", "比较",
      "挺", "蛮", "都", "也", "就", "还", "又", "我", "你们", "这个", "东西", "产品", "商品",
      "感觉", "觉得", "哦", "哎", "唉", "嘛", "额", "呵呵", "very", "so", "too", "really",
      "quite", "totally", "just", "this", "is", "it", "its", "the", "product", "app"};
  // kNoSymptom: none of these occurs in the text. Single characters match as
  // substrings, so keep them specific.
  std::vector<std::string> symptom_terms = {
      "坏", "漏", "卡", "慢", "闪退", "死机", "黑屏", "发热", "发烫", "噪音", "异响", "响",
      "异味", "臭", "破", "裂", "碎", "断", "掉", "少", "缺", "错", "没收到", "未收到", "延迟",
      "超时", "过期", "变质", "冷", "凉", "咸", "淡", "辣", "油", "硬", "脏", "洒", "撒",
      "退款", "退货", "换货", "客服", "态度", "价格", "贵", "收费", "扣费", "充电", "电池",
      "屏幕", "声音", "信号", "网络", "质量", "尺寸", "大小", "颜色", "味道", "包装", "物流",
      "快递", "配送", "送餐", "骑手", "小时", "分钟", "发货", "假货", "故障", "维修", "安装",
      "房间", "服务", "前台", "卫生", "crash", "freeze", "lag", "slow", "broken", "leak",
      "noise", "late", "refund", "charge", "battery", "screen", "error", "bug", "missing",
      "wrong", "damaged", "dirty", "rude", "price", "delivery", "cold", "wifi", "update"};
};

// Immutable after construction; Check() is thread-safe.
class VagueDetector {
 public:
  // Terms are folded like the input (Compact() + ASCII lower case), so
  // "doesn't work" matches "Doesn't work!!" normalised and compacted.
  explicit VagueDetector(VagueConfig config = {});

  // `normalized` is the output of Normalizer::Normalize(). Returns the
  // reasons that apply, in enum order; empty means "specific enough".
  std::vector<VagueReason> Check(std::string_view normalized) const;

 private:
  bool OnlyGeneric(std::string_view compact) const;
  bool HasSymptom(std::string_view compact) const;

  size_t min_chars_;
  size_t symptom_check_max_chars_;
  std::vector<std::string> removable_;  // generic phrases + fillers, folded
  std::vector<std::string> symptoms_;   // folded
};

// A short bilingual prompt asking for details; "" when `reasons` is empty.
std::string VagueHint(const std::vector<VagueReason>& reasons);

}  // namespace fbl::text
