#include "libs/runtime/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"

namespace fbl::runtime {

GrpcServer::~GrpcServer() { Shutdown(absl::Seconds(1)); }

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const std::string& listen, const std::vector<NamedService>& services, const AuthConfig& auth) {
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  auto credentials = MakeServerCredentials(auth.tls);
  if (!credentials.ok()) return credentials.status();
  if (auth.tls_enabled()) {
    auto authorizer = Authorizer::Create(auth);
    if (!authorizer.ok()) return authorizer.status();
    for (const NamedService& s : services) (*authorizer)->AddService(s.name, s.permissions);
    if ((*authorizer)->enforcing()) (*credentials)->SetAuthMetadataProcessor(MakeAuthProcessor(*authorizer));
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  builder.RegisterService(&server->health_);
  for (const NamedService& s : services) builder.RegisterService(s.service);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("grpc: cannot listen on ", listen));
  }
  for (const NamedService& s : services) server->service_names_.push_back(s.name);
  server->SetServing(true);
  return server;
}

void GrpcServer::SetServing(bool serving) {
  health_.SetStatus("", serving);
  for (const auto& name : service_names_) health_.SetStatus(name, serving);
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (!server_) return;
  health_.Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  server_->Wait();
  server_.reset();
}

}  // namespace fbl::runtime
