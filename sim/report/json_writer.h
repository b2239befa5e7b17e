#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace meshsim::sim {

// A minimal streaming JSON writer for the run directory's files. Output is a pure function of the
// calls made: keys come out in call order, numbers in one fixed format ("%.10g" for doubles,
// decimal for integers, null for NaN/infinity), two-space indentation. That is what makes
// same scenario + seed produce byte-identical files.
class JsonWriter {
 public:
  // `indent` 0 writes everything on one line.
  explicit JsonWriter(std::ostream& out, int indent = 2) : out_(out), indent_(indent) {}

  void beginObject();
  void endObject();
  void beginArray();
  void endArray();
  void key(std::string_view name);

  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(double number);
  void value(std::uint64_t number);
  void value(std::int64_t number);
  void value(std::uint32_t number) { value(static_cast<std::uint64_t>(number)); }
  void value(int number) { value(static_cast<std::int64_t>(number)); }
  void value(bool flag);
  void null();

  template <class T>
  void field(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

  // The format every double gets (also used by the CSV writers).
  static void formatNumber(std::ostream& out, double number);
  static void writeString(std::ostream& out, std::string_view text);

 private:
  void beforeValue();
  void newline();

  std::ostream& out_;
  int indent_;
  struct Level {
    bool object;
    std::size_t items;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace meshsim::sim
