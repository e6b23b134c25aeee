// The training views driving real widgets offscreen with real short runs of
// qnnw on the synthetic digits: live curves equal metrics.jsonl, the runs
// list survives save and reopen with its colours, Stop then Resume, a SIGKILL
// that leaves the window and the unsaved edits alone, the FP32 twin in the
// Compare view, damaged run folders.
#include "core/project/project.h"
#include "core/run/run_info.h"

#include <nlohmann/json.hpp>
#include "widgets/editor/graph_document.h"
#include "widgets/training/confusion_view.h"
#include "widgets/training/pareto_view.h"
#include "widgets/training/run_comparison_view.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_settings_form.h"
#include "widgets/training/training_workbench.h"
#include "widgets/workbench/main_window.h"

#include <qcustomplot.h>

#include <QAction>
#include <QApplication>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <cmath>
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
        QCOMPARE(waitFinished(t->controller()), QString("cancelled"));
        QCOMPARE(int(t->runsPanel()->runs().size()), 1);
        qnn::RunInfo run = t->runsPanel()->runs()[0];
        QCOMPARE(QString::fromStdString(run.status), QString("stopped"));
        QVERIFY(run.resumable);
        QVERIFY(run.epochsDone < 4);
        const int doneBefore = run.epochsDone;

        QObject::disconnect(stopper);
        t->runsPanel()->selectRun(QString::fromStdString(run.name));
        QString error;
        QVERIFY2(t->runsPanel()->resumeSelected(&error), qPrintable(error));
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        run = t->runsPanel()->runs()[0];
        QCOMPARE(QString::fromStdString(run.status), QString("completed"));
        QCOMPARE(run.epochsDone, 4);
        QCOMPARE(int(run.history.size()), 4);
        t->dashboard()->flush();
        // The resumed curves hold the epochs before the stop too.
        QCOMPARE(t->dashboard()->valAccuracyGraph()->dataCount(), 4);
        QVERIFY(doneBefore >= 1);
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
        t->controller()->setExtraArguments({"--epochs", "2", "--train-limit", "1000", "--threads", "1"});
        QVERIFY(t->controller()->train());
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        t->twinAction()->trigger();
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        const auto runs = t->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 2);
        QVERIFY(runs[1].fp32Twin);
        QCOMPARE(QString::fromStdString(runs[1].precision), QString("FP32"));

        t->runsPanel()->selectRun(QString::fromStdString(runs[0].name));
        RunComparisonView* c = t->comparison();
        c->compare(QString::fromStdString(runs[0].name)); // B defaults to the twin
        QCOMPARE(c->runB(), QString::fromStdString(runs[1].name));
        QTableWidget* table = c->table();
        QCOMPARE(table->item(1, 0)->text(), QString::number(100 * runs[0].testAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(1, 1)->text(), QString::number(100 * runs[1].testAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(2, 1)->text(), QString::number(100 * runs[1].bestValAccuracy, 'f', 2) + " %");
        QCOMPARE(table->item(7, 1)->text(), QString("1.0×"));
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

        // The confusion matrix of the selected run: the counts of its summary.
        t->runsPanel()->selectRun(QString::fromStdString(runs[1].name));
        ConfusionView* confusion = t->confusion();
        QCOMPARE(int(runs[1].confusion.size()), 10);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(confusion->cellCount(i, i), qint64(runs[1].confusion[size_t(i)][size_t(i)]));
        QCOMPARE(confusion->cellCount(3, 5), qint64(runs[1].confusion[3][5]));
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
