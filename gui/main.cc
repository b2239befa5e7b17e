#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>

#include "gui/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("meshsim-gui"));
  QApplication::setApplicationVersion(QStringLiteral(MESHSIM_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("meshsim topology view with live charts"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                QStringLiteral("Render the main window to a PNG file and exit."),
                                QStringLiteral("file.png"));
  parser.addOption(screenshot);
  parser.process(app);

  meshsim::gui::MainWindow window;
  window.show();
  if (parser.isSet(screenshot)) {
    QApplication::processEvents();
    return window.grab().save(parser.value(screenshot)) ? 0 : 1;
  }
  return QApplication::exec();
}
