#include "sim/report/json_writer.h"

#include <cmath>
#include <cstdio>

namespace meshsim::sim {

void JsonWriter::newline() {
  if (indent_ == 0) {
    return;
  }
  out_ << '\n';
  for (std::size_t i = 0; i < stack_.size() * static_cast<std::size_t>(indent_); ++i) {
    out_ << ' ';
  }
}

void JsonWriter::beforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (stack_.back().items++ > 0) {
      out_ << ',';
    }
    newline();
  }
}

void JsonWriter::beginObject() {
  beforeValue();
  out_ << '{';
  stack_.push_back(Level{true, 0});
}

void JsonWriter::endObject() {
  const bool empty = stack_.back().items == 0;
  stack_.pop_back();
  if (!empty) {
    newline();
  }
  out_ << '}';
  if (stack_.empty() && indent_ != 0) {
    out_ << '\n';
  }
}

void JsonWriter::beginArray() {
  beforeValue();
  out_ << '[';
  stack_.push_back(Level{false, 0});
}

void JsonWriter::endArray() {
  const bool empty = stack_.back().items == 0;
  stack_.pop_back();
  if (!empty) {
    newline();
  }
  out_ << ']';
  if (stack_.empty() && indent_ != 0) {
    out_ << '\n';
  }
}

void JsonWriter::key(std::string_view name) {
  beforeValue();
  writeString(out_, name);
  out_ << (indent_ == 0 ? ":" : ": ");
  after_key_ = true;
}

void JsonWriter::value(std::string_view text) {
  beforeValue();
  writeString(out_, text);
}

void JsonWriter::value(double number) {
  beforeValue();
  formatNumber(out_, number);
}

void JsonWriter::value(std::uint64_t number) {
  beforeValue();
  out_ << number;
}

void JsonWriter::value(std::int64_t number) {
  beforeValue();
  out_ << number;
}

void JsonWriter::value(bool flag) {
  beforeValue();
  out_ << (flag ? "true" : "false");
}

void JsonWriter::null() {
  beforeValue();
  out_ << "null";
}

void JsonWriter::formatNumber(std::ostream& out, double number) {
  if (!std::isfinite(number)) {
    out << "null";
    return;
  }
  if (number == 0) {
    out << '0';  // no "-0"
    return;
  }
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.10g", number);
  out << buffer;
}

void JsonWriter::writeString(std::ostream& out, std::string_view text) {
  out << '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\t':
        out << "\\t";
        break;
      case '\r':
        out << "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(c));
          out << buffer;
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

}  // namespace meshsim::sim
