// Renders a weekly report built from real car-owner complaints, screenshots it
// with headless Chromium and checks that the picture is a drawn report: enough
// ink, many colours, and the chart palette on screen.
//
// Needs `chromium` (or `chromium-browser`; FBL_CHROMIUM overrides) and a CJK
// font (fonts-noto-cjk); scripts/deps.sh installs both. Without Chromium the
// test skips, except in CI (env CI set), where it fails.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "libs/dataset/csv_reader.h"
#include "libs/report/report.h"
#include "libs/report/tests/png.h"

extern char** environ;

namespace fbl::report {
namespace {

namespace fs = std::filesystem;

std::string FindProgram(const std::vector<std::string>& names) {
  const char* path = std::getenv("PATH");
  for (const std::string& name : names) {
    for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
      const std::string candidate = absl::StrCat(dir, "/", name);
      if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

// Runs argv in its own process group with stdin from /dev/null and stdout and
// stderr to `log`. Waits for it to exit (polling its status) up to `timeout`;
// on timeout kills the group. Returns the exit status, or -1 when killed.
int RunProgram(const std::vector<std::string>& argv, const std::string& log, absl::Duration timeout) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(err);
    return -1;
  }
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (absl::Now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the child's exit
  }
  kill(-pid, SIGKILL);  // helpers the browser may have left in its group; ESRCH when none
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A weekly report from car_complaints.csv: the week of Mon 2020-08-24, compared
// with the week before. Counts, texts and dates are real; the problem
// taxonomy (keyword lists), plans, CSAT, NPS and SLA figures are hand-written.
struct Category {
  std::string code, label;
  std::vector<std::string> keywords;
};

ReportData RealisticReport() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone));
  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/car_complaints.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  ReportData d;
  d.kind = Kind::kWeekly;
  d.zone = zone;
  const absl::CivilDay week(2020, 8, 24), prev = week - 7;
  d.period_start = absl::FromCivil(week, zone);
  d.period_end = absl::FromCivil(week + 7, zone);
  d.generated_at = absl::FromCivil(absl::CivilSecond(2020, 8, 31, 8, 0, 0), zone);
  d.title = "汽车质量投诉周报";
  if (!table.ok()) return d;

