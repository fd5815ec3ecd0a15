#include "libs/runtime/runtime.h"

#include <fstream>

#include <google/protobuf/stubs/logging.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/runtime/log.h"

namespace fbl::runtime {

Runtime::~Runtime() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(const std::string& service,
                                                         const ServerConfig& config) {
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->signals_ = Signals::Install();
  rt->service_ = service;
  rt->config_ = config;
  log::SetService(service);
  auto level = log::ParseLevel(config.log_level);
  if (!level.ok()) return level.status();
  log::SetLevel(*level);
  // Protobuf's own complaints (invalid UTF-8 in a record that is then
  // rejected and logged with its reason) become debug JSON lines, not stderr text.
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char* file, int line,
                                     const std::string& message) {
    log::Debug("protobuf", {{"detail", message}, {"at", std::string(file) + ":" + std::to_string(line)}});
  });
  rt->registry_ = std::make_shared<prometheus::Registry>();
  auto metrics = MetricsServer::Start(config.metrics_listen, rt->registry_);
  if (!metrics.ok()) return metrics.status();
  rt->metrics_ = std::move(*metrics);
  return rt;
}

absl::Status Runtime::ServeGrpc(const std::vector<NamedService>& services) {
  auto grpc = GrpcServer::Start(config_.grpc_listen, services, config_.auth);
  if (!grpc.ok()) return grpc.status();
  grpc_ = std::move(*grpc);
  const std::string grpc_port = std::to_string(grpc_->port());
  const std::string metrics_port = std::to_string(metrics_->port());
  if (!config_.ready_file.empty()) {
    const std::string tmp = config_.ready_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << "{\"grpc_port\":" << grpc_port << ",\"metrics_port\":" << metrics_port << "}\n";
      if (!out) return absl::InternalError(absl::StrCat("cannot write ready file ", tmp));
    }
    if (std::rename(tmp.c_str(), config_.ready_file.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("cannot write ready file ", config_.ready_file));
    }
  }
  log::Info("serving", {{"grpc_port", grpc_port},
                       {"metrics_port", metrics_port},
                       {"tls", config_.auth.tls_enabled() ? "on" : "off"},
                       {"mtls", config_.auth.tls.client_ca_file.empty() ? "off" : "on"}});
  return absl::OkStatus();
}

void Runtime::Shutdown() {
  if (grpc_) {
    grpc_->Shutdown(config_.drain_timeout);
    grpc_.reset();
  }
}

int Runtime::Drain(const DrainPlan& plan) {
  log::Info("draining");
  std::vector<std::pair<std::string, absl::Status>> failed;
  for (const auto& [name, loop] : plan.loops) {
    if (absl::Status s = loop->Join(); !s.ok()) failed.emplace_back(name, std::move(s));
  }
  for (const auto& join : plan.background) join();
  for (kafka::Consumer* c : plan.consumers) c->Close();
  Shutdown();
  if (plan.producer != nullptr) {
    if (absl::Status s = plan.producer->Flush(config_.drain_timeout); !s.ok()) {
      log::Warn("flush on shutdown incomplete", {{"error", std::string(s.message())}});
    }
  }
  for (const auto& [name, s] : failed) log::Error(name + " failed", {{"error", std::string(s.message())}});
  if (!failed.empty()) return 1;
  log::Info("stopped");
  return 0;
}

}  // namespace fbl::runtime
