#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/upstream/transport.h"

namespace meshsim::testing {

class FakeUpstreamConnection;

// A stream the test completes by hand. It follows the transport contract of core/upstream/
// transport.h: the requester's callbacks first, then the connection's onStreamClosed().
class FakeUpstreamStream final : public core::UpstreamStream {
 public:
  FakeUpstreamStream(FakeUpstreamConnection& connection, const core::Request& request,
                     core::StreamCallbacks& callbacks)
      : connection_(connection), request_(request), callbacks_(callbacks) {}

  void reset() override;
  void respond(std::uint32_t status);
  void remoteReset(core::ResetReason reason);
  // The connection under the stream is gone: the requester hears, the connection does not.
  void terminate() {
    done_ = true;
    callbacks_.onReset(core::ResetReason::kConnectionTermination);
  }

  const core::Request& request() const { return request_; }
  bool done() const { return done_; }

 private:
  FakeUpstreamConnection& connection_;
  const core::Request& request_;
  core::StreamCallbacks& callbacks_;
  bool done_ = false;
};

// One connect attempt; the test decides when and how it completes.
class FakeUpstreamConnection final : public core::UpstreamConnection {
 public:
  FakeUpstreamConnection(core::Host& host, core::HttpProtocol protocol,
                         core::ConnectionCallbacks& callbacks)
      : host_(host), protocol_(protocol), callbacks_(callbacks) {}

  core::UpstreamStream& newStream(const core::Request& request,
                                  core::StreamCallbacks& callbacks) override {
    streams_.push_back(std::make_unique<FakeUpstreamStream>(*this, request, callbacks));
    return *streams_.back();
  }
  void close() override { closed_ = true; }

  void connect() {
    connected_ = true;
    callbacks_.onConnected();
  }
  void fail(core::ConnectFailure failure) {
    closed_ = true;
    callbacks_.onConnectFailed(failure);
  }
  // Peer close: the owner hears first, then the open streams are reset, as the contract requires.
  void remoteClose() {
    closed_ = true;
    callbacks_.onConnectionClosed();
    for (auto& stream : streams_) {
      if (!stream->done()) {
        stream->terminate();
      }
    }
  }

  void dropAfterReset() {
    closed_ = true;
    callbacks_.onConnectionClosed();
  }

  core::Host& host() { return host_; }
  core::HttpProtocol protocol() const { return protocol_; }
  bool connected() const { return connected_; }
  bool closed() const { return closed_; }
  bool released() const { return released_; }
  std::size_t streamCount() const { return streams_.size(); }
  FakeUpstreamStream& stream(std::size_t i) { return *streams_.at(i); }
  core::ConnectionCallbacks& callbacks() { return callbacks_; }

 private:
  friend class FakeUpstreamTransport;
  core::Host& host_;
  core::HttpProtocol protocol_;
  core::ConnectionCallbacks& callbacks_;
  std::vector<std::unique_ptr<FakeUpstreamStream>> streams_;
  bool connected_ = false;
  bool closed_ = false;
  bool released_ = false;
};

// An HTTP/1 connection cannot survive a reset stream (transport.h): it is dropped instead.
inline void FakeUpstreamStream::reset() {
  done_ = true;
  if (connection_.protocol() == core::HttpProtocol::kHttp11) {
    connection_.dropAfterReset();
  } else {
    connection_.callbacks().onStreamClosed();
  }
}

inline void FakeUpstreamStream::respond(std::uint32_t status) {
  done_ = true;
  core::Response response;
  response.status = status;
  callbacks_.onResponse(response);
  connection_.callbacks().onStreamClosed();
}

inline void FakeUpstreamStream::remoteReset(core::ResetReason reason) {
  done_ = true;
  callbacks_.onReset(reason);
  connection_.callbacks().onStreamClosed();
}

// Records every connect attempt. Connections stay owned here, so a test can inspect them after
// the pool has released its handle.
class FakeUpstreamTransport final : public core::UpstreamTransport {
 public:
  core::UpstreamConnectionPtr connect(core::Host& host, core::HttpProtocol protocol,
                                      core::ConnectionCallbacks& callbacks) override {
    connections_.push_back(std::make_unique<FakeUpstreamConnection>(host, protocol, callbacks));
    return core::UpstreamConnectionPtr(
        connections_.back().get(), core::UpstreamConnectionDeleter{[](core::UpstreamConnection* c) {
          auto* fake = static_cast<FakeUpstreamConnection*>(c);
          fake->released_ = true;
          fake->closed_ = true;
        }});
  }

  std::size_t attempts() const { return connections_.size(); }
  FakeUpstreamConnection& connection(std::size_t i) { return *connections_.at(i); }

 private:
  std::vector<std::unique_ptr<FakeUpstreamConnection>> connections_;
};

}  // namespace meshsim::testing
