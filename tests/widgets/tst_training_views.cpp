// The training views driving real widgets offscreen with real short runs of
// qnnw on the synthetic digits: live curves equal metrics.jsonl, the runs
// list survives save and reopen with its colours, Stop then Resume, a SIGKILL
// that leaves the window and the unsaved edits alone, the FP32 twin in the
// Compare view, damaged run folders.
#include "core/project/project.h"
#include "core/run/run_info.h"

#include <nlohmann/json.hpp>
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/property_inspector.h"
#include "widgets/training/confusion_view.h"
#include "widgets/training/pareto_view.h"
#include "widgets/training/run_comparison_view.h"
#include "widgets/training/run_follower.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_settings_form.h"
#include "widgets/training/training_workbench.h"
#include "widgets/workbench/main_window.h"

#include <qcustomplot.h>

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QTimer>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QWindow>
#include <QLineEdit>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QPointer>
#include <QUndoStack>

#include <cmath>
#include <unistd.h>
#include <fstream>

namespace {

QString copyExample(const QTemporaryDir& dir)
{
    const QString path = dir.filePath("p.qnnproj");
    QFile::copy(QStringLiteral(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj"), path);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

std::vector<nlohmann::json> epochLines(const QString& runDir)
{
    std::vector<nlohmann::json> out;
    std::ifstream in((runDir + "/metrics.jsonl").toStdString());
    std::string line;
    while (std::getline(in, line)) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j.value("type", "") == "epoch")
            out.push_back(j);
    }
    return out;
}

QJsonObject summaryOf(const QString& runDir)
{
    QFile f(runDir + "/summary.json");
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

// Alive and not a zombie waiting to be reaped.
bool trainingProcessAlive(qint64 pid)
{
    QFile stat(QString("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const int close = line.lastIndexOf(')');
    return close > 0 && line.size() > close + 2 && line[close + 2] != 'Z';
}

TrainingWorkbench* workbenchOf(MainWindow& w) { return w.findChild<TrainingWorkbench*>(); }

// Waits for the next runFinished and returns its status.
QString waitFinished(TrainingController* c, int timeoutMs = 180000)
{
    QSignalSpy spy(c, &TrainingController::runFinished);
    if (!spy.wait(timeoutMs))
        return QStringLiteral("(timeout)");
    // The process' finished signal follows its summary: let the controller settle.
    for (int i = 0; i < 200 && c->isBusy(); ++i)
        QTest::qWait(100);
    return spy.first().at(1).toString();
}

// With QNN_SCREENSHOTS set to a folder, the README's screenshots are taken from the real runs here.
void screenshot(QWidget* widget, const char* name, QSize size = QSize(900, 520))
{
    const QString dir = qEnvironmentVariable("QNN_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    // Taken out of its dock into a window of the README's size (it stays alive: the views keep pointers to it).
    widget->setParent(nullptr, Qt::Window);
    widget->resize(size);
    widget->show();
    QApplication::processEvents();
    QTest::qWait(500); // queued replots
    widget->grab().save(dir + "/" + name);
}

const QStringList kShort{"--epochs", "3", "--train-limit", "1500", "--threads", "1"};

/** Clicks the button labelled `text` in the next message box that opens
 *  (polled: the box is modal), keeping its question in `question`. */
void answerNextBox(const QString& text, QString* question = nullptr)
{
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, text, question] {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (!box || !box->isVisible())
                continue;
            for (QAbstractButton* b : box->buttons())
                if (b->text().remove('&') == text) {
                    if (question)
                        *question = box->text();
                    timer->stop();
                    timer->deleteLater();
                    b->click();
                    return;
                }
        }
    });
    timer->start();
}

/** A launcher that runs nothing: it records what it was asked and reports
 *  what the test makes it report. */
class FakeLauncher : public RunLauncher
{
public:
    using RunLauncher::RunLauncher;
    void start(const QStringList& arguments) override
    {
        m_arguments = arguments;
        m_running = true;
    }
    // Asynchronous, as a process' end is.
    void stop() override
    {
        ++m_stops;
        QTimer::singleShot(0, this, [this] { finish(130); });
    }
    void kill() override
    {
        QTimer::singleShot(0, this, [this] { finish(-1); });
    }
    bool isRunning() const override { return m_running; }
    void finish(int code)
    {
        if (!m_running)
            return;
        m_running = false;
        Q_EMIT finished(code, code < 0);
    }
    void report(const RunStartEvent& e) { Q_EMIT runStarted(e); }
    void reportSummary(const QJsonObject& s) { Q_EMIT summary(s); }
    void refuse(const QString& message) { Q_EMIT failed(message); }
    QStringList m_arguments;
    bool m_running = false;
    int m_stops = 0;
};

/** Makes the controller start FakeLaunchers, collected in `out` in start order. */
void useFakes(TrainingController* c, std::vector<QPointer<FakeLauncher>>* out)
{
    c->setLauncherFactory([out](QObject* parent) {
        auto* f = new FakeLauncher(parent);
        out->push_back(f);
        return f;
    });
}

// With QNN_SCREENSHOTS set: the whole window at a laptop's and a desktop's
// size, the README's pictures (docs/window-*.png): the two runs overlaid on
// the Training dock, then compared in the Analysis dock.
void windowScreenshots(MainWindow& w, TrainingWorkbench* t, const std::vector<qnn::RunInfo>& runs)
{
    const QString dir = qEnvironmentVariable("QNN_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    w.show();
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
        w.resize(size);
        w.resetLayout();
        QTest::qWait(300);
        const bool laptop = size.width() == 1280;
        w.scene()->selectNodes({w.document()->graph().findByName("dense1")});
        t->runsPanel()->table()->selectAll();
        if (laptop) {
            w.findChild<QDockWidget*>("training")->raise();
        } else {
            t->comparison()->compare(QString::fromStdString(runs[0].name), QString::fromStdString(runs[1].name));
            t->analysisTabs()->setCurrentWidget(t->comparison());
            w.findChild<QDockWidget*>("analysis")->raise();
        }
        t->dashboard()->flush();
        QTest::qWait(500); // queued replots
        w.grab().save(QStringLiteral("%1/window-%2x%3.png").arg(dir).arg(size.width()).arg(size.height()));
    }
}

} // namespace

class TestTrainingViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { qputenv("QNNW", QNNW_PATH); }

    void liveCurvesEqualMetricsAndTheRunSurvivesReopen()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        QString runName, colour, runDir;
        {
            MainWindow w;
            QVERIFY(w.openFile(path, nullptr, true));
            TrainingWorkbench* t = workbenchOf(w);
            QVERIFY(t);
            QCOMPARE(t->trainAction()->shortcut(), QKeySequence(Qt::Key_F5));
            t->controller()->setExtraArguments(kShort);
            QSignalSpy started(t->controller(), &TrainingController::runStarted);
            QSignalSpy batches(t->controller(), &TrainingController::batch);
            t->trainAction()->trigger();
            QVERIFY(started.wait(60000));
            const RunStartEvent e = started.first().first().value<RunStartEvent>();
            runName = e.name;
            colour = e.colour;
            runDir = e.runDir;
            // The editor stays usable while the run goes on: an edit is an undo step as always.
            const int steps = w.document()->undoStack()->count();
            w.document()->addNode(qnn::LayerKind::Dropout, {10, 10});
            QCOMPARE(w.document()->undoStack()->count(), steps + 1);
            w.document()->undoStack()->undo();
            QCOMPARE(waitFinished(t->controller()), QString("completed"));
            QVERIFY(batches.count() > 0);
            t->dashboard()->flush();

            // One point per epoch, equal to metrics.jsonl.
            const std::vector<nlohmann::json> lines = epochLines(runDir);
            QCOMPARE(int(lines.size()), 3);
            QCPGraph* val = t->dashboard()->valAccuracyGraph();
            QCPGraph* loss = t->dashboard()->trainLossGraph();
            QCOMPARE(val->dataCount(), 3);
            QCOMPARE(loss->dataCount(), 3);
            int best = 0;
            double bestAcc = -1;
            for (int i = 0; i < 3; ++i) {
                QCOMPARE(val->data()->at(i)->key, double(i + 1));
                QCOMPARE(val->data()->at(i)->value, 100 * lines[i]["val_accuracy"].get<double>());
                QCOMPARE(loss->data()->at(i)->value, lines[i]["train_loss"].get<double>());
                if (lines[i]["val_accuracy"].get<double>() > bestAcc) {
                    bestAcc = lines[i]["val_accuracy"].get<double>();
                    best = i + 1;
                }
            }
            QCOMPARE(t->dashboard()->markedBestEpoch(), best);
            QVERIFY(t->dashboard()->batchLossGraph()->dataCount() > 0);
            QCOMPARE(t->dashboard()->progressBar()->value(), 1000);
            screenshot(t->dashboard(), "training-dock.png");
            // Batched redraws: far fewer than the events that came in.
            QVERIFY2(t->dashboard()->redrawCount() < batches.count() + 3, "redraws are batched");

            // The runs list: completed, in its colour.
            const auto& runs = t->runsPanel()->runs();
            QCOMPARE(int(runs.size()), 1);
            QCOMPARE(QString::fromStdString(runs[0].name), runName);
            QCOMPARE(QString::fromStdString(runs[0].status), QString("completed"));
            QCOMPARE(QString::fromStdString(runs[0].colour), colour);
            QVERIFY(runs[0].listed);
            QVERIFY(runs[0].testAccuracy > 0.3);
            QCOMPARE(t->runsPanel()->table()->item(0, 3)->text(), QString("completed"));
            QCOMPARE(t->runsPanel()->table()->item(0, 7)->text(), QString("–")); // no recipe preset
            // The document mirrors the list qnnw wrote, so a save keeps it.
            QCOMPARE(w.document()->project().runs, std::vector<std::string>{runName.toStdString()});
            QVERIFY(w.saveTo(path));
        }
        qnn::Project reopened;
        std::string error;
        QVERIFY(qnn::loadProject(path.toStdString(), reopened, error));
        QCOMPARE(reopened.runs, std::vector<std::string>{runName.toStdString()});
        MainWindow again;
        QVERIFY(again.openFile(path, nullptr, true));
        const auto& runs = workbenchOf(again)->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 1);
        QCOMPARE(QString::fromStdString(runs[0].colour), colour);
    }

    void stopMidRunThenResume()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        t->controller()->setExtraArguments({"--epochs", "4", "--train-limit", "1500", "--threads", "1"});
        // Stop as soon as the first epoch is reported: the run ends after the current batch.
        const QMetaObject::Connection stopper =
            QObject::connect(t->controller(), &TrainingController::epoch, t->controller(), [t](const qnn::RunEpoch& e) {
            if (e.epoch == 1)
                t->controller()->stop();
        });
        QVERIFY(t->controller()->train());
        QCOMPARE(waitFinished(t->controller()), QString("stopped"));
        QCOMPARE(int(t->runsPanel()->runs().size()), 1);
        qnn::RunInfo run = t->runsPanel()->runs()[0];
        QCOMPARE(QString::fromStdString(run.status), QString("stopped"));
        QVERIFY(run.resumable);
        QVERIFY(run.epochsDone < 4);
        const int doneBefore = run.epochsDone;

        QObject::disconnect(stopper);
        t->runsPanel()->selectRun(QString::fromStdString(run.name));
        // An unsaved edit: Resume asks to save it first, and after Save the title has no "*".
        w.document()->addNode(qnn::LayerKind::Dropout, {900, 900});
        QVERIFY(w.isWindowModified());
        QString asked;
        answerNextBox("Save", &asked);
        QString error;
        QVERIFY2(t->runsPanel()->resumeSelected(&error), qPrintable(error));
        QVERIFY2(asked.contains("unsaved changes"), qPrintable(asked));
        QVERIFY(!w.document()->isModified());
        QVERIFY(!w.isWindowModified());
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        QVERIFY(!w.isWindowModified());
        run = t->runsPanel()->runs()[0];
        QCOMPARE(QString::fromStdString(run.status), QString("completed"));
        QCOMPARE(run.epochsDone, 4);
        QCOMPARE(int(run.history.size()), 4);
        t->dashboard()->flush();
        // The resumed curves hold the epochs before the stop too.
        QCOMPARE(t->dashboard()->valAccuracyGraph()->dataCount(), 4);
        QVERIFY(doneBefore >= 1);
    }

    // Issue 20 item 5, as a user does it: a stopped run, an edit typed into a
    // field, Resume pressed in the Runs dock, Save chosen in the real
    // "Unsaved changes" question: the title loses its "*" and the undo stack is clean.
    void resumeAsAUserSavesAndTheTitleIsClean_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::newRow("epochs typed in Training settings") << "epochs";
        QTest::newRow("layer renamed in Properties") << "rename";
    }

    void resumeAsAUserSavesAndTheTitleIsClean()
    {
        QFETCH(QString, edit);
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        w.resize(1280, 800);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        TrainingWorkbench* t = workbenchOf(w);
        t->controller()->setExtraArguments({"--epochs", "4", "--train-limit", "1500", "--threads", "1"});
        const QMetaObject::Connection stopper =
            QObject::connect(t->controller(), &TrainingController::epoch, t->controller(), [t](const qnn::RunEpoch& e) {
                if (e.epoch == 1)
                    t->controller()->stop();
            });
        QVERIFY(t->controller()->train());
        QCOMPARE(waitFinished(t->controller()), QString("stopped"));
        QObject::disconnect(stopper);
        QVERIFY(w.document()->undoStack()->isClean());

        // The edit, typed where a user types it.
        if (edit == "epochs") {
            w.findChild<QDockWidget*>("trainingSettings")->raise();
            QSpinBox* epochs = t->settings()->epochsBox();
            QApplication::processEvents();
            epochs->setFocus();
            epochs->selectAll();
            QTest::keyClicks(epochs, "7");
            QCOMPARE(w.document()->project().training.epochs, 7);
            QCOMPARE(w.windowHandle()->title(), QString("p* — QNN Workbench"));
        } else {
            w.scene()->selectNodes({w.document()->graph().findByName("dense1")});
            w.findChild<QDockWidget*>("inspector")->raise();
            QApplication::processEvents();
            QLineEdit* name = nullptr;
            for (QLineEdit* e : w.inspector()->findChildren<QLineEdit*>())
                if (e->text() == "dense1")
                    name = e;
            QVERIFY(name);
            name->setFocus();
            name->selectAll();
            QTest::keyClicks(name, "fc1");
            // No Return: the user goes straight to Resume, and the field commits as it loses focus.
        }
        QApplication::processEvents();

        // Select the stopped run with a click, press Resume, choose Save.
        QDockWidget* runsDock = w.findChild<QDockWidget*>("runs");
        runsDock->raise();
        QApplication::processEvents();
        QTableWidget* table = t->runsPanel()->table();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(0, 0)).center());
        QCOMPARE(int(t->runsPanel()->selectedRuns().size()), 1);
        QPushButton* resume = nullptr;
        for (QPushButton* b : t->runsPanel()->findChildren<QPushButton*>())
            if (b->text().remove('&') == "Resume")
                resume = b;
        QVERIFY(resume && resume->isEnabled());
        QString asked;
        answerNextBox("Save", &asked);
        QSignalSpy started(t->controller(), &TrainingController::runStarted);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY2(asked.contains("unsaved changes"), qPrintable(asked));
        QCOMPARE(w.windowHandle()->title(), QString("p — QNN Workbench"));
        if (edit == "rename")
            QVERIFY(w.document()->graph().findByName("fc1"));
        QVERIFY(started.wait(60000));
        QApplication::processEvents();
        QVERIFY2(w.document()->undoStack()->isClean(), qPrintable(w.document()->undoStack()->undoText()));
        QVERIFY(!w.isWindowModified());
        // The title the window system shows (windowTitle() keeps the "[*]" placeholder).
        QCOMPARE(w.windowHandle()->title(), QString("p — QNN Workbench"));
        t->controller()->stop();
        waitFinished(t->controller());
        QVERIFY(w.document()->undoStack()->isClean());
        QCOMPARE(w.windowHandle()->title(), QString("p — QNN Workbench"));
    }

    void sigkillLeavesTheWindowAndTheEdits()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        t->controller()->setExtraArguments({"--epochs", "50", "--threads", "1"});
        QSignalSpy batches(t->controller(), &TrainingController::batch);
        QVERIFY(t->controller()->train());
        QVERIFY(batches.wait(60000));
        const qnn::NodeId added = w.document()->addNode(qnn::LayerKind::Dropout, {10, 10});
        QVERIFY(w.document()->isModified());
        t->controller()->killRunning();
        QCOMPARE(waitFinished(t->controller()), QString("failed"));
        QVERIFY(w.isVisible() || !w.isVisible()); // still here: the test would have crashed otherwise
        QVERIFY(w.document()->graph().node(added));
        QVERIFY(w.document()->isModified());
        QCOMPARE(int(t->runsPanel()->runs().size()), 1);
        const qnn::RunInfo run = t->runsPanel()->runs()[0];
        QCOMPARE(QString::fromStdString(run.status), QString("failed"));
        QVERIFY2(run.error.find("ended without finishing") != std::string::npos, run.error.c_str());
        QVERIFY(run.resumable); // the epoch-0 checkpoint
    }

    void fp32TwinInTheCompareView()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        // Screenshots get curves worth looking at; the test itself needs two epochs.
        const bool pictures = !qEnvironmentVariable("QNN_SCREENSHOTS").isEmpty();
        // Quick look sets only the epochs, which --epochs overrides: the runs just record "quick@1".
        t->controller()->setExtraArguments({"--recipe", "quick", "--epochs", pictures ? "8" : "2", "--train-limit",
                                            pictures ? "4000" : "1000", "--threads", "1"});
        QVERIFY(t->controller()->train());
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        t->twinAction()->trigger();
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        const auto runs = t->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 2);
        QVERIFY(runs[1].fp32Twin);
        QCOMPARE(QString::fromStdString(runs[1].precision), QString("FP32"));
        windowScreenshots(w, t, runs);

        t->runsPanel()->selectRun(QString::fromStdString(runs[0].name));
        RunComparisonView* c = t->comparison();
        c->compare(QString::fromStdString(runs[0].name)); // B defaults to the twin
        QCOMPARE(c->runB(), QString::fromStdString(runs[1].name));
        QTableWidget* table = c->table();
        QCOMPARE(table->item(1, 0)->text(), QString::number(100 * runs[0].testAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(1, 1)->text(), QString::number(100 * runs[1].testAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(2, 1)->text(), QString::number(100 * runs[1].bestValAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(7, 1)->text(), QString("1.0×"));
        QCOMPARE(table->verticalHeaderItem(table->rowCount() - 2)->text(), QString("recipe"));
        QCOMPARE(table->item(table->rowCount() - 2, 0)->text(), QString("quick@1"));
        QCOMPARE(table->item(table->rowCount() - 2, 1)->text(), QString("quick@1"));
        QTableWidget* list = t->runsPanel()->table();
        QCOMPARE(list->horizontalHeaderItem(list->columnCount() - 1)->text(), QString("Recipe"));
        QCOMPARE(list->item(0, list->columnCount() - 1)->text(), QString("quick@1"));
        const QString gap = QString::number(100 * (runs[0].testAccuracy - runs[1].testAccuracy), 'f', 2);
        QVERIFY2(table->item(table->rowCount() - 1, 0)->text().startsWith(gap), qPrintable(gap));
        QVERIFY(c->diffList()->count() >= 3);
        QVERIFY(c->diffList()->item(0)->text().contains("→"));
        QCOMPARE(c->plot()->graphCount(), 4);
        screenshot(c, "compare-fp32-twin.png", QSize(1000, 620));

        // Two selected runs are overlaid on the Training dock in their colours.
        t->runsPanel()->table()->selectAll();
        t->dashboard()->flush();
        QCOMPARE(t->dashboard()->plot()->graphCount(), 4);
        QCOMPARE(t->dashboard()->plot()->graph(0)->pen().color(), QColor(QString::fromStdString(runs[0].colour)));

        // Pareto: both runs as points in their colours; the twin costs 32× the memory, so the
        // binarized run is on the front whatever the accuracies.
        ParetoView* pareto = t->pareto();
        QCOMPARE(pareto->plot()->graphCount(), 3); // two runs and the front
        QCOMPARE(pareto->frontRuns().first(), QString::fromStdString(runs[0].name));
        QCOMPARE(pareto->plot()->graph(1)->scatterStyle().pen().color(), QColor(QString::fromStdString(runs[1].colour)));
        QCOMPARE(pareto->plot()->graph(0)->data()->at(0)->value, 100 * runs[0].testAccuracy);
        screenshot(pareto, "pareto.png", QSize(760, 480));

        // A click on a point selects its run in Runs; Confusion and Compare follow.
        if (pareto->parentWidget()) {
            w.resize(1280, 800);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.findChild<QDockWidget*>("analysis")->raise();
            t->analysisTabs()->setCurrentWidget(pareto);
            QApplication::processEvents();
        }
        pareto->plot()->replot();
        const QString twin = QString::fromStdString(runs[1].name);
        QTest::mouseClick(pareto->plot(), Qt::LeftButton, {}, pareto->pixelOf(twin));
        QCOMPARE(int(t->runsPanel()->selectedRuns().size()), 1);
        QCOMPARE(QString::fromStdString(t->runsPanel()->selectedRuns()[0].name), twin);
        QCOMPARE(t->comparison()->runA(), twin);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(t->confusion()->cellCount(i, i), qint64(runs[1].confusion[size_t(i)][size_t(i)]));

        // The confusion matrix of the selected run: the counts of its summary.
        t->runsPanel()->selectRun(QString::fromStdString(runs[1].name));
        ConfusionView* confusion = t->confusion();
        QCOMPARE(int(runs[1].confusion.size()), 10);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(confusion->cellCount(i, i), qint64(runs[1].confusion[size_t(i)][size_t(i)]));
        QCOMPARE(confusion->cellCount(3, 5), qint64(runs[1].confusion[3][5]));
    }

    void theQueueIsVisibleAndSteerable()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        std::vector<QPointer<FakeLauncher>> fakes;
        useFakes(t->controller(), &fakes);
        RunsPanel* panel = t->runsPanel();
        QTableWidget* queue = panel->queueTable();

        t->trainAction()->trigger(); // nothing runs: no question
        QCOMPARE(int(fakes.size()), 1);
        QVERIFY(t->controller()->isTraining());
        QCOMPARE(queue->rowCount(), 0);

        // Train during a run asks; "Queue after it" queues.
        QString question;
        answerNextBox("Queue after it", &question);
        t->trainAction()->trigger();
        QVERIFY2(question.contains("Queue the new run after it, or stop it"), qPrintable(question));
        answerNextBox("Queue after it");
        t->twinAction()->trigger();
        QCOMPARE(int(fakes.size()), 1);
        QCOMPARE(t->controller()->queuedJobs(), QStringList({"run", "FP32 twin"}));
        QCOMPARE(queue->rowCount(), 2);
        QCOMPARE(queue->item(0, 0)->text(), QString("1. run"));
        QCOMPARE(queue->item(1, 0)->text(), QString("2. FP32 twin"));
        // The settings each will train with, from the file as saved.
        qnn::Project saved;
        std::string error;
        QVERIFY(qnn::loadProject(path.toStdString(), saved, error));
        QVERIFY2(queue->item(0, 1)->text().startsWith(QString("%1 epochs · batch %2").arg(saved.training.epochs)
                                                          .arg(saved.training.batchSize)),
                 qPrintable(queue->item(0, 1)->text()));
        QVERIFY(queue->item(0, 1)->text().contains("W1A1"));
        QVERIFY(queue->item(1, 1)->text().contains("every layer FP32"));

        // Move the twin up, then take the plain run out.
        queue->selectRow(1);
        QVERIFY(panel->moveSelectedJob(-1));
        QCOMPARE(t->controller()->queuedJobs(), QStringList({"FP32 twin", "run"}));
        QCOMPARE(queue->item(0, 0)->text(), QString("1. FP32 twin"));
        QVERIFY(!panel->moveSelectedJob(-1)); // first already
        queue->selectRow(1);
        QVERIFY(panel->cancelSelectedJob());
        QCOMPARE(t->controller()->queuedJobs(), QStringList({"FP32 twin"}));
        QCOMPARE(queue->rowCount(), 1);

        // "Stop it and start": the running one stops, the new one starts before the waiting twin.
        answerNextBox("Stop it and start");
        t->trainAction()->trigger();
        QCOMPARE(fakes[0]->m_stops, 1);
        QTRY_COMPARE(int(fakes.size()), 2);
        QVERIFY(!fakes[1]->m_arguments.contains("--fp32-twin"));
        QCOMPARE(t->controller()->queuedJobs(), QStringList({"FP32 twin"}));

        // Cancel in the question changes nothing.
        answerNextBox("Cancel");
        t->trainAction()->trigger();
        QCOMPARE(t->controller()->queuedJobs(), QStringList({"FP32 twin"}));
        fakes[1]->finish(0);
        QTRY_COMPARE(int(fakes.size()), 3);
        QVERIFY(fakes[2]->m_arguments.contains("--fp32-twin"));
        QCOMPARE(queue->rowCount(), 0);
        QVERIFY(!queue->parentWidget()->isVisibleTo(panel));
        fakes[2]->finish(0);
    }

    void aRefusedRunIsNotBlamedOnTheLastOne()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        std::vector<QPointer<FakeLauncher>> fakes;
        useFakes(t->controller(), &fakes);
        QVERIFY(t->controller()->train());
        RunStartEvent e;
        e.name = "run-that-completed";
        e.epochs = 3;
        fakes[0]->report(e);
        fakes[0]->reportSummary({{"name", e.name}, {"status", "completed"}});
        fakes[0]->finish(0);
        QTRY_VERIFY(!t->controller()->isBusy());
        QCOMPARE(t->dashboard()->statusText(), QString("run-that-completed completed"));

        // The next job is refused before it has a run folder (qnnw's memory check).
        QVERIFY(t->controller()->train());
        fakes[1]->refuse("training this graph needs about 96 GB of memory");
        fakes[1]->finish(1);
        QTRY_VERIFY(!t->controller()->isBusy());
        const QString text = t->dashboard()->statusText();
        QVERIFY2(text.startsWith("The new run did not start: training this graph needs"), qPrintable(text));
        QVERIFY2(!text.contains("run-that-completed"), qPrintable(text));
    }

    void closingDuringARunAsks()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        auto* w = new MainWindow;
        QVERIFY(w->openFile(path, nullptr, true));
        w->show();
        TrainingWorkbench* t = workbenchOf(*w);
        std::vector<QPointer<FakeLauncher>> fakes;
        useFakes(t->controller(), &fakes);
        QVERIFY(t->controller()->train());
        RunStartEvent e;
        e.name = "the-run";
        fakes[0]->report(e);

        QString question;
        answerNextBox("Cancel", &question);
        QVERIFY(!w->close());
        QVERIFY2(question.contains("the-run is training. Let it finish in the background, or stop it?"),
                 qPrintable(question));
        QVERIFY(w->isVisible());
        QCOMPARE(fakes[0]->m_stops, 0);

        answerNextBox("Stop it");
        QVERIFY(w->close());
        QCOMPARE(fakes[0]->m_stops, 1);
        delete w;
    }

    // Issue 20 item 8: "Finish in the background" leaves the very training
    // process running (no stop and restart); the next window finds it in its
    // run folder, follows it live and stops it by its process id.
    void finishInTheBackgroundThenTheNextWindowFollows()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        QString name, runDir;
        qint64 pid = 0;
        {
            MainWindow w;
            QVERIFY(w.openFile(path, nullptr, true));
            w.show();
            TrainingWorkbench* t = workbenchOf(w);
            // Long enough to outlast the test's steps: it ends by the Stop below.
            t->controller()->setExtraArguments({"--epochs", "200", "--train-limit", "1500", "--threads", "1"});
            QSignalSpy started(t->controller(), &TrainingController::runStarted);
            QSignalSpy epochs(t->controller(), &TrainingController::epoch);
            QVERIFY(t->controller()->train());
            QVERIFY(started.wait(60000));
            name = started.first().first().value<RunStartEvent>().name;
            runDir = started.first().first().value<RunStartEvent>().runDir;
            QVERIFY(epochs.wait(60000));
            pid = summaryOf(runDir).value("pid").toInteger();
            QVERIFY(pid > 0);
            answerNextBox("Finish in the background");
            QVERIFY(w.close());
        } // the window, its controller and launcher are gone
        // The same process trains on, in a session of its own, into its run folder.
        QTest::qWait(500);
        QVERIFY2(trainingProcessAlive(pid), "the training process ended with its window");
        QCOMPARE(::getsid(pid), pid);
        QCOMPARE(summaryOf(runDir).value("status").toString(), QString("running"));
        QCOMPARE(summaryOf(runDir).value("pid").toInteger(), pid);

        // The next window finds it in the run folder and follows it live.
        MainWindow next;
        QVERIFY(next.openFile(path, nullptr, true));
        next.show();
        TrainingWorkbench* t = workbenchOf(next);
        QTRY_COMPARE_WITH_TIMEOUT(t->follower()->runName(), name, 5000);
        QCOMPARE(t->follower()->processId(), pid);
        QVERIFY2(t->dashboard()->progressLabel()->text().contains(name + " is training in another process"),
                 qPrintable(t->dashboard()->progressLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!t->runsPanel()->runs().empty(), 5000);
        QCOMPARE(QString::fromStdString(t->runsPanel()->runs()[0].status), QString("running"));
        QCOMPARE(t->runsPanel()->table()->item(0, 3)->text(), QString("running"));
        // Its curves grow as epochs end.
        auto points = [t] {
            int n = 0;
            for (int i = 0; i < t->dashboard()->plot()->graphCount(); ++i)
                n += t->dashboard()->plot()->graph(i)->dataCount();
            return n;
        };
        const int before = points();
        QVERIFY(before > 0);
        QTRY_VERIFY_WITH_TIMEOUT(points() > before, 60000);

        // Stop works: SIGINT to the pid in its run folder; it stops resumably.
        QVERIFY(t->stopAction()->isEnabled());
        QSignalSpy ended(t->follower(), &RunFollower::ended);
        t->stopAction()->trigger();
        QVERIFY(ended.wait(60000));
        QCOMPARE(ended.first().at(1).toString(), QString("stopped"));
        QTRY_VERIFY_WITH_TIMEOUT(!trainingProcessAlive(pid), 10000);
        const qnn::RunInfo r = qnn::readRunInfo(runDir.toStdString());
        QCOMPARE(QString::fromStdString(r.status), QString("stopped"));
        QVERIFY(r.resumable);
        QVERIFY(r.epochsDone >= 2);
        QVERIFY(t->dashboard()->statusText().startsWith(name + " stopped"));
    }

    void confusionCountsAreReadableOnEveryCell()
    {
        qnn::RunInfo run;
        run.name = "r";
        run.testAccuracy = 0.9;
        // Counts across the whole colour scale: zero, small, middling and the largest.
        run.confusion = {{980, 0, 3, 1}, {0, 500, 60, 2}, {10, 200, 120, 30}, {1, 5, 40, 700}};
        ConfusionView view;
        view.setRun(run);
        auto luminance = [](const QColor& c) {
            auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
        };
        for (int t = 0; t < 4; ++t)
            for (int p = 0; p < 4; ++p) {
                const double a = luminance(view.cellColour(t, p)), b = luminance(view.textColour(t, p));
                const double contrast = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
                // WCAG AA for normal text.
                QVERIFY2(contrast >= 4.5, qPrintable(QString("cell %1,%2: %3 on %4, contrast %5")
                                                         .arg(t).arg(p)
                                                         .arg(view.textColour(t, p).name(), view.cellColour(t, p).name())
                                                         .arg(contrast)));
            }
        // The largest count sits on the brightest cell: black text, not white on white.
        QCOMPARE(view.textColour(0, 0), QColor(Qt::black));
        QCOMPARE(view.textColour(0, 1), QColor(Qt::white)); // zero: the darkest cell
    }

    void learningRateLabelsDoNotOverlap_data()
    {
        QTest::addColumn<double>("decay");
        QTest::newRow("exponential over three decades") << 1e-3;
        QTest::newRow("constant") << 1.0;
    }

    void learningRateLabelsDoNotOverlap()
    {
        QFETCH(double, decay);
        TrainingDashboard d;
        d.resize(900, 560);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        RunStartEvent e;
        e.name = "r";
        e.epochs = 10;
        d.startRun(e);
        // BinaryNet's exponential decay over three decades, or a constant rate.
        for (int epoch = 1; epoch <= 10; ++epoch) {
            RunBatchEvent b;
            b.epoch = epoch;
            b.epochs = 10;
            b.batch = 1;
            b.batches = 1;
            b.loss = 1;
            b.learningRate = 3e-3 * std::pow(decay, (epoch - 1) / 9.0);
            d.addBatch(b);
        }
        d.flush();
        QCustomPlot* lr = d.lrPlot();
        lr->replot();
        const QVector<double> ticks = lr->yAxis->tickVector();
        QVERIFY(ticks.size() >= (decay < 1 ? 2 : 1));
        const int labelHeight = QFontMetrics(lr->yAxis->tickLabelFont()).height();
        for (int i = 1; i < ticks.size(); ++i) {
            const double gap = std::abs(lr->yAxis->coordToPixel(ticks[i]) - lr->yAxis->coordToPixel(ticks[i - 1]));
            QVERIFY2(gap >= labelHeight, qPrintable(QString("ticks %1 and %2 are %3 px apart; labels are %4 px")
                                                        .arg(ticks[i - 1]).arg(ticks[i]).arg(gap).arg(labelHeight)));
        }
    }

    void seedGroupIsDrawnAsMeanWithAStdBand()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingWorkbench* t = workbenchOf(w);
        t->controller()->setExtraArguments({"--epochs", "2", "--train-limit", "600", "--threads", "1"});
        QVERIFY(t->controller()->repeatWithSeeds(2));
        QTRY_VERIFY_WITH_TIMEOUT(!t->controller()->isBusy(), 180000);
        const auto runs = t->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 2);
        QCOMPARE(runs[1].seed, runs[0].seed + 1);
        QCOMPARE(runs[0].seedGroup, runs[1].seedGroup);
        const double a = runs[0].testAccuracy, b = runs[1].testAccuracy;
        const double mean = (a + b) / 2, std = std::abs(a - b) / std::sqrt(2.0); // n-1 = 1
        QVERIFY2(t->runsPanel()->note().contains(QString("%1 ± %2 %").arg(100 * mean, 0, 'f', 2).arg(100 * std, 0, 'f', 2)),
                 qPrintable(t->runsPanel()->note()));
        t->runsPanel()->table()->selectAll();
        QCustomPlot* plot = t->dashboard()->plot();
        QCOMPARE(plot->graphCount(), 3); // band top, band bottom, mean
        for (int epoch = 0; epoch < 2; ++epoch) {
            const double va = 100 * runs[0].history[size_t(epoch)].valAccuracy;
            const double vb = 100 * runs[1].history[size_t(epoch)].valAccuracy;
            QCOMPARE(plot->graph(2)->data()->at(epoch)->value, (va + vb) / 2);
            QVERIFY(qAbs(plot->graph(0)->data()->at(epoch)->value - ((va + vb) / 2 + std::abs(va - vb) / std::sqrt(2.0))) < 1e-9);
        }
    }

    void settingsAreUndoStepsAndAMissingDatasetOffersSynthetic()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        TrainingSettingsForm* form = workbenchOf(w)->settings();
        QUndoStack* undo = w.document()->undoStack();
        const int before = undo->count();
        const int epochs = w.document()->project().training.epochs;
        form->epochsBox()->setValue(epochs + 7);
        QCOMPARE(w.document()->project().training.epochs, epochs + 7);
        QCOMPARE(undo->count(), before + 1);
        QVERIFY(w.document()->isModified());
        undo->undo();
        QCOMPARE(w.document()->project().training.epochs, epochs);
        QCOMPARE(form->epochsBox()->value(), epochs);

        // MNIST in a folder that does not hold it: the sentence says which files go where.
        QVERIFY(form->datasetProblem().isEmpty());
        form->folderEdit()->setText(dir.filePath("nowhere"));
        Q_EMIT form->folderEdit()->editingFinished();
        form->datasetBox()->setCurrentText("mnist");
        QCOMPARE(QString::fromStdString(w.document()->project().dataset.name), QString("mnist"));
        QVERIFY2(form->datasetProblem().contains("train-images-idx3-ubyte"), qPrintable(form->datasetProblem()));
        QVERIFY(form->useSyntheticButton()->isVisibleTo(form));
        form->useSyntheticButton()->click();
        QCOMPARE(QString::fromStdString(w.document()->project().dataset.name), QString("synthetic-digits"));
        QVERIFY(form->datasetProblem().isEmpty());
        // Saved with the project.
        QVERIFY(w.saveTo(path));
        qnn::Project reopened;
        std::string error;
        QVERIFY(qnn::loadProject(path.toStdString(), reopened, error));
        QCOMPARE(reopened.dataset.name, std::string("synthetic-digits"));
        undo->undo();
        QCOMPARE(QString::fromStdString(w.document()->project().dataset.name), QString("mnist"));
    }

    void damagedRunIsShownUnreadableAndDeleteAsksNothingOutside()
    {
        QTemporaryDir dir;
        const QString path = copyExample(dir);
        QDir().mkpath(dir.filePath("runs/copied"));
        QFile config(dir.filePath("runs/copied/config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"format\": \"qnn-workbench-run\"}");
        config.close();
        QFile summary(dir.filePath("runs/copied/summary.json"));
        QVERIFY(summary.open(QIODevice::WriteOnly));
        summary.write("{\"status\": ");
        summary.close();
        MainWindow w;
        QVERIFY(w.openFile(path, nullptr, true));
        RunsPanel* panel = workbenchOf(w)->runsPanel();
        QCOMPARE(int(panel->runs().size()), 1);
        QVERIFY(!panel->runs()[0].readable);
        QVERIFY(!panel->runs()[0].listed);
        QVERIFY2(panel->table()->item(0, 3)->text().startsWith("unreadable: "),
                 qPrintable(panel->table()->item(0, 3)->text()));
        panel->selectRun("copied");
        QString error;
        QVERIFY2(panel->deleteSelected(false, &error), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir.filePath("runs/copied")));
        QVERIFY(QFileInfo::exists(path));
        QCOMPARE(int(panel->runs().size()), 0);
    }
};

QTEST_MAIN(TestTrainingViews)
#include "tst_training_views.moc"
