// SPDX-License-Identifier: Apache-2.0
// UsageFlow — gRPC transport benchmark: the C++ peer (Debian libgrpc++-dev 1.51, callback API).
//
//   cpp-peer-server --port N [--tls-cert F --tls-key F | --h2c] [--stats FILE]
//
// Serves grpc.testing.BenchmarkService from our Protos/ with the semantics of interop-server
// (Sources/InteropServer/BenchmarkServiceHandlers.swift): every response carries a payload of
// request.response_size zero bytes.
//   UnaryCall            one response per request
//   StreamingCall        ping-pong: one response per request, in order
//   StreamingFromClient  one response after the client half-closes, sized by the last request
//   StreamingFromServer  the response, repeated until the client cancels
// plus grpc.testing.TestService.StreamingOutputCall (one response per ResponseParameters) for
// bounded server streaming.
//
// --stats FILE: a shared, memory-mapped array of 32 little-endian uint64 counters that the
// harness reads before and after every run (bench/grpc/run.sh): [code] = calls finished with that
// grpc status (0..16), [20] = calls the client cancelled, [21] = messages received,
// [22] = messages sent. All are relaxed atomics, so they cost a few ns per call.
//
// Built by bench/grpc/run.sh:
//   protoc --cpp_out=. --grpc_out=. --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin grpc/testing/*.proto
//   g++ -O2 -std=c++17 server.cc *.pb.cc $(pkg-config --cflags --libs grpc++ protobuf)

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>

#include "grpc/testing/benchmark_service.grpc.pb.h"
#include "grpc/testing/test.grpc.pb.h"

using grpc::CallbackServerContext;
using grpc::ServerBidiReactor;
using grpc::ServerReadReactor;
using grpc::ServerUnaryReactor;
using grpc::ServerWriteReactor;
using grpc::Status;
using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

namespace {

std::atomic<uint64_t> fallbackCounters[32];
std::atomic<uint64_t>* counters = fallbackCounters;

enum { kCancelled = 20, kReceived = 21, kSent = 22 };

inline void count(int slot, uint64_t n = 1) { counters[slot].fetch_add(n, std::memory_order_relaxed); }

void mapStats(const char* path) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 32 * sizeof(uint64_t)) != 0) {
        perror("stats file");
        exit(2);
    }
    void* p = mmap(nullptr, 32 * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    close(fd);
    counters = static_cast<std::atomic<uint64_t>*>(p);
}

void fill(const SimpleRequest& request, SimpleResponse* response) {
    if (request.response_size() > 0) response->mutable_payload()->set_body(std::string(request.response_size(), '\0'));
}

// StreamingFromClient: keep the last request, answer once at half-close.
class ClientStreamReactor final : public ServerReadReactor<SimpleRequest> {
  public:
    explicit ClientStreamReactor(SimpleResponse* response) : response_(response) { StartRead(&request_); }
    void OnReadDone(bool ok) override {
        if (ok) {
            count(kReceived);
            last_.Swap(&request_);
            StartRead(&request_);
        } else {
            fill(last_, response_);
            count(kSent);
            count(0);
            Finish(Status::OK);
        }
    }
    void OnCancel() override { count(kCancelled); }
    void OnDone() override { delete this; }

  private:
    SimpleResponse* response_;
    SimpleRequest request_, last_;
};

// StreamingCall: ping-pong echo (one write in flight, as the callback API requires).
class PingPongReactor final : public ServerBidiReactor<SimpleRequest, SimpleResponse> {
  public:
    PingPongReactor() { StartRead(&request_); }
    void OnReadDone(bool ok) override {
        if (!ok) {
            count(0);
            Finish(Status::OK);
            return;
        }
        count(kReceived);
        response_.Clear();
        fill(request_, &response_);
        StartWrite(&response_);
    }
    void OnWriteDone(bool ok) override {
        if (!ok) {
            Finish(Status::CANCELLED);
            return;
        }
        count(kSent);
        StartRead(&request_);
    }
    void OnCancel() override { count(kCancelled); }
    void OnDone() override { delete this; }

  private:
    SimpleRequest request_;
    SimpleResponse response_;
};

// StreamingFromServer: the same response until the client cancels.
class EndlessWriter final : public ServerWriteReactor<SimpleResponse> {
  public:
    explicit EndlessWriter(const SimpleRequest& request) {
        fill(request, &response_);
        StartWrite(&response_);
    }
    void OnWriteDone(bool ok) override {
        if (!ok) {
            Finish(Status::CANCELLED);
            return;
        }
        count(kSent);
        StartWrite(&response_);
    }
    void OnCancel() override { count(kCancelled); }
    void OnDone() override { delete this; }

