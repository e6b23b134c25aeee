// While a real LFC W1A1 run streams its events into the workbench, how late
// does a 10 ms timer of the GUI event loop fire (the longest stall), and how
// many training images/s does the run reach against the same run from
// `qnnw train` alone? One JSON line. Targets (issue 7): no stall over 50 ms,
// images/s within 5 % of the CLI.
//
//   bench_gui_training_latency [--train-limit N] [--epochs N] [--threads N]
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_workbench.h"
#include "widgets/workbench/main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QString argValue(const QStringList& args, const QString& name, const QString& fallback)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
}

QString copyProject(const QTemporaryDir& dir)
{
    const QString path = dir.filePath("lfc.qnnproj");
    QFile::copy(QStringLiteral(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj"), path);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QStringList common{"--epochs", argValue(args, "--epochs", "1"), "--train-limit",
                             argValue(args, "--train-limit", "10000"), "--threads", argValue(args, "--threads", "0")};

    // The same run from qnnw alone, before and after the GUI's: their mean cancels a drift in the machine's load.
    auto cliRun = [&]() {
        QTemporaryDir cliDir;
        QProcess cli;
        cli.start(QCoreApplication::applicationDirPath() + "/qnnw",
                  QStringList{"train", copyProject(cliDir)} + common + QStringList{"--json"});
        cli.waitForFinished(-1);
        for (const QByteArray& line : cli.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value("event").toString() == "result")
                return o.value("images_per_s").toDouble();
        }
        return 0.0;
    };
    const double cliBefore = cliRun();

    // The GUI: the Training dock draws the run's events while a 10 ms timer measures the loop.
    QTemporaryDir guiDir;
    MainWindow window;
    QString error;
    if (!window.openFile(copyProject(guiDir), &error, true)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    window.show();
    auto* training = window.findChild<TrainingWorkbench*>();
    training->controller()->setExtraArguments(common);
    std::vector<double> late;
    QElapsedTimer clock;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(10);
    qint64 last = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last > 0)
            late.push_back(std::max(0.0, (now - last) / 1e6 - 10.0));
        last = now;
    });
    int events = 0;
    QObject::connect(training->controller(), &TrainingController::batch, [&] { ++events; });
    QObject::connect(training->controller(), &TrainingController::epoch, [&] { ++events; });
    double guiImagesPerSecond = 0;
    QString status;
    bool started = false;
    QObject::connect(training->controller(), &TrainingController::runStarted, [&] {
        // Measure from the first event on: loading MNIST happens in the child before it.
        started = true;
        clock.start();
        tick.start();
    });
    QObject::connect(training->controller(), &TrainingController::runFinished,
                     [&](const QString&, const QString& s, const QJsonObject& summary) {
                         status = s;
                         guiImagesPerSecond = summary.value("images_per_s").toDouble();
                     });
    QObject::connect(training->controller(), &TrainingController::failed,
                     [&](const QString& m) { std::fprintf(stderr, "%s\n", qPrintable(m)); });
    training->controller()->train();
    while (training->controller()->isBusy())
        app.processEvents(QEventLoop::WaitForMoreEvents, 100);
    tick.stop();
    if (!started || status != "completed") {
        std::fprintf(stderr, "the GUI run did not complete (%s)\n", qPrintable(status));
        return 1;
    }
    std::sort(late.begin(), late.end());
    const double maxStall = late.empty() ? 0 : late.back();
    const double p99 = late.empty() ? 0 : late[size_t(0.99 * (late.size() - 1))];

    const double cliAfter = cliRun();
    const double cliImagesPerSecond = (cliBefore + cliAfter) / 2;
    std::printf("{\"bench\":\"gui_training_latency\",\"model\":\"lfc-w1a1-mnist\",\"epochs\":%s,\"train_images\":%s,"
                "\"timer_ticks\":%zu,\"events\":%d,\"redraws\":%d,\"max_stall_ms\":%.1f,\"p99_stall_ms\":%.1f,"
                "\"gui_images_per_s\":%.0f,\"cli_images_per_s\":%.0f,\"cli_before\":%.0f,\"cli_after\":%.0f,"
                "\"gui_vs_cli\":%.3f}\n",
                qPrintable(common[1]), qPrintable(common[3]), late.size(), events,
                training->dashboard()->redrawCount(), maxStall, p99, guiImagesPerSecond, cliImagesPerSecond, cliBefore, cliAfter,
                cliImagesPerSecond > 0 ? guiImagesPerSecond / cliImagesPerSecond : 0.0);
    return 0;
}
