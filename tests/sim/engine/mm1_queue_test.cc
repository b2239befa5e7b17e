// An M/M/1 queue built from engine primitives, checked against queueing theory: the mean sojourn
// time of a stable M/M/1 FIFO queue is W = 1/(mu - lambda). Independent replications give a
// Student-t 95 % confidence interval, which must contain W.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <numeric>
#include <vector>

#include "sim/engine/simulator.h"
#include "sim/random/random_stream.h"

namespace meshsim::sim {
namespace {

class MM1Queue {
 public:
  MM1Queue(double lambda_per_ms, double mu_per_ms, std::uint64_t replication)
      : lambda_(lambda_per_ms),
        mu_(mu_per_ms),
        arrivals_(2024, replication, "mm1", "arrivals"),
        service_(2024, replication, "mm1", "service") {}

  // Mean sojourn time in ms over `measured` customers after discarding `warmup`.
  double run(int warmup, int measured) {
    warmup_ = warmup;
    target_ = warmup + measured;
    sim_.scheduleAfter(exponential(arrivals_, lambda_), Event::member<&MM1Queue::onArrival>(this));
    sim_.runUntilEmpty();  // onDeparture stops the run after the last measured customer
    return sum_ms_ / measured;
  }

 private:
  static Duration exponential(RandomStream& rng, double rate_per_ms) {
    return core::fromSeconds(-std::log(rng.uniformOpen01()) / rate_per_ms * 1e-3);
  }

  void onArrival() {
    in_system_.push_back(sim_.now());
    if (in_system_.size() == 1) {
      sim_.scheduleAfter(exponential(service_, mu_), Event::member<&MM1Queue::onDeparture>(this));
    }
    sim_.scheduleAfter(exponential(arrivals_, lambda_), Event::member<&MM1Queue::onArrival>(this));
  }

  void onDeparture() {
    const Duration sojourn = sim_.now() - in_system_.front();
    in_system_.pop_front();
    if (++departed_ > warmup_) {
      sum_ms_ += core::toSeconds(sojourn) * 1e3;
    }
    if (departed_ == target_) {
      sim_.stop();
      return;
    }
    if (!in_system_.empty()) {
      sim_.scheduleAfter(exponential(service_, mu_), Event::member<&MM1Queue::onDeparture>(this));
    }
  }

  double lambda_;
  double mu_;
  Simulator sim_;
  RandomStream arrivals_;
  RandomStream service_;
  std::deque<SimTime> in_system_;
  int warmup_ = 0;
  int target_ = 0;
  int departed_ = 0;
  double sum_ms_ = 0;
};

struct ConfidenceInterval {
  double mean;
  double half_width;
};

// Student t, 95 % two-sided, 19 degrees of freedom.
constexpr double kT19 = 2.093024054;

ConfidenceInterval replicate(double lambda, double mu) {
  std::vector<double> means;
  for (std::uint64_t r = 0; r < 20; ++r) {
    means.push_back(MM1Queue(lambda, mu, r).run(/*warmup=*/5'000, /*measured=*/50'000));
  }
  const double mean = std::accumulate(means.begin(), means.end(), 0.0) / means.size();
  double ss = 0;
  for (double m : means)
    ss += (m - mean) * (m - mean);
  const double stddev = std::sqrt(ss / (means.size() - 1));
  return {mean, kT19 * stddev / std::sqrt(static_cast<double>(means.size()))};
}

void expectMatchesTheory(double lambda, double mu) {
  const double theory = 1.0 / (mu - lambda);
  const ConfidenceInterval ci = replicate(lambda, mu);
  std::printf("rho=%.1f W=%.4f ms simulated=%.4f ± %.4f ms\n", lambda / mu, theory, ci.mean,
              ci.half_width);
  EXPECT_NEAR(ci.mean, theory, ci.half_width)
      << "rho=" << lambda / mu << " mean=" << ci.mean << " ±" << ci.half_width;
  // The interval must be informative, or the check above could not fail.
  EXPECT_LT(ci.half_width, 0.05 * theory);
}

TEST(MM1QueueTest, MeanSojournMatchesTheoryAtRho05) {
  expectMatchesTheory(0.5, 1.0);
}

TEST(MM1QueueTest, MeanSojournMatchesTheoryAtRho08) {
  expectMatchesTheory(0.8, 1.0);
}

}  // namespace
}  // namespace meshsim::sim
