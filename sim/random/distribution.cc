#include "sim/random/distribution.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace meshsim::sim {
namespace {

// Shortest decimal text that reads back as the same double, independent of locale.
std::string formatNumber(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string describeCall(const char* name,
                         std::initializer_list<std::pair<const char*, double>> params) {
  std::string text = name;
  text += '(';
  bool first = true;
  for (const auto& [key, value] : params) {
    if (!first) {
      text += ", ";
    }
    first = false;
    text += key;
    text += '=';
    text += formatNumber(value);
  }
  text += ')';
  return text;
}

DistributionResult invalid(const char* name, const std::string& why) {
  return DistributionResult::failure(std::string(name) + ": " + why);
}

template <class T, class... Args>
DistributionResult make(Args&&... args) {
  return DistributionResult::success(std::make_unique<const T>(std::forward<Args>(args)...));
}

bool finite(double x) {
  return std::isfinite(x);
}

// Box-Muller (cosine branch only): exactly two uniforms per normal and no cached second variate,
// so sample() stays const and the number of draws per sample is fixed (which keeps common random
// numbers aligned between scenario variants).
double standardNormal(RandomStream& rng) {
  const double radius = std::sqrt(-2.0 * std::log(rng.uniformOpen01()));
  return radius * std::cos(2.0 * std::numbers::pi * rng.uniform01());
}

double standardNormalPdf(double x) {
  if (!finite(x)) {
    return 0.0;
  }
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}

// x * phi(x), whose limit at +-infinity is 0 (not NaN).
double xTimesPdf(double x) {
  return finite(x) ? x * standardNormalPdf(x) : 0.0;
}

// Phi(b) - Phi(a), computed on the side of the distribution where it does not cancel.
double standardNormalMass(double a, double b) {
  if (a > 0.0) {
    return 0.5 * (std::erfc(a / std::numbers::sqrt2) - std::erfc(b / std::numbers::sqrt2));
  }
  return 0.5 * (std::erfc(-b / std::numbers::sqrt2) - std::erfc(-a / std::numbers::sqrt2));
}

class ConstantDistribution final : public Distribution {
 public:
  explicit ConstantDistribution(double value) : value_(value) {}
  double sample(RandomStream&) const override { return value_; }
  double mean() const override { return value_; }
  double variance() const override { return 0.0; }
  std::string describe() const override { return describeCall("constant", {{"value", value_}}); }

 private:
  const double value_;
};

class UniformDistribution final : public Distribution {
 public:
  UniformDistribution(double a, double b) : a_(a), b_(b) {}
  double sample(RandomStream& rng) const override { return a_ + (b_ - a_) * rng.uniform01(); }
  double mean() const override { return 0.5 * (a_ + b_); }
  double variance() const override { return (b_ - a_) * (b_ - a_) / 12.0; }
  std::string describe() const override { return describeCall("uniform", {{"a", a_}, {"b", b_}}); }

 private:
  const double a_;
  const double b_;
};

class ExponentialDistribution final : public Distribution {
 public:
  explicit ExponentialDistribution(double mean) : mean_(mean) {}
  double sample(RandomStream& rng) const override { return -mean_ * std::log(rng.uniformOpen01()); }
  double mean() const override { return mean_; }
  double variance() const override { return mean_ * mean_; }
  std::string describe() const override { return describeCall("exponential", {{"mean", mean_}}); }

 private:
  const double mean_;
};

class TruncatedNormalDistribution final : public Distribution {
 public:
  TruncatedNormalDistribution(double mu, double sigma, double lo, double hi)
      : mu_(mu), sigma_(sigma), lo_(lo), hi_(hi) {
    // Moments of the truncated normal (Johnson, Kotz & Balakrishnan, "Continuous Univariate
    // Distributions" vol. 1, §10.1), with alpha/beta the standardised bounds and Z their mass.
    const double alpha = (lo - mu) / sigma;
    const double beta = (hi - mu) / sigma;
    const double z = standardNormalMass(alpha, beta);
    const double shift = (standardNormalPdf(alpha) - standardNormalPdf(beta)) / z;
    mean_ = mu + sigma * shift;
    variance_ = sigma * sigma * (1.0 + (xTimesPdf(alpha) - xTimesPdf(beta)) / z - shift * shift);
  }

  double sample(RandomStream& rng) const override {
    // The factory guarantees an acceptance probability of at least 1e-3.
    for (;;) {
      const double x = mu_ + sigma_ * standardNormal(rng);
      if (x >= lo_ && x <= hi_) {
        return x;
      }
    }
  }
  double mean() const override { return mean_; }
  double variance() const override { return variance_; }
  std::string describe() const override {
    std::string text = describeCall("normal", {{"mean", mu_}, {"stddev", sigma_}});
    text.pop_back();
    if (finite(lo_)) {
      text += ", lo=" + formatNumber(lo_);
    }
    if (finite(hi_)) {
      text += ", hi=" + formatNumber(hi_);
    }
    return text + ')';
  }

 private:
  const double mu_;
  const double sigma_;
  const double lo_;
  const double hi_;
  double mean_;
  double variance_;
};

class LognormalDistribution final : public Distribution {
 public:
  LognormalDistribution(double mu, double sigma) : mu_(mu), sigma_(sigma) {}
  double sample(RandomStream& rng) const override {
    return std::exp(mu_ + sigma_ * standardNormal(rng));
  }
  double mean() const override { return std::exp(mu_ + 0.5 * sigma_ * sigma_); }
  double variance() const override {
    const double s2 = sigma_ * sigma_;
    return std::expm1(s2) * std::exp(2.0 * mu_ + s2);
  }
  std::string describe() const override {
    return describeCall("lognormal", {{"mu", mu_}, {"sigma", sigma_}});
  }

 private:
  const double mu_;
  const double sigma_;
};

class GammaDistribution final : public Distribution {
 public:
  // erlang_k > 0 only changes describe(): an Erlang is a gamma with integral shape.
  GammaDistribution(double shape, double scale, int erlang_k)
      : shape_(shape),
        scale_(scale),
        erlang_k_(erlang_k),
        d_((shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0),
        c_(1.0 / std::sqrt(9.0 * d_)),
        inverse_shape_(1.0 / shape) {}

  double sample(RandomStream& rng) const override {
    double x = marsagliaTsang(rng);
    if (shape_ < 1.0) {
      // Marsaglia & Tsang's boost: Gamma(k) = Gamma(k + 1) * U^(1/k).
      x *= std::pow(rng.uniformOpen01(), inverse_shape_);
    }
    return scale_ * x;
  }
  double mean() const override { return shape_ * scale_; }
  double variance() const override { return shape_ * scale_ * scale_; }
  std::string describe() const override {
    if (erlang_k_ > 0) {
      return describeCall("erlang",
                          {{"k", static_cast<double>(erlang_k_)}, {"rate", 1.0 / scale_}});
    }
    return describeCall("gamma", {{"shape", shape_}, {"scale", scale_}});
  }

 private:
  // A Gamma(d + 1/3, 1) variate for d + 1/3 >= 1 (acceptance >= 0.95 per attempt).
  double marsagliaTsang(RandomStream& rng) const {
    for (;;) {
      double x;
      double v;
      do {
        x = standardNormal(rng);
        v = 1.0 + c_ * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = rng.uniformOpen01();
      const double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2) {
        return d_ * v;
      }
      if (std::log(u) < 0.5 * x2 + d_ * (1.0 - v + std::log(v))) {
        return d_ * v;
      }
    }
  }

  const double shape_;
  const double scale_;
  const int erlang_k_;
  const double d_;
  const double c_;
  const double inverse_shape_;
};

class WeibullDistribution final : public Distribution {
 public:
  WeibullDistribution(double shape, double scale)
      : shape_(shape), scale_(scale), inverse_shape_(1.0 / shape) {}
  double sample(RandomStream& rng) const override {
    return scale_ * std::pow(-std::log(rng.uniformOpen01()), inverse_shape_);
  }
  double mean() const override { return scale_ * std::tgamma(1.0 + inverse_shape_); }
  double variance() const override {
    const double g1 = std::tgamma(1.0 + inverse_shape_);
    return scale_ * scale_ * (std::tgamma(1.0 + 2.0 * inverse_shape_) - g1 * g1);
  }
  std::string describe() const override {
    return describeCall("weibull", {{"shape", shape_}, {"scale", scale_}});
  }

 private:
  const double shape_;
  const double scale_;
  const double inverse_shape_;
};

class ParetoDistribution final : public Distribution {
 public:
  ParetoDistribution(double xm, double alpha) : xm_(xm), alpha_(alpha) {}
  double sample(RandomStream& rng) const override {
    return xm_ * std::pow(rng.uniformOpen01(), -1.0 / alpha_);
  }
  double mean() const override { return alpha_ > 1.0 ? alpha_ * xm_ / (alpha_ - 1.0) : kInfinity; }
  double variance() const override {
    if (alpha_ <= 2.0) {
      return kInfinity;
    }
    const double am1 = alpha_ - 1.0;
    return xm_ * xm_ * alpha_ / (am1 * am1 * (alpha_ - 2.0));
  }
  std::string describe() const override {
    return describeCall("pareto", {{"xm", xm_}, {"alpha", alpha_}});
  }

 private:
  const double xm_;
  const double alpha_;
};

class EmpiricalDistribution final : public Distribution {
 public:
  // knots run from (0, minimum) to (1, maximum); validated by the factory.
  EmpiricalDistribution(std::vector<double> quantiles, std::vector<double> values)
      : quantiles_(std::move(quantiles)), values_(std::move(values)) {
    // Each band is uniform on [a, b] with probability p: its mean is (a+b)/2 and its variance
    // (b-a)^2/12; the mixture variance adds the spread of band means (no E[X^2]-mean^2
    // cancellation).
    mean_ = 0.0;
    for (std::size_t i = 0; i + 1 < values_.size(); ++i) {
      mean_ += (quantiles_[i + 1] - quantiles_[i]) * 0.5 * (values_[i] + values_[i + 1]);
    }
    variance_ = 0.0;
    for (std::size_t i = 0; i + 1 < values_.size(); ++i) {
      const double width = values_[i + 1] - values_[i];
      const double offset = 0.5 * (values_[i] + values_[i + 1]) - mean_;
      variance_ += (quantiles_[i + 1] - quantiles_[i]) * (width * width / 12.0 + offset * offset);
    }
  }

  double sample(RandomStream& rng) const override {
    const double u = rng.uniform01();
    // u < 1 = quantiles_.back(), so the band index is at most size - 2.
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(quantiles_.begin(), quantiles_.end(), u) -
                                 quantiles_.begin()) -
        1;
    const double fraction = (u - quantiles_[i]) / (quantiles_[i + 1] - quantiles_[i]);
    return values_[i] + fraction * (values_[i + 1] - values_[i]);
  }
  double mean() const override { return mean_; }
  double variance() const override { return variance_; }
  std::string describe() const override {
    std::string text = "empirical(";
    for (std::size_t i = 0; i < values_.size(); ++i) {
      if (i > 0) {
        text += ", ";
      }
      text += 'p' + formatNumber(100.0 * quantiles_[i]) + '=' + formatNumber(values_[i]);
    }
    return text + ')';
  }

 private:
  const std::vector<double> quantiles_;
  const std::vector<double> values_;
  double mean_;
  double variance_;
};

class MixtureDistribution final : public Distribution {
 public:
  MixtureDistribution(std::vector<double> weights, std::vector<DistributionPtr> components)
      : weights_(std::move(weights)), components_(std::move(components)) {
    double running = 0.0;
    cumulative_.reserve(weights_.size());
    for (double w : weights_) {
      running += w;
      cumulative_.push_back(running);
    }
    // Exactly 1 from the last component with weight onwards, so that every u in [0, 1) selects a
    // component despite rounding, and never a trailing zero-weight one.
    std::size_t last = weights_.size() - 1;
    while (weights_[last] == 0.0) {
      --last;
    }
    std::fill(cumulative_.begin() + static_cast<std::ptrdiff_t>(last), cumulative_.end(), 1.0);
  }

  double sample(RandomStream& rng) const override {
    const double u = rng.uniform01();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    return components_[static_cast<std::size_t>(it - cumulative_.begin())]->sample(rng);
  }
  double mean() const override {
    double m = 0.0;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] > 0.0) {
        m += weights_[i] * components_[i]->mean();
      }
    }
    return m;
  }
  double variance() const override {
    const double m = mean();
    if (!finite(m)) {
      return kInfinity;
    }
    double v = 0.0;
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (weights_[i] > 0.0) {
        const double offset = components_[i]->mean() - m;
        v += weights_[i] * (components_[i]->variance() + offset * offset);
      }
    }
    return v;
  }
  std::string describe() const override {
    std::string text = "mixture(";
    for (std::size_t i = 0; i < components_.size(); ++i) {
      if (i > 0) {
        text += ", ";
      }
      text += formatNumber(weights_[i]) + '*' + components_[i]->describe();
    }
    return text + ')';
  }

 private:
  const std::vector<double> weights_;  // normalised
  const std::vector<DistributionPtr> components_;
  std::vector<double> cumulative_;
};

