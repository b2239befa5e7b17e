#include "proxy/harness/load_driver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <memory>

#include "proxy/http/http_client.h"
#include "sim/random/random_stream.h"

namespace meshsim::proxy {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

class LoadDriver {
 public:
  LoadDriver(const sim::Scenario& scenario,
             const std::vector<std::vector<asio::ip::tcp::endpoint>>& entry_points,
             const LoadOptions& options)
      : scenario_(scenario),
        entry_points_(entry_points),
        options_(options),
        arrivals_(options.seed, 0, "harness", "arrivals"),
        choices_(options.seed, 0, "harness", "choices"),
        timer_(io_),
        drain_timer_(io_),
        signals_(io_, SIGINT, SIGTERM) {}

  LoadResult run() {
    signals_.async_wait([this](const boost::system::error_code& error, int) {
      if (!error) {
        interrupted_ = true;
        io_.stop();
      }
    });
    start_ = Clock::now();
    end_ = start_ + options_.duration;
    next_ = start_;
    scheduleNext();
    io_.run();
    result_.unanswered = in_flight_;
    result_.interrupted = interrupted_;
    return std::move(result_);
  }

 private:
  void scheduleNext() {
    const double gap = scenario_.workload.arrivals == sim::Arrivals::Constant
                           ? 1.0 / options_.rate
                           : -std::log(arrivals_.uniformOpen01()) / options_.rate;
    next_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(gap));
    if (next_ >= end_) {
      drain();
      return;
    }
    timer_.expires_at(next_);
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        issue();
        scheduleNext();
      }
    });
  }

  void issue() {
    const auto& mix = scenario_.workload.mix;
    const double u = mix.size() > 1 ? choices_.uniform01() : 0.0;
    double cumulative = 0;
    const sim::MixEntry* entry = &mix.back();
    for (const sim::MixEntry& candidate : mix) {
      cumulative += candidate.weight;
      if (u < cumulative) {
        entry = &candidate;
        break;
      }
    }
    const auto& targets = entry_points_[entry->service];
    const auto& target = targets[choices_.next() % targets.size()];
    HttpRequest request(http::string_to_verb(entry->method), entry->path, 11);
    request.set(http::field::host, scenario_.services[entry->service].name);
    for (const auto& [name, value] : entry->headers) {
      request.set(name, value);
    }
    request.body().assign(scenario_.services[entry->service].request_bytes, 'x');
    ++result_.sent;
    ++in_flight_;
    const Clock::time_point sent = Clock::now();
    sendRequest(io_, target, std::move(request), std::nullopt,
                [this, sent](const boost::system::error_code& error, HttpResponse response) {
                  --in_flight_;
                  ++result_.requests;
                  const bool ok = !error && response.result_int() < 500;
                  ++(ok ? result_.succeeded : result_.failed);
                  result_.latency.record(Clock::now() - sent);
                  if (draining_ && in_flight_ == 0) {
                    finish();
                  }
                });
  }

  void drain() {
    draining_ = true;
    if (in_flight_ == 0) {
      finish();
      return;
    }
    drain_timer_.expires_after(options_.drain);
    drain_timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        io_.stop();
      }
    });
  }

  void finish() {
    drain_timer_.cancel();
    signals_.cancel();
  }

  const sim::Scenario& scenario_;
  const std::vector<std::vector<asio::ip::tcp::endpoint>>& entry_points_;
  const LoadOptions options_;
  asio::io_context io_{1};
  sim::RandomStream arrivals_;
  sim::RandomStream choices_;
  asio::steady_timer timer_;
  asio::steady_timer drain_timer_;
  asio::signal_set signals_;
  Clock::time_point start_;
  Clock::time_point end_;
  Clock::time_point next_;
  std::uint64_t in_flight_ = 0;
  bool draining_ = false;
  bool interrupted_ = false;
  LoadResult result_;
};

}  // namespace

LoadResult driveLoad(const sim::Scenario& scenario,
                     const std::vector<std::vector<asio::ip::tcp::endpoint>>& entry_points,
                     const LoadOptions& options) {
  return LoadDriver(scenario, entry_points, options).run();
}

}  // namespace meshsim::proxy
