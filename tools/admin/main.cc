// fbl-admin: cluster chores for scripts and operators.
//   fbl-admin ready  --brokers HOST:PORT [--timeout 60s]
//   fbl-admin topics ensure --brokers HOST:PORT --file deploy/topics.yaml [--partitions N] [--no-alter]
//     creates missing topics, and sets the configs (retention.ms) of existing
//     ones that differ from the file, printing each change
//   fbl-admin topics list   --brokers HOST:PORT
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/kafka/admin.h"
#include "libs/runtime/config.h"

namespace {

struct TopicEntry {
  std::string name;
  int partitions = 0;  // 0: defaults.partitions
  absl::Duration retention = absl::InfiniteDuration();
};
void BindConfig(fbl::config::Binder& b, TopicEntry& t) {
  b.Required("name", t.name);
  b.Field("partitions", t.partitions);
  b.Field("retention", t.retention);
}

struct TopicDefaults {
  int partitions = 6;
  int replication_factor = 1;
};
void BindConfig(fbl::config::Binder& b, TopicDefaults& d) {
  b.Field("partitions", d.partitions);
  b.Field("replication_factor", d.replication_factor);
}

struct TopicsFile {
  TopicDefaults defaults;
  std::vector<TopicEntry> topics;
};
void BindConfig(fbl::config::Binder& b, TopicsFile& f) {
  b.Field("defaults", f.defaults);
  b.Required("topics", f.topics);
}

absl::Duration ParseTimeout(const std::string& text) {
  auto d = fbl::config::ParseDuration(text);
  if (!d.ok()) {
    std::cerr << "fbl-admin: --timeout: " << d.status().message() << "\n";
    std::exit(2);
  }
  return *d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop cluster administration"};
  app.require_subcommand(1);
  std::string brokers = "127.0.0.1:19092";
  std::string timeout = "60s";

  auto* ready = app.add_subcommand("ready", "Wait until Kafka completes a produce/consume round trip");
  ready->add_option("--brokers", brokers, "bootstrap servers")->capture_default_str();
  ready->add_option("--timeout", timeout, "give up after this long")->capture_default_str();

  auto* topics = app.add_subcommand("topics", "Project topics");
  topics->require_subcommand(1);
  std::string file;
  int partitions = 0;
  bool no_alter = false;
  auto* ensure = topics->add_subcommand("ensure", "Create the topics of a topics file that are missing");
  ensure->add_option("--brokers", brokers, "bootstrap servers")->capture_default_str();
  ensure->add_option("--file", file, "topics YAML (deploy/topics.yaml)")->required();
  ensure->add_option("--partitions", partitions, "override the partitions of every topic");
  ensure->add_flag("--no-alter", no_alter,
                   "leave the configs of existing topics as they are; only print where they differ");
  auto* list = topics->add_subcommand("list", "List topics");
  list->add_option("--brokers", brokers, "bootstrap servers")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (ready->parsed()) {
    absl::Status s = fbl::kafka::CheckRoundTrip(brokers, "_fbl.readiness", ParseTimeout(timeout));
    if (!s.ok()) {
      std::cerr << "fbl-admin ready: " << s.message() << "\n";
      return 1;
    }
    std::cerr << "kafka at " << brokers << ": round trip ok\n";
    return 0;
  }
  auto admin = fbl::kafka::Admin::Create(brokers);
  if (!admin.ok()) {
    std::cerr << "fbl-admin: " << admin.status().message() << "\n";
    return 1;
  }
  if (ensure->parsed()) {
    auto spec = fbl::config::Load<TopicsFile>(file);
    if (!spec.ok()) {
      std::cerr << "fbl-admin: " << spec.status().message() << "\n";
      return 2;
    }
    std::vector<fbl::kafka::TopicSpec> wanted;
    std::map<std::string, std::map<std::string, std::string>> configs;
    for (const auto& t : spec->topics) {
      int p = partitions > 0 ? partitions : (t.partitions > 0 ? t.partitions : spec->defaults.partitions);
      wanted.push_back({t.name, p, spec->defaults.replication_factor, t.retention});
      if (t.retention != absl::InfiniteDuration()) {
        configs[t.name]["retention.ms"] = std::to_string(absl::ToInt64Milliseconds(t.retention));
      }
    }
    auto created = (*admin)->EnsureTopics(wanted, absl::Seconds(30));
    if (!created.ok()) {
      std::cerr << "fbl-admin topics ensure: " << created.status().message() << "\n";
      return 1;
    }
    std::cerr << "topics: " << wanted.size() << " wanted, created "
              << (created->empty() ? "none" : absl::StrJoin(*created, ", ")) << "\n";
    // Existing topics keep the configs they were created with unless told:
    // a retention shortened in the file (data protection) must reach them.
    auto changes = (*admin)->AlignTopicConfigs(configs, !no_alter, absl::Seconds(30));
    if (!changes.ok()) {
      std::cerr << "fbl-admin topics ensure: " << changes.status().message() << "\n";
      return 1;
    }
    for (const auto& c : *changes) {
      std::cout << "topic " << c.topic << ": " << c.key << " " << (c.old_value.empty() ? "(unset)" : c.old_value)
                << " -> " << c.new_value << (no_alter ? " (not changed: --no-alter)" : "") << "\n";
    }
    std::cerr << "configs: "
              << (changes->empty() ? "all as in the file"
                                   : absl::StrCat(changes->size(), no_alter ? " differ" : " changed"))
              << "\n";
    return 0;
  }
  auto names = (*admin)->ListTopics(absl::Seconds(10));
  if (!names.ok()) {
    std::cerr << "fbl-admin topics list: " << names.status().message() << "\n";
    return 1;
  }
  for (const auto& n : *names) std::cout << n << "\n";
  return 0;
}