  const std::vector<Category> categories = {  // hand-written taxonomy, first match wins
      {"BRAKE", "刹车制动", {"刹车", "制动"}},
      {"GEARBOX", "变速箱故障", {"变速箱", "顿挫", "换挡", "挂挡"}},
      {"ENGINE", "发动机故障", {"发动机", "熄火", "故障灯", "烧机油"}},
      {"LEAK", "漏油漏水", {"漏油", "渗漏", "漏水"}},
      {"RUST", "生锈掉漆", {"生锈", "锈蚀", "掉漆"}},
      {"NOISE", "异响", {"异响"}},
      {"DEALER", "4S店与售后", {"4S店", "经销商", "售后"}},
      {"QUALITY", "其他质量问题", {"质量", "开裂", "鼓包", "抖动"}},
  };
  const int c_id = table->Column("id"), c_desc = table->Column("desc"), c_date = table->Column("datetime"),
            c_status = table->Column("status");
  std::map<std::string, int64_t> cur, before;
  std::map<std::string, std::map<absl::CivilDay, int64_t>> daily;
  std::map<std::string, std::vector<std::string>> samples;
  std::set<std::string> ids;
  int64_t week_rows = 0, prev_rows = 0, handled = 0, answered = 0, red = 0;
  const std::vector<std::string> terms = {"异响", "变速箱", "漏油", "生锈", "发动机", "刹车", "4S店", "顿挫",
                                          "抖动", "异味", "质量", "维修", "故障灯", "熄火", "轮胎", "方向盘",
                                          "天窗", "退款", "召回", "减震", "空调", "油耗", "车机", "失灵"};
  std::map<std::string, int64_t> term_counts;
  for (const auto& row : table->rows) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(row.fields[c_date], &day)) continue;
    const bool in_week = day >= week && day < week + 7, in_prev = day >= prev && day < week;
    if (!in_week && !in_prev) continue;
    const std::string& desc = row.fields[c_desc];
    std::string code = "OTHER";
    for (const Category& c : categories) {
      if (std::any_of(c.keywords.begin(), c.keywords.end(), [&](const std::string& k) { return absl::StrContains(desc, k); })) {
        code = c.code;
        break;
      }
    }
    ++daily[code][day];
    ++daily["ALL"][day];
    if (in_prev) {
      ++prev_rows;
      ++before[code];
      continue;
    }
    ++week_rows;
    ++cur[code];
    ids.insert(row.fields[c_id]);
    if (samples[code].size() < 3) samples[code].push_back(desc);
    const std::string& status = row.fields[c_status];
    if (status != "信息审核") ++handled;  // accepted by the maker: a ticket
    if (status == "处理反馈" || status == "用户评分") ++answered;
    for (const char* w : {"自燃", "失控", "刹车失灵", "起火"}) {
      if (absl::StrContains(desc, w)) {
        ++red;
        break;
      }
    }
    for (const std::string& t : terms) term_counts[t] += absl::StrContains(desc, t) ? 1 : 0;
  }
  auto label_of = [&](const std::string& code) {
    for (const Category& c : categories) {
      if (c.code == code) return c.label;
    }
    return std::string(code == "ALL" ? "全部投诉" : "其他");
  };
  auto rate = [](int64_t now, int64_t then) -> std::optional<double> {
    if (then <= 0) return std::nullopt;
    return static_cast<double>(now - then) / static_cast<double>(then);
  };

  d.overview = Overview{.feedback = week_rows, .complaints = week_rows,
                        .distinct_customers = static_cast<int64_t>(ids.size()), .red_alerts = red,
                        .tickets_created = handled, .tickets_resolved = answered,
                        .csat = 3.72, .nps = -8, .sla_compliance = 0.87,  // hand-written
                        .feedback_change_rate = rate(week_rows, prev_rows)};
  std::vector<std::pair<std::string, int64_t>> ranked(cur.begin(), cur.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [code, n] : ranked) {
    d.distribution.push_back(Count{.code = code, .label = label_of(code), .count = n,
                                   .share = static_cast<double>(n) / static_cast<double>(week_rows)});
  }
  for (const auto& [code, n] : ranked) {
    if (code == "OTHER") continue;
    if (d.top5.size() == 5) break;
    d.top5.push_back(Ranked{.rank = static_cast<int>(d.top5.size() + 1), .code = code, .label = label_of(code),
                            .count = n, .previous_count = before[code], .change_rate = rate(n, before[code])});
  }
  std::vector<std::string> series_codes = {"ALL"};
  for (size_t i = 0; i < 3 && i < d.top5.size(); ++i) series_codes.push_back(d.top5[i].code);
  for (const std::string& code : series_codes) {
    Series s{.label = label_of(code), .points = {}};
    for (absl::CivilDay day = prev; day < week + 7; ++day) {
      s.points.push_back(Point{.start = absl::FromCivil(day, zone), .count = daily[code][day]});
    }
    d.trends.push_back(std::move(s));
  }
  int64_t max_term = 1;
  for (const auto& [t, n] : term_counts) max_term = std::max(max_term, n);
  for (const auto& [t, n] : term_counts) {
    if (n > 0) d.keywords.push_back(Term{.term = t, .count = n, .weight = static_cast<double>(n) / max_term});
  }
  // Core problems: the top two, with hand-written plans (one late, one blocked).
  for (size_t i = 0; i < 2 && i < d.top5.size(); ++i) {
    const Ranked& r = d.top5[i];
    CoreProblem p{.code = r.code, .label = r.label, .count = r.count, .change_rate = r.change_rate, .plans = {},
                  .sample_texts = samples[r.code]};
    if (i == 0) {
      p.plans.push_back(Plan{.problem_code = r.code, .goal = "四周内该类投诉量下降 30%",
                             .root_cause = "供应商批次件公差超标，出厂检测未覆盖低速工况", .owner = "质量部 张工",
                             .status = "进行中", .acceptance = "连续两周投诉量 ≤ 基线 70%，复检合格率 ≥ 99%",
                             .blockers = "供应商整改排期未确认",
                             .measures = {"锁定问题批次并召回检查", "增加低速工况下线检测", "4S 店统一维修方案"},
                             .start = absl::FromCivil(absl::CivilDay(2020, 8, 10), zone),
                             .end = absl::FromCivil(absl::CivilDay(2020, 9, 30), zone), .progress_percent = 45});
    } else {
      p.plans.push_back(Plan{.problem_code = r.code, .goal = "维修一次修复率 ≥ 95%",
                             .root_cause = "售后诊断手册缺少该故障的排查流程", .owner = "售后服务部 李经理",
                             .status = "已延期", .acceptance = "回访满意度 ≥ 4.2",
                             .blockers = "", .measures = {"更新诊断手册", "技师培训"},
                             .start = absl::FromCivil(absl::CivilDay(2020, 7, 1), zone),
                             .end = absl::FromCivil(absl::CivilDay(2020, 8, 20), zone), .progress_percent = 70});
    }
    d.core_problems.push_back(std::move(p));
  }
  d.suggestions = Suggestions(d);
  return d;
}

bool Near(uint32_t rgb, uint32_t want, int tolerance) {
  for (int shift : {16, 8, 0}) {
    if (std::abs(static_cast<int>((rgb >> shift) & 0xFF) - static_cast<int>((want >> shift) & 0xFF)) > tolerance) {
      return false;
    }
  }
  return true;
}