  private:
    SimpleResponse response_;
};

// TestService.StreamingOutputCall: one response per ResponseParameters, then OK.
class BoundedWriter final : public ServerWriteReactor<StreamingOutputCallResponse> {
  public:
    explicit BoundedWriter(const StreamingOutputCallRequest& request) : request_(request) { Next(); }
    void OnWriteDone(bool ok) override {
        if (!ok) {
            Finish(Status::CANCELLED);
            return;
        }
        count(kSent);
        Next();
    }
    void OnCancel() override { count(kCancelled); }
    void OnDone() override { delete this; }

  private:
    void Next() {
        if (index_ == request_.response_parameters_size()) {
            count(0);
            Finish(Status::OK);
            return;
        }
        int size = request_.response_parameters(index_++).size();
        response_.Clear();
        if (size > 0) response_.mutable_payload()->set_body(std::string(size, '\0'));
        StartWrite(&response_);
    }
    StreamingOutputCallRequest request_;
    StreamingOutputCallResponse response_;
    int index_ = 0;
};

class BenchmarkService final : public grpc::testing::BenchmarkService::CallbackService {
    ServerUnaryReactor* UnaryCall(CallbackServerContext* context, const SimpleRequest* request,
                                  SimpleResponse* response) override {
        count(kReceived);
        fill(*request, response);
        count(kSent);
        count(0);
        ServerUnaryReactor* reactor = context->DefaultReactor();
        reactor->Finish(Status::OK);
        return reactor;
    }
    ServerBidiReactor<SimpleRequest, SimpleResponse>* StreamingCall(CallbackServerContext*) override {
        return new PingPongReactor();
    }
    ServerReadReactor<SimpleRequest>* StreamingFromClient(CallbackServerContext*, SimpleResponse* response) override {
        return new ClientStreamReactor(response);
    }
    ServerWriteReactor<SimpleResponse>* StreamingFromServer(CallbackServerContext*, const SimpleRequest* request) override {
        return new EndlessWriter(*request);
    }
};

class TestService final : public grpc::testing::TestService::CallbackService {
    ServerWriteReactor<StreamingOutputCallResponse>* StreamingOutputCall(
        CallbackServerContext*, const StreamingOutputCallRequest* request) override {
        return new BoundedWriter(*request);
    }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "cpp-peer-server: cannot read " << path << "\n";
        exit(2);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

int main(int argc, char** argv) {
    // Block SIGTERM/SIGINT before gRPC starts its threads, which inherit the mask; `waiter` takes them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    int port = 0;
    bool h2c = false;
    std::string cert, key;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "cpp-peer-server: " << arg << " needs a value\n";
                exit(2);
            }
            return argv[++i];
        };
        if (arg == "--port") port = std::atoi(value().c_str());
        else if (arg == "--h2c") h2c = true;
        else if (arg == "--tls-cert") cert = value();
        else if (arg == "--tls-key") key = value();
        else if (arg == "--stats") mapStats(value().c_str());
        else {
            std::cerr << "usage: cpp-peer-server --port N [--tls-cert F --tls-key F | --h2c] [--stats FILE]\n";
            return 2;
        }
    }
    std::shared_ptr<grpc::ServerCredentials> credentials;
    if (h2c) {
        credentials = grpc::InsecureServerCredentials();
    } else {
        if (cert.empty() || key.empty()) {
            std::cerr << "cpp-peer-server: give --tls-cert and --tls-key, or --h2c\n";
            return 2;
        }
        grpc::SslServerCredentialsOptions options;
        options.pem_key_cert_pairs.push_back({slurp(key), slurp(cert)});
        credentials = grpc::SslServerCredentials(options);
    }
    BenchmarkService benchmark;
    TestService test;
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), credentials, &bound);
    builder.RegisterService(&benchmark);
    builder.RegisterService(&test);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || bound == 0) {
        std::cerr << "cpp-peer-server: cannot listen on port " << port << "\n";
        return 1;
    }
    std::cout << "cpp-peer-server listening on 127.0.0.1:" << bound << (h2c ? " (h2c)" : " (TLS)") << std::endl;

    // SIGTERM/SIGINT (blocked in every thread, see above): shut down from a plain thread, since
    // Shutdown is not async-signal-safe.
    std::thread waiter([&] {
        int received = 0;
        sigwait(&signals, &received);
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    });
    server->Wait();
    waiter.join();
    return 0;
}