// Below this the rejection sampler would need over a thousand attempts per sample.
constexpr double kMinTruncatedNormalMass = 1e-3;

}  // namespace

DistributionResult makeConstant(double value) {
  if (!finite(value)) {
    return invalid("constant", "value must be finite, got " + formatNumber(value));
  }
  return make<ConstantDistribution>(value);
}

DistributionResult makeUniform(double a, double b) {
  if (!finite(a) || !finite(b) || a > b) {
    return invalid("uniform",
                   "need finite a <= b, got a=" + formatNumber(a) + ", b=" + formatNumber(b));
  }
  return make<UniformDistribution>(a, b);
}

DistributionResult makeExponential(double mean) {
  if (!finite(mean) || mean <= 0.0) {
    return invalid("exponential", "mean must be positive and finite, got " + formatNumber(mean));
  }
  return make<ExponentialDistribution>(mean);
}

DistributionResult makeNormal(double mean, double stddev, double lo, double hi) {
  if (!finite(mean)) {
    return invalid("normal", "mean must be finite, got " + formatNumber(mean));
  }
  if (!finite(stddev) || stddev <= 0.0) {
    return invalid("normal", "stddev must be positive and finite, got " + formatNumber(stddev));
  }
  if (std::isnan(lo) || std::isnan(hi) || !(lo < hi)) {
    return invalid("normal",
                   "need lo < hi, got lo=" + formatNumber(lo) + ", hi=" + formatNumber(hi));
  }
  const double mass = standardNormalMass((lo - mean) / stddev, (hi - mean) / stddev);
  if (!(mass >= kMinTruncatedNormalMass)) {
    return invalid("normal",
                   "[lo, hi] = [" + formatNumber(lo) + ", " + formatNumber(hi) + "] holds only " +
                       formatNumber(mass) + " of normal(mean=" + formatNumber(mean) +
                       ", stddev=" + formatNumber(stddev) + ") (minimum 0.001); check the units");
  }
  return make<TruncatedNormalDistribution>(mean, stddev, lo, hi);
}

