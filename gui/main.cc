#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <cstdio>

#include "gui/main_window.h"
#include "sim/scenario/scenario.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("meshsim-gui"));
  QApplication::setApplicationVersion(QStringLiteral(MESHSIM_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("meshsim's topology view with live charts over simulated time"));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("scenario"),
                               QStringLiteral("Scenario file to open (default: none)."));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Run --seconds of simulated time, save the main window as PNG and exit."),
      QStringLiteral("file.png"));
  const QCommandLineOption seconds(
      QStringLiteral("seconds"), QStringLiteral("Simulated seconds to run for --screenshot (30)."),
      QStringLiteral("seconds"), QStringLiteral("30"));
  const QCommandLineOption select(QStringLiteral("select"),
                                  QStringLiteral("Select this service (details and charts)."),
                                  QStringLiteral("service"));
  const QCommandLineOption lesson(QStringLiteral("lesson"),
                                  QStringLiteral("Open lesson N (1-based) instead of a file."),
                                  QStringLiteral("N"));
  parser.addOptions({screenshot, seconds, select, lesson});
  parser.process(app);

  meshsim::gui::MainWindow window;
  window.show();
  bool opened = true;
  if (parser.isSet(lesson)) {
    opened = window.openLesson(parser.value(lesson).toULongLong() - 1);
  } else if (!parser.positionalArguments().isEmpty()) {
    opened = window.openScenario(parser.positionalArguments().front());
  }
  if (parser.isSet(select)) {
    const auto& nodes = window.controller().topology().nodes;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (QString::fromStdString(nodes[i].name) == parser.value(select)) {
        window.selectService(i);
      }
    }
  }
  if (parser.isSet(screenshot)) {
    if (!opened) {
      std::fprintf(stderr, "%s\n", qPrintable(window.messages()));
      return 2;
    }
    if (window.controller().loaded() &&
        !window.runUntil(parser.value(seconds).toDouble(), 120000)) {
      std::fprintf(stderr, "meshsim-gui: the run did not reach %s s in time\n",
                   qPrintable(parser.value(seconds)));
      return 1;
    }
    QApplication::processEvents();
    return window.grab().save(parser.value(screenshot), "PNG") ? 0 : 1;
  }
  return QApplication::exec();
}
