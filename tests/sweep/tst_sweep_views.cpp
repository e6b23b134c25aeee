// The sweep's widgets with a real sweep: the New Sweep dialog's dry-run
// preview, the live table (states, accuracy, hardware, reasons) and the
// Pareto view over the sweep's runs with the device's capacity line.
#include "core/project/project.h"
#include "widgets/editor/graph_document.h"
#include "widgets/sweep/new_sweep_dialog.h"
#include "widgets/sweep/sweep_table.h"
#include "widgets/training/pareto_view.h"
#include "widgets/training/run_comparison_view.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_workbench.h"

#include "tests/sweep/sweep_test_support.h"

#include <qcustomplot.h>

#include <filesystem>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QSpinBox>
#include <QUndoStack>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest>

using namespace sweeptest;

class TestSweepViews : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_sweep;

    static int column(QTableWidget* t, const QString& name)
    {
        for (int c = 0; c < t->columnCount(); ++c)
            if (t->horizontalHeaderItem(c)->text() == name)
                return c;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString project = copyExample(m_dir);
        const Result r = qnnw(QStringList{"sweep", project, "--grid", "precision=W1A1,W2A2", "--grid",
                                          "dense*.units=16,48", "--grid", "optimizer=adam,rmsprop", "--jobs", "2",
                                          "--name", "v", "--json"} +
                              shortTraining());
        QCOMPARE(r.exitCode, 1); // the rmsprop points fail, on purpose
        m_sweep = m_dir.filePath("sweeps/v");
    }

    void dialogPreviewsPointsAndInvalidOnes()
    {
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(m_dir.filePath("p.qnnproj"), &error), qPrintable(error));
        NewSweepDialog d(&doc);
        d.axesEdit()->setPlainText("precision=W1A1,W2A2\ndense*.units=32,0");
        d.seedsBox()->setValue(2);
        d.updatePreview();
        QCOMPARE(d.pointCount(), 8);
        QCOMPARE(d.invalidCount(), 4);
        QVERIFY(d.summary()->text().contains("8 points, 4 to run, 4 invalid"));
        QTableWidget* t = d.preview();
        QCOMPARE(t->rowCount(), 8);
        QVERIFY(t->item(2, column(t, "invalid because"))->text().contains("units is 0, out of range"));
        QVERIFY(t->item(0, column(t, "LUT"))->text().toDouble() > 0);
        const QStringList args = d.arguments();
        QCOMPARE(args.mid(0, 8), (QStringList{"sweep", m_dir.filePath("p.qnnproj"), "--grid", "precision=W1A1,W2A2",
                                              "--grid", "dense*.units=32,0", "--name", "sweep1"}));
        QVERIFY(args.contains("--seeds") && args[args.indexOf("--seeds") + 1] == "2");
        d.backendBox()->setCurrentIndex(1);
        QVERIFY(d.arguments().join(' ').contains("--backend slurm"));
        // A malformed axis is a sentence, and nothing can start.
        d.axesEdit()->setPlainText("precision");
        d.updatePreview();
        QVERIFY(d.summary()->text().contains("KEY=V1,V2"));
        QCOMPARE(d.pointCount(), 0);
    }

    // The dialog keeps its sweep in the project: one undo step per save,
    // undone and redone on the document, and loaded again by name.
    void dialogSavesTheSweepAsOneUndoStep()
    {
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(m_dir.filePath("p.qnnproj"), &error), qPrintable(error));
        QVERIFY(doc.project().sweeps.empty());
        {
            NewSweepDialog d(&doc);
            d.nameBox()->setEditText("widths");
            d.axesEdit()->setPlainText("precision=W1A1,W2A2\ndense*.units=16,48");
            d.seedsBox()->setValue(2);
            d.epochsBox()->setValue(3);
            d.backendBox()->setCurrentIndex(1);
            d.partitionEdit()->setText("gpu");
            d.gpusBox()->setValue(1);
            QVERIFY2(d.saveDefinition(&error), qPrintable(error));
            const QStringList args = d.arguments();
            QVERIFY(args.join(' ').contains("--name widths --seeds 2 --epochs 3 --backend slurm --partition gpu "
                                            "--gpus-per-task 1"));
        }
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(doc.undoStack()->undoText(), QString("Save sweep widths"));
        QVERIFY(doc.isModified());
        QCOMPARE(doc.project().sweeps.size(), size_t(1));
        const qnn::SweepDefinition saved = doc.project().sweeps.front();
        QCOMPARE(saved.seeds, 2);
        QCOMPARE(saved.gpusPerTask, 1);
        QCOMPARE(qnn::SweepDefinition::axisText(saved.axes[1]), std::string("dense*.units=16,48"));

        // Opened again, the dialog shows the saved sweep; a change is one more step.
        {
            NewSweepDialog d(&doc);
            QCOMPARE(d.nameBox()->currentText(), QString("widths"));
            QCOMPARE(d.axesEdit()->toPlainText(), QString("precision=W1A1,W2A2\ndense*.units=16,48"));
            QCOMPARE(d.seedsBox()->value(), 2);
            QCOMPARE(d.partitionEdit()->text(), QString("gpu"));
            QVERIFY(d.saveDefinition()); // unchanged: no step
            QCOMPARE(doc.undoStack()->count(), 1);
            d.seedsBox()->setValue(3);
            QVERIFY(d.saveDefinition());
        }
        QCOMPARE(doc.undoStack()->count(), 2);
        QCOMPARE(doc.undoStack()->undoText(), QString("Change sweep widths"));
        QCOMPARE(doc.project().sweeps.front().seeds, 3);
        doc.undoStack()->undo();
        QVERIFY(doc.project().sweeps.front() == saved);
        doc.undoStack()->undo();
        QVERIFY(doc.project().sweeps.empty());
        QVERIFY(!doc.isModified());
        doc.undoStack()->redo();
        QVERIFY(doc.project().sweeps.front() == saved);

        // Saved, the file holds it, and qnnw runs it by name.
        const QString copy = m_dir.filePath("saved.qnnproj");
        QVERIFY2(doc.save(copy, &error), qPrintable(error));
        qnn::Project back;
        std::string e;
        QVERIFY2(qnn::loadProject(copy.toStdString(), back, e), e.c_str());
        QVERIFY(back.sweeps == doc.project().sweeps);
        const Result dry = qnnw({"sweep", copy, "--name", "widths", "--dry-run", "--json"});
        QVERIFY2(dry.exitCode == 0, dry.err.constData());
        QCOMPARE(lastEvent(dry.out, "result")["points"].toArray().size(), 8);
    }

    // A click on a point (its row or its Pareto marker) selects its run in the
    // Runs dock, which lists the sweep's runs; Compare follows.
    void clickOnAPointSelectsItsRunInRuns()
    {
        QMainWindow window;
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(m_dir.filePath("p.qnnproj"), &error), qPrintable(error));
        TrainingWorkbench* bench = installTrainingDocks(&window, &doc, [] { return true; });
        RunsPanel* runs = window.findChild<RunsPanel*>();
        QVERIFY(runs);
        SweepTable* table = bench->sweepTable();
        QVERIFY(table->setSweep(m_sweep));
        // The project has no runs of its own: the rows are the 4 completed
        // points' (the rmsprop points failed before they had a run folder).
        QCOMPARE(int(runs->runs().size()), 4);
        QVERIFY(runs->isSweepRun("v/p000"));
        QVERIFY(runs->note().contains("runs of the sweep v"));

        const QMap<QString, QJsonObject> pts = pointsById(status(m_sweep));
        int row = -1;
        for (int r = 0; r < table->table()->rowCount(); ++r)
            if (pts[table->table()->item(r, 0)->text()]["state"] == "completed")
                row = r;
        QVERIFY(row >= 0);
        const QString id = table->table()->item(row, 0)->text();
        table->table()->selectRow(row);
        QCOMPARE(runs->selectedRuns().size(), size_t(1));
        QCOMPARE(QString::fromStdString(runs->selectedRuns().front().name), "v/" + id);
        QCOMPARE(QString::fromStdString(runs->selectedRuns().front().dir), pts[id]["run"].toString());
        auto* compare = window.findChild<RunComparisonView*>();
        QVERIFY(compare);
        QCOMPARE(compare->runA(), "v/" + id);

        // The Pareto marker of another completed point selects that one.
        ParetoView* pareto = table->pareto();
        pareto->setAxis(2);
        QString other;
        for (const QJsonObject& p : pts)
            if (p["state"] == "completed" && p["id"].toString() != id)
                other = p["id"].toString();
        Q_EMIT pareto->runClicked(QFileInfo(pts[other]["run"].toString()).fileName());
        QCOMPARE(QString::fromStdString(runs->selectedRuns().front().name), "v/" + other);
        QCOMPARE(table->table()->item(table->table()->currentRow(), 0)->text(), other);
        QCOMPARE(compare->runA(), "v/" + other);
        // A sweep's run is read-only in Runs: the sweep resubmits it.
        QString why;
        QVERIFY(!runs->deleteSelected(false, &why));
        QVERIFY(why.contains("sweep's run"));
        QVERIFY(QDir(pts[other]["run"].toString()).exists());
        // A re-read of the table (the timer's) is not a click: Runs keeps its selection.
        runs->selectRun("v/" + id);
        table->refresh();
        QCOMPARE(QString::fromStdString(runs->selectedRuns().front().name), "v/" + id);
    }

    void tableShowsEveryPointWithStateAndReason()
    {
        SweepTable table;
        QString error;
        QVERIFY2(table.setSweep(m_sweep, &error), qPrintable(error));
        QTableWidget* t = table.table();
        QCOMPARE(t->rowCount(), 8);
        const int state = column(t, "state"), acc = column(t, "test acc %"), lut = column(t, "LUT"),
                  reason = column(t, "reason");
        int completed = 0, failed = 0;
        const QMap<QString, QJsonObject> pts = pointsById(status(m_sweep));
        for (int r = 0; r < t->rowCount(); ++r) {
            const QJsonObject p = pts[t->item(r, 0)->text()];
            QCOMPARE(t->item(r, state)->text(), p["state"].toString());
            if (p["state"] == "completed") {
                ++completed;
                QCOMPARE(t->item(r, acc)->text(), QString::number(100 * p["test_accuracy"].toDouble(), 'f', 2));
                QCOMPARE(t->item(r, lut)->text(),
                         QString::number(p["hardware"].toObject()["lut"].toDouble(), 'f', 0));
            } else {
                ++failed;
                QVERIFY(t->item(r, reason)->text().contains("'rmsprop' is not known"));
            }
        }
        QCOMPARE(completed, 4);
        QCOMPARE(failed, 4);
        QVERIFY(table.resubmitButton()->isEnabled());
        QVERIFY(!table.cancelButton()->isEnabled()); // nothing waits or runs
        QVERIFY(table.grab().save(m_dir.filePath("table.png")));
    }

    // Resubmit runs `qnnw sweep resubmit --json` through ChildProcess: a
    // sweep folder gone since it was opened comes back as qnnw's sentence.
    void resubmitFailureIsShown()
    {
        const std::filesystem::path copy = std::filesystem::path(m_dir.filePath("sweeps/gone").toStdString());
        std::filesystem::copy(m_sweep.toStdString(), copy, std::filesystem::copy_options::recursive);
        SweepTable table;
        QVERIFY(table.setSweep(QString::fromStdString(copy.string())));
        QVERIFY(table.problem().isEmpty());
        std::filesystem::remove_all(copy);
        table.resubmitButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!table.problem().isEmpty(), 30000);
        QVERIFY2(table.problem().contains("gone"), qPrintable(table.problem()));
        QVERIFY(table.grab().save(QDir::tempPath() + "/qnn-sweep-table-problem.png"));
    }

    void paretoOverTheSweepWithCapacityLine()
    {
        SweepTable table;
        QVERIFY(table.setSweep(m_sweep));
        ParetoView* pareto = table.pareto();
        pareto->setAxis(2); // LUT
        const QStringList front = pareto->frontRuns();
        QVERIFY(!front.isEmpty());
        QVERIFY(front.size() <= 4);
        // The front is what no other completed point beats on LUT and accuracy.
        const QMap<QString, QJsonObject> pts = pointsById(status(m_sweep));
        for (const QString& name : front) {
            QJsonObject mine;
            for (const QJsonObject& p : pts)
                if (p["run"].toString().endsWith("/" + name))
                    mine = p;
            QVERIFY(!mine.isEmpty());
            for (const QJsonObject& other : pts) {
                if (other["state"] != "completed" || other["id"] == mine["id"])
                    continue;
                const bool beats = other["hardware"].toObject()["lut"].toDouble() <=
                                       mine["hardware"].toObject()["lut"].toDouble() &&
                                   other["test_accuracy"].toDouble() > mine["test_accuracy"].toDouble();
                QVERIFY2(!beats, qPrintable(other["id"].toString() + " beats " + mine["id"].toString()));
            }
        }
        // The device's LUT capacity (xc7z020: 53200) is a line on the plot.
        bool capacity = false;
        for (int i = 0; i < pareto->plot()->itemCount(); ++i)
            capacity = capacity || pareto->plot()->item(i)->property("limit").toDouble() == 53200;
        QVERIFY(capacity);
        // A click on a Pareto point selects its run: the signal carries its folder.
        QSignalSpy selected(&table, &SweepTable::runSelected);
        Q_EMIT pareto->runClicked(front.first());
        QCOMPARE(selected.size(), 1);
        QVERIFY(selected.first().first().toString().endsWith(front.first()));
    }
};

QTEST_MAIN(TestSweepViews)
#include "tst_sweep_views.moc"