DistributionResult makeLognormal(double mu, double sigma) {
  if (!finite(mu)) {
    return invalid("lognormal", "mu must be finite, got " + formatNumber(mu));
  }
  if (!finite(sigma) || sigma < 0.0) {
    return invalid("lognormal", "sigma must be >= 0 and finite, got " + formatNumber(sigma));
  }
  return make<LognormalDistribution>(mu, sigma);
}

DistributionResult makeLognormalFromMean(double mean, double sigma) {
  if (!finite(mean) || mean <= 0.0) {
    return invalid("lognormal", "mean must be positive and finite, got " + formatNumber(mean));
  }
  if (!finite(sigma) || sigma < 0.0) {
    return invalid("lognormal", "sigma must be >= 0 and finite, got " + formatNumber(sigma));
  }
  return make<LognormalDistribution>(std::log(mean) - 0.5 * sigma * sigma, sigma);
}

DistributionResult makeLognormalFromMeanStddev(double mean, double stddev) {
  if (!finite(mean) || mean <= 0.0) {
    return invalid("lognormal", "mean must be positive and finite, got " + formatNumber(mean));
  }
  if (!finite(stddev) || stddev < 0.0) {
    return invalid("lognormal", "stddev must be >= 0 and finite, got " + formatNumber(stddev));
  }
  const double ratio = stddev / mean;
  const double sigma2 = std::log1p(ratio * ratio);
  return make<LognormalDistribution>(std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2));
}

