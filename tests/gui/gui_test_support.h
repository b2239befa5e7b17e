#pragma once

#include <QApplication>
#include <QImage>
#include <QSet>
#include <filesystem>

namespace meshsim::gui {

// One QApplication for the whole test program (Qt allows one per process); CTest sets
// QT_QPA_PLATFORM=offscreen. It is never destroyed: a QApplication torn down by the exit handlers
// outlives Qt's own statics and crashes in ~QInputDevice once a window has been shown, and the
// process exit reclaims it anyway.
inline QApplication& application() {
  static int argc = 1;
  static char name[] = "meshsim_gui_tests";
  static char* argv[] = {name, nullptr};
  static QApplication* const app = new QApplication(argc, argv);
  return *app;
}

inline const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "scenarios";

// Distinct colours on a 7-pixel grid: a blank or single-colour image has one.
inline int distinctColours(const QImage& image) {
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 7) {
    for (int x = 0; x < image.width(); x += 7) {
      colours.insert(image.pixel(x, y));
    }
  }
  return static_cast<int>(colours.size());
}

}  // namespace meshsim::gui
