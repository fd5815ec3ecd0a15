// Suggestions: the rules that turn a report's figures into actions.

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/report/format.h"
#include "libs/report/report.h"

namespace fbl::report {
namespace {

constexpr double kRisingRate = 0.20;       // problem up more than 20 %
constexpr double kSlaTarget = 0.90;        // SLA compliance target
constexpr double kCsatTarget = 4.0;        // CSAT target on a 1..5 scale
constexpr double kVolumeSpikeRate = 0.50;  // feedback volume up more than 50 %
constexpr double kResolutionTarget = 0.80;  // resolved / created

bool Finite(const std::optional<double>& v) { return v.has_value() && std::isfinite(*v); }

std::string Name(const std::string& code, const std::string& label) {
  if (label.empty()) return code;
  if (code.empty()) return label;
  return absl::StrCat(label, "（", code, "）");
}

std::string Pct(double fraction) { return FormatPercent(fraction, 0); }

}  // namespace

std::string DefaultTitle(Kind kind) { return kind == Kind::kMonthly ? "客户反馈月报" : "客户反馈周报"; }

std::vector<std::string> Suggestions(const ReportData& d) {
  std::vector<std::string> out;
  const Overview& o = d.overview;

  if (o.red_alerts > 0) {
    out.push_back(absl::StrFormat(
        "本期出现 %s 条红色预警：复盘每条预警的响应时效与处置结果，确认已闭环。 / %s red alert(s) this period: "
        "review response times and outcomes and confirm each one is closed.",
        FormatCount(o.red_alerts), FormatCount(o.red_alerts)));
  }

  // Rising problems (core problems first, then the top 5) without a plan.
  std::set<std::string> planned;
  for (const CoreProblem& p : d.core_problems) {
    if (!p.plans.empty()) planned.insert(p.code.empty() ? p.label : p.code);
  }
  std::set<std::string> seen;
  auto rising = [&](const std::string& code, const std::string& label, int64_t count,
                    const std::optional<double>& rate) {
    const std::string key = code.empty() ? label : code;
    if (key.empty() || !seen.insert(key).second) return;
    if (!Finite(rate) || *rate <= kRisingRate || planned.contains(key)) return;
    const std::string name = Name(code, label);
    out.push_back(absl::StrFormat(
        "为「%s」制定改进计划：本期 %s 次，环比上升 %s，目前没有改进计划。 / Create an improvement plan for "
        "\"%s\": %s this period, up %s, no plan yet.",
        name, FormatCount(count), Pct(*rate), name, FormatCount(count), Pct(*rate)));
  };
  for (const CoreProblem& p : d.core_problems) rising(p.code, p.label, p.count, p.change_rate);
  for (const Ranked& r : d.top5) rising(r.code, r.label, r.count, r.change_rate);

  // Plans that are late or blocked.
  for (const CoreProblem& p : d.core_problems) {
    const std::string name = Name(p.code, p.label);
    for (const Plan& plan : p.plans) {
      if (plan.progress_percent >= 100) continue;
      const std::string owner = plan.owner.empty() ? "负责人" : plan.owner;
      const std::string owner_en = plan.owner.empty() ? "the owner" : plan.owner;
      if (plan.end != absl::InfinitePast() && plan.end != absl::InfiniteFuture() && plan.end < d.generated_at) {
        const std::string date = FormatDate(plan.end, d.zone);
        out.push_back(absl::StrFormat(
            "「%s」的改进计划已过截止日期 %s，进度 %d%%：请%s更新计划或调整期限。 / The plan for \"%s\" passed "
            "its end date %s at %d%%: %s to update it or move the date.",
            name, date, plan.progress_percent, owner, name, date, plan.progress_percent, owner_en));
      }
      if (!plan.blockers.empty()) {
        out.push_back(absl::StrFormat(
            "协调解决「%s」改进计划的阻碍：%s / Resolve what blocks the plan for \"%s\": %s", name, plan.blockers,
            name, plan.blockers));
      }
    }
  }

  if (Finite(o.sla_compliance) && *o.sla_compliance < kSlaTarget) {
    out.push_back(absl::StrFormat(
        "SLA 达标率 %s，低于 90%%：检查工单分派、排班与超时升级。 / SLA compliance is %s, below 90%%: review "
        "ticket routing, staffing and escalation of breaches.",
        Pct(*o.sla_compliance), Pct(*o.sla_compliance)));
  }
  if (Finite(o.csat) && *o.csat < kCsatTarget) {
    out.push_back(absl::StrFormat(
        "客户满意度 %.2f 低于 4.0：回访不满意的客户，复盘处理质量与话术。 / CSAT is %.2f, below 4.0: call back "
        "unhappy customers and review how tickets were handled.",
        *o.csat, *o.csat));
  }
  if (Finite(o.nps) && *o.nps < 0) {
    out.push_back(absl::StrFormat(
        "NPS 为 %.0f（贬损者多于推荐者）：分析贬损者的反馈主题。 / NPS is %.0f (more detractors than promoters): "
        "analyse what detractors write about.",
        *o.nps, *o.nps));
  }
  if (Finite(o.feedback_change_rate) && *o.feedback_change_rate > kVolumeSpikeRate) {
    out.push_back(absl::StrFormat(
        "反馈量环比上升 %s：核对同期的版本发布与营销活动，找出原因。 / Feedback volume is up %s: check releases "
        "and campaigns of the period for the cause.",
        Pct(*o.feedback_change_rate), Pct(*o.feedback_change_rate)));
  }
  if (o.tickets_created > 0) {
    const double rate = static_cast<double>(o.tickets_resolved) / static_cast<double>(o.tickets_created);
    if (rate < kResolutionTarget) {
      out.push_back(absl::StrFormat(
          "新建工单 %s 张，仅解决 %s 张（%s）：清理积压工单。 / %s tickets opened, %s resolved (%s): work off the "
          "backlog.",
          FormatCount(o.tickets_created), FormatCount(o.tickets_resolved), Pct(rate), FormatCount(o.tickets_created),
          FormatCount(o.tickets_resolved), Pct(rate)));
    }
  }
  if (out.empty()) {
    out.push_back("本期各项指标正常，保持现有措施。 / All figures are within target; keep the current measures.");
  }
  return out;
}

}  // namespace fbl::report