DistributionResult makeLognormalFromMedianP99(double median, double p99) {
  if (!finite(median) || median <= 0.0) {
    return invalid("lognormal", "median must be positive and finite, got " + formatNumber(median));
  }
  if (!finite(p99) || p99 < median) {
    return invalid("lognormal", "need finite p99 >= median, got median=" + formatNumber(median) +
                                    ", p99=" + formatNumber(p99));
  }
  return make<LognormalDistribution>(std::log(median), std::log(p99 / median) / kNormalQuantile99);
}

DistributionResult makeGamma(double shape, double scale) {
  if (!finite(shape) || shape <= 0.0) {
    return invalid("gamma", "shape must be positive and finite, got " + formatNumber(shape));
  }
  if (!finite(scale) || scale <= 0.0) {
    return invalid("gamma", "scale must be positive and finite, got " + formatNumber(scale));
  }
  return make<GammaDistribution>(shape, scale, 0);
}

DistributionResult makeErlang(int k, double rate) {
  if (k < 1) {
    return invalid("erlang", "k must be >= 1, got " + std::to_string(k));
  }
  if (!finite(rate) || rate <= 0.0) {
    return invalid("erlang", "rate must be positive and finite, got " + formatNumber(rate));
  }
  return make<GammaDistribution>(static_cast<double>(k), 1.0 / rate, k);
}

