#include "libs/runtime/process_collector.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace fbl::runtime {
namespace {

TEST(ProcessCollectorTest, ReportsPlausibleProcessMetrics) {
  std::vector<char> ballast(64 << 20, 1);  // touch 64 MiB so RSS is clearly non-zero
  ProcessCollector collector;
  std::map<std::string, double> values;
  for (const auto& f : collector.Collect()) {
    ASSERT_EQ(f.metric.size(), 1u);
    values[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                                : f.metric[0].gauge.value;
  }
  EXPECT_GE(values.at("process_resident_memory_bytes"), 64.0 * (1 << 20));
  EXPECT_GE(values.at("process_virtual_memory_bytes"), values.at("process_resident_memory_bytes"));
  EXPECT_GE(values.at("process_open_fds"), 3);
  EXPECT_GT(values.at("process_max_fds"), values.at("process_open_fds"));
  EXPECT_GT(values.at("process_start_time_seconds"), 1.6e9);
  EXPECT_GE(values.at("process_cpu_seconds_total"), 0);
  EXPECT_EQ(ballast[12345], 1);
}

}  // namespace
}  // namespace fbl::runtime
