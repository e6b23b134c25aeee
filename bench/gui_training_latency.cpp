// While a real LFC W1A1 run streams its events into the workbench, how late
// does a 10 ms timer of the GUI event loop fire (the longest stall), and how
// many training images/s does the run reach against the same run from
// `qnnw train` alone? One JSON line. Targets (issue 7): no stall over 50 ms,
// images/s within 5 % of the CLI.
//
//   bench_gui_training_latency [--train-limit N] [--epochs N] [--threads N] [--repeat N] [--spin]
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_workbench.h"
#include "widgets/workbench/main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include <sys/resource.h>

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

// The machine's 1-minute load average when the bench ends: the ratio is only
// comparable between runs under similar load.
double loadAverage()
{
    double load = -1;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1)
            load = -1;
        std::fclose(f);
    }
    return load;
}

// CPU seconds (user + system) of this process, or of its waited-for
// children and their children (qnnw and the qnnw-train it runs).
double cpuSeconds(int who)
{
    rusage u{};
    getrusage(who, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// Where the CPU went during a set of runs: the training child's CPU seconds
// per thousand images says whether the GUI's child does more work (spinning
// threads) or the same work with less of the machine.
struct CpuUse {
    double wall = 0, self = 0, children = 0, images = 0;
};

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QStringList common{"--epochs", argValue(args, "--epochs", "1"), "--train-limit",
                             argValue(args, "--train-limit", "10000"), "--threads", argValue(args, "--threads", "0")};

    const double trainImages = argValue(args, "--train-limit", "10000").toDouble() *
                               argValue(args, "--epochs", "1").toDouble();
    CpuUse cliCpu, guiCpu;
    QElapsedTimer wall;
    auto account = [&](CpuUse& use, double self0, double children0) {
        use.wall += wall.nsecsElapsed() / 1e9;
        use.self += cpuSeconds(RUSAGE_SELF) - self0;
        use.children += cpuSeconds(RUSAGE_CHILDREN) - children0;
        use.images += trainImages;
    };
    // The same run from qnnw alone, before and after the GUI's: their mean cancels a drift in the machine's load.
    auto cliRun = [&]() {
        QTemporaryDir cliDir;
        QProcess cli;
        const double self0 = cpuSeconds(RUSAGE_SELF), children0 = cpuSeconds(RUSAGE_CHILDREN);
        wall.start();
        cli.start(QCoreApplication::applicationDirPath() + "/qnnw",
                  QStringList{"train", copyProject(cliDir)} + common + QStringList{"--json"});
        cli.waitForFinished(-1);
        account(cliCpu, self0, children0);
        for (const QByteArray& line : cli.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value("event").toString() == "result")
                return o.value("images_per_s").toDouble();
        }
        return 0.0;
    };

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
    // --tick-ms 0 measures no stalls: what the timer's own wakeups cost the child.
    const int tickMs = argValue(args, "--tick-ms", "10").toInt();
    tick.setInterval(std::max(1, tickMs));
    qint64 last = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last > 0)
            late.push_back(std::max(0.0, (now - last) / 1e6 - tickMs));
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
        last = 0;
        clock.start();
        if (tickMs > 0)
            tick.start();
    });
    QObject::connect(training->controller(), &TrainingController::runFinished,
                     [&](const QString&, const QString& s, const QJsonObject& summary) {
                         status = s;
                         guiImagesPerSecond = summary.value("images_per_s").toDouble();
                     });
    QObject::connect(training->controller(), &TrainingController::failed,
                     [&](const QString& m) { std::fprintf(stderr, "%s\n", qPrintable(m)); });
    const bool spin = args.contains("--spin");
    auto guiRun = [&]() {
        started = false;
        status.clear();
        guiImagesPerSecond = 0;
        const double self0 = cpuSeconds(RUSAGE_SELF), children0 = cpuSeconds(RUSAGE_CHILDREN);
        wall.start();
        training->controller()->train();
        // A real event loop, as the window's. processEvents(flags, ms) drops
        // WaitForMoreEvents, so the loop this bench had around it spun a whole
        // core, taken from the training child on a 2-core machine: that loop
        // was the "GUI run at 0.29 of the CLI" of issue 23. --spin keeps it,
        // to show what a GUI thread busy at 100 % costs the child.
        if (spin) {
            while (training->controller()->isBusy())
                app.processEvents(QEventLoop::WaitForMoreEvents, 100);
        } else {
            QEventLoop loop;
            QTimer done;
            done.setInterval(50);
            QObject::connect(&done, &QTimer::timeout, [&] {
                if (!training->controller()->isBusy())
                    loop.quit();
            });
            done.start();
            loop.exec();
        }
        tick.stop();
        account(guiCpu, self0, children0);
        return started && status == "completed" ? guiImagesPerSecond : -1.0;
    };

    // CLI, GUI, CLI, GUI, ..., CLI: each GUI run against the mean of the CLI
    // runs either side of it, and the median of those ratios, because on a
    // shared machine the load drifts by 2x within a minute.
    const int repeat = std::max(1, argValue(args, "--repeat", "3").toInt());
    std::vector<double> cli{cliRun()}, gui, ratios;
    for (int i = 0; i < repeat; ++i) {
        const double g = guiRun();
        if (g < 0) {
            std::fprintf(stderr, "the GUI run did not complete (%s)\n", qPrintable(status));
            return 1;
        }
        gui.push_back(g);
        cli.push_back(cliRun());
        const double c = (cli[cli.size() - 2] + cli.back()) / 2;
        ratios.push_back(c > 0 ? g / c : 0.0);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    auto list = [](const std::vector<double>& v, const char* format) {
        QStringList out;
        for (double x : v)
            out << QString::asprintf(format, x);
        return "[" + out.join(',') + "]";
    };
    std::sort(late.begin(), late.end());
    const double maxStall = late.empty() ? 0 : late.back();
    const double p99 = late.empty() ? 0 : late[size_t(0.99 * (late.size() - 1))];
    std::printf("{\"bench\":\"gui_training_latency\",\"model\":\"lfc-w1a1-mnist\",\"epochs\":%s,\"train_images\":%s,"
                "\"repeat\":%d,\"timer_ticks\":%zu,\"events\":%d,\"redraws\":%d,\"max_stall_ms\":%.1f,"
                "\"p99_stall_ms\":%.1f,\"gui_images_per_s\":%s,\"cli_images_per_s\":%s,\"gui_vs_cli_each\":%s,"
                "\"gui_vs_cli\":%.3f,\"gui_loop\":\"%s\",\"load_avg_1min\":%.2f,"
                "\"gui_process_cpu_percent\":%.1f,\"child_cpu_s_per_1k_images_gui\":%.3f,"
                "\"child_cpu_s_per_1k_images_cli\":%.3f,\"child_cores_used_gui\":%.2f,\"child_cores_used_cli\":%.2f}\n",
                qPrintable(common[1]), qPrintable(common[3]), repeat, late.size(), events,
                training->dashboard()->redrawCount(), maxStall, p99, qPrintable(list(gui, "%.0f")),
                qPrintable(list(cli, "%.0f")), qPrintable(list(ratios, "%.3f")), median(ratios),
                spin ? "spin" : "exec", loadAverage(), 100 * guiCpu.self / std::max(1e-9, guiCpu.wall),
                1000 * guiCpu.children / std::max(1.0, guiCpu.images),
                1000 * cliCpu.children / std::max(1.0, cliCpu.images), guiCpu.children / std::max(1e-9, guiCpu.wall),
                cliCpu.children / std::max(1e-9, cliCpu.wall));
    return 0;
}