DistributionResult makeWeibull(double shape, double scale) {
  if (!finite(shape) || shape <= 0.0) {
    return invalid("weibull", "shape must be positive and finite, got " + formatNumber(shape));
  }
  if (!finite(scale) || scale <= 0.0) {
    return invalid("weibull", "scale must be positive and finite, got " + formatNumber(scale));
  }
  return make<WeibullDistribution>(shape, scale);
}

DistributionResult makePareto(double xm, double alpha) {
  if (!finite(xm) || xm <= 0.0) {
    return invalid("pareto", "xm must be positive and finite, got " + formatNumber(xm));
  }
  if (!finite(alpha) || alpha <= 0.0) {
    return invalid("pareto", "alpha must be positive and finite, got " + formatNumber(alpha));
  }
  return make<ParetoDistribution>(xm, alpha);
}

DistributionResult makeEmpirical(std::span<const QuantilePoint> points, double minimum,
                                 std::optional<double> maximum) {
  if (points.empty()) {
    return invalid("empirical", "need at least one quantile point");
  }
  if (!finite(minimum)) {
    return invalid("empirical", "minimum must be finite, got " + formatNumber(minimum));
  }
  std::vector<double> quantiles{0.0};
  std::vector<double> values{minimum};
  for (const QuantilePoint& point : points) {
    const std::string where =
        "point p" + formatNumber(100.0 * point.quantile) + "=" + formatNumber(point.value);
    if (!(point.quantile > 0.0 && point.quantile < 1.0)) {
      return invalid("empirical", where + ": quantile must be in (0, 1)");
    }
    if (!finite(point.value)) {
      return invalid("empirical", where + ": value must be finite");
    }
    if (point.quantile <= quantiles.back()) {
      return invalid("empirical", where + ": quantiles must be strictly increasing");
    }
    if (point.value < values.back()) {
      return invalid("empirical", where + ": values must not decrease (previous is " +
                                      formatNumber(values.back()) +
                                      (values.size() == 1 ? ", the minimum)" : ")"));
    }
    quantiles.push_back(point.quantile);
    values.push_back(point.value);
  }
  const double last = values.back();
  const double previous = values[values.size() - 2];
  const double top = maximum.value_or(last + (last - previous));
  if (!finite(top) || top < last) {
    return invalid("empirical", "maximum must be finite and >= the last point's value " +
                                    formatNumber(last) + ", got " + formatNumber(top));
  }
  quantiles.push_back(1.0);
  values.push_back(top);
  return make<EmpiricalDistribution>(std::move(quantiles), std::move(values));
}

DistributionResult makeMixture(std::vector<MixtureComponent> components) {
  if (components.empty()) {
    return invalid("mixture", "need at least one component");
  }
  double total = 0.0;
  for (std::size_t i = 0; i < components.size(); ++i) {
    const MixtureComponent& component = components[i];
    if (component.distribution == nullptr) {
      return invalid("mixture", "component " + std::to_string(i) + " has no distribution");
    }
    if (!finite(component.weight) || component.weight < 0.0) {
      return invalid("mixture", "component " + std::to_string(i) +
                                    ": weight must be >= 0 and finite, got " +
                                    formatNumber(component.weight));
    }
    total += component.weight;
  }
  if (!(total > 0.0) || !finite(total)) {
    return invalid("mixture", "weights must have a positive finite sum");
  }
  std::vector<double> weights;
  std::vector<DistributionPtr> distributions;
  weights.reserve(components.size());
  distributions.reserve(components.size());
  for (MixtureComponent& component : components) {
    weights.push_back(component.weight / total);
    distributions.push_back(std::move(component.distribution));
  }
  return make<MixtureDistribution>(std::move(weights), std::move(distributions));
}

}  // namespace meshsim::sim
