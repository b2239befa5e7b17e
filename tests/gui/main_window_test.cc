#include "gui/main_window.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QSet>

namespace meshsim::gui {
namespace {

// The window renders offscreen to a non-blank image: the Qt stack (Widgets, Charts, platform
// plugin) is complete on this machine.
TEST(MainWindowTest, RendersANonBlankImageOffscreen) {
  int argc = 1;
  char name[] = "meshsim_gui_tests";
  char* argv[] = {name, nullptr};
  QApplication app(argc, argv);
  MainWindow window;
  window.show();
  QApplication::processEvents();
  const QImage image = window.grab().toImage();
  ASSERT_FALSE(image.isNull());
  EXPECT_GE(image.width(), 640);
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 7) {
    for (int x = 0; x < image.width(); x += 7) {
      colours.insert(image.pixel(x, y));
    }
  }
  EXPECT_GT(colours.size(), 4) << "the window rendered as a blank image";
}

}  // namespace
}  // namespace meshsim::gui
