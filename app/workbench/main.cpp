// qnn-workbench: the desktop application.
#include "core/graph/layer_registry.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/graph_view.h"
#include "widgets/workbench/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Renders the window with a project to a PNG, for docs and for looking at a build without a display.
int screenshot(MainWindow& window, const QString& file, const QString& project, bool arrange)
{
    QString error;
    if (!project.isEmpty() && !window.openFile(project, &error, true)) {
        std::fprintf(stderr, "qnn-workbench: %s\n", qPrintable(error));
        return 1;
    }
    window.show();
    QApplication::processEvents();
    if (arrange)
        window.view()->arrange();
    else
        window.view()->showContents();
    // Show the inspector at work: select the first layer with weights.
    for (const auto& [id, node] : window.document()->graph().nodes())
        if (qnn::LayerRegistry::spec(node.kind).hasWeights) {
            window.scene()->selectNodes({id});
            break;
        }
    QApplication::processEvents();
    if (!window.grab().save(file)) {
        std::fprintf(stderr, "qnn-workbench: cannot write %s\n", qPrintable(file));
        return 1;
    }
    std::printf("%s\n", qPrintable(file));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // A screenshot needs no display: fall back to the offscreen platform when there is none.
    bool wantsScreenshot = false;
    for (int i = 1; i < argc; ++i)
        wantsScreenshot = wantsScreenshot || std::strcmp(argv[i], "--screenshot") == 0;
    if (wantsScreenshot && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") && !std::getenv("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    QApplication::setApplicationName("QNN Workbench");
    QApplication::setOrganizationName("qnn-workbench");

    QCommandLineParser parser;
    parser.setApplicationDescription("Design, train and deploy quantized neural networks.");
    parser.addHelpOption();
    const QCommandLineOption shot("screenshot", "Render the main window with PROJECT to FILE (PNG) and exit.", "FILE");
    parser.addOption(shot);
    const QCommandLineOption arrangeOption("arrange", "With --screenshot: arrange the layers (Ctrl+L) first.");
    parser.addOption(arrangeOption);
    const QCommandLineOption sizeOption("size", "Window size, such as 1600x1000.", "WxH");
    parser.addOption(sizeOption);
    parser.addPositionalArgument("project", "A *.qnnproj file to open.");
    parser.process(app);
    const QStringList args = parser.positionalArguments();

    MainWindow window;
    if (parser.isSet(sizeOption)) {
        const QStringList wh = parser.value(sizeOption).split('x');
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
            window.resize(wh[0].toInt(), wh[1].toInt());
    }
    if (parser.isSet(shot))
        return screenshot(window, parser.value(shot), args.value(0), parser.isSet(arrangeOption));

    // Dock places and sizes carry over from the last session (not into
    // screenshots, nor over a --size asked for).
    MainWindow::setLayoutMemory(!parser.isSet(sizeOption));
    window.show();
    if (!args.isEmpty())
        QTimer::singleShot(0, &window, [&window, path = args.first()] { window.openFile(path); });
    return app.exec();
}