TEST(ReportRenderE2eTest, ChromiumScreenshotShowsTheCharts) {
  std::string chromium;
  if (const char* env = std::getenv("FBL_CHROMIUM"); env != nullptr && *env != '\0') {
    chromium = env;
  } else {
    chromium = FindProgram({"chromium", "chromium-browser"});
  }
  if (chromium.empty()) {
    if (std::getenv("CI") == nullptr) GTEST_SKIP() << "chromium not installed (scripts/deps.sh installs it)";
    FAIL() << "chromium not found in PATH; CI must run this test (scripts/deps.sh installs it)";
  }

  const ReportData data = RealisticReport();
  ASSERT_GT(data.overview.feedback, 0);
  ASSERT_GE(data.top5.size(), 3u);
  const std::string dir = absl::StrCat(::testing::TempDir(), "report_e2e_", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string html_path = dir + "/report.html", png_path = dir + "/report.png";
  {
    std::ofstream out(html_path, std::ios::binary);
    out << RenderHtml(data);
    ASSERT_TRUE(out.good());
  }
  auto parsed = ParseJson(RenderJson(data));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->overview.feedback, data.overview.feedback);

  const absl::Time started = absl::Now();
  const int rc = RunProgram({chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--hide-scrollbars", "--disable-dev-shm-usage", "--user-data-dir=" + dir + "/profile",
                      "--screenshot=" + png_path, "--window-size=1280,2400", "file://" + html_path},
                     dir + "/chromium.log", absl::Seconds(120));
  const absl::Duration took = absl::Now() - started;
  ASSERT_EQ(rc, 0) << "chromium failed; log:\n" << ReadFile(dir + "/chromium.log");
  auto image = testing::DecodePng(ReadFile(png_path));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->width, 1280);
  EXPECT_EQ(image->height, 2400);

  const uint32_t kWhite = 0xFFFFFF, kPageBackground = 0xF3F5F8;  // html background in the CSS
  std::unordered_set<uint32_t> colours;
  int64_t non_white = 0, ink = 0, blue = 0, orange = 0, red = 0, top_half_ink = 0, bottom_half_ink = 0;
  for (size_t i = 0; i < image->rgb.size(); ++i) {
    const uint32_t px = image->rgb[i];
    colours.insert(px);
    if (!Near(px, kWhite, 5)) ++non_white;
    if (!Near(px, kWhite, 12) && !Near(px, kPageBackground, 12)) {
      ++ink;
      (static_cast<int>(i / image->width) < image->height / 2 ? top_half_ink : bottom_half_ink)++;
    }
    blue += Near(px, 0x4E79A7, 6);
    orange += Near(px, 0xF28E2B, 6);
    red += Near(px, 0xE15759, 6);
  }
  const double total = static_cast<double>(image->rgb.size());
  const std::string figures = absl::StrFormat(
      "screenshot %dx%d in %s: non-white %.1f%%, ink (neither white nor page background) %.1f%% "
      "(top half %.1f%%, bottom half %.1f%%), %d distinct colours, palette pixels blue %d orange %d red %d",
      image->width, image->height, absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(10))),
      100.0 * non_white / total, 100.0 * ink / total, 200.0 * top_half_ink / total, 200.0 * bottom_half_ink / total,
      colours.size(), blue, orange, red);
  std::cout << figures << "\n";
  RecordProperty("figures", figures);
  EXPECT_GE(non_white / total, 0.05);
  EXPECT_GE(ink / total, 0.05) << "the report card itself must carry content, not just the page background";
  EXPECT_GE(top_half_ink / total, 0.02);
  EXPECT_GE(bottom_half_ink / total, 0.02) << "the page should be long enough to fill 2400 px";
  EXPECT_GE(colours.size(), 20u);
  EXPECT_GE(blue, 2000) << "pie slice, bars and trend line in #4e79a7";
  EXPECT_GE(orange, 200) << "second pie slice and trend series in #f28e2b";
  EXPECT_GE(red, 200) << "third slice / rising bars in #e15759";

  // Chinese text needs a CJK font, or it renders as empty boxes.
  const std::string fc_list = FindProgram({"fc-list"});
  if (!fc_list.empty()) {
    ASSERT_EQ(RunProgram({fc_list, ":lang=zh", "family"}, dir + "/fonts.txt", absl::Seconds(30)), 0);
    EXPECT_FALSE(ReadFile(dir + "/fonts.txt").empty()) << "no CJK font: install fonts-noto-cjk (scripts/deps.sh)";
  }

  if (std::getenv("FBL_KEEP_TEST_FILES") != nullptr) {
    std::cout << "kept " << html_path << " and " << png_path << "\n";
  } else {
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace fbl::report
