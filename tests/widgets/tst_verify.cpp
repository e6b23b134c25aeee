// The Verify dock: the arguments it gives qnnw, how it shows a comparison
// (table, images, canvas highlight), and a real run: Xilinx's lfcW1A1
// imported with qnnw, then packed and compared by the dock's own child
// processes. With QNN_SCREENSHOT=<png> it also saves the canvas and the dock
// showing a real mismatch (the packed model of one trained run against the
// float model of another).
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/graph_view.h"
#include "widgets/editor/node_item.h"
#include "widgets/verify/verify_panel.h"

#include "support/qnnw_runner.h"

#include <QtTest>

#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTemporaryDir>

namespace {

using qnn::test::qnnwPath;

int qnnw(const QStringList& args, QByteArray* out = nullptr)
{
    const qnn::test::QnnwRun r = qnn::test::runQnnw(args, 600000);
    if (out)
        *out = r.out;
    if (r.exitCode != 0)
        qWarning("%s", r.err.constData());
    return r.exitCode;
}

// The last protocol event of a --json run (its result, or its error).
QJsonObject lastJson(const QByteArray& out)
{
    const QList<QJsonObject> events = qnn::test::protocolEvents(out, nullptr);
    return events.isEmpty() ? QJsonObject() : events.last();
}

const QString kParams = QNN_SOURCE_DIR "/../shared/bnn-pynq-params/mnist/lfcW1A1";

} // namespace

class TestVerify : public QObject
{
    Q_OBJECT

private slots:
    void argumentsOfTheComparison()
    {
        QCOMPARE(VerifyPanel::compareArguments("/r/packed", "/r", "/p.qnnproj", 500),
                 QStringList({"run-packed", "/r/packed", "--compare", "/r", "--project", "/p.qnnproj", "--json",
                              "--limit", "500"}));
        QCOMPARE(VerifyPanel::compareArguments("/r/packed", "/r", "/p.qnnproj", 0).size(), 7);
    }

    void listsARunAsSoonAsTheDocumentRecordsIt()
    {
        // A run started from the workbench enters the document's runs list while
        // the window is open; Verify must offer it without a reopen, and take the
        // run selected in the Runs dock. Only runs with trained weights are
        // offered: the newest of those is the default, not a newer stopped one.
        QTemporaryDir tmp;
        QFile::copy(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", tmp.filePath("lfc.qnnproj"));
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(tmp.filePath("lfc.qnnproj"), &error), qPrintable(error));
        VerifyPanel panel(&document);
        panel.show();
        QCOMPARE(panel.runChooser()->count(), 0);
        for (const char* run : {"2026-01-01-first", "2026-01-02-second", "2026-01-03-stopped"})
            QVERIFY(QDir().mkpath(tmp.filePath(QString("runs/") + run)));
        for (const char* run : {"2026-01-01-first", "2026-01-02-second"}) {
            QFile weights(tmp.filePath(QString("runs/") + run + "/weights-best.qnnw"));
            QVERIFY(weights.open(QIODevice::WriteOnly));
        }
        document.setRunsRaw({"2026-01-01-first", "2026-01-02-second", "2026-01-03-stopped"});
        QCOMPARE(panel.runChooser()->count(), 2);
        QCOMPARE(panel.runChooser()->currentText(), QString("2026-01-02-second"));
        panel.setSelectedRun("2026-01-01-first");
        QCOMPARE(panel.runChooser()->currentText(), QString("2026-01-01-first"));
        QVERIFY2(panel.statusText().contains("2026-01-01-first is not verified yet"), qPrintable(panel.statusText()));
        // A run without weights: said so, and no other run's table under its name.
        panel.setSelectedRun("2026-01-03-stopped");
        QVERIFY2(panel.statusText().startsWith("2026-01-03-stopped has no trained weights"), qPrintable(panel.statusText()));
        QCOMPARE(panel.layerTable()->rowCount(), 0);
        QCOMPARE(panel.shownRun(), QString());
    }

    void showsTheTableAndHighlightsTheFirstDifferingLayer()
    {
        GraphDocument document;
        qnn::Project p;
        const qnn::NodeId d1 = p.graph.addNode(qnn::LayerKind::Dense, "dense1");
        const qnn::NodeId d2 = p.graph.addNode(qnn::LayerKind::Dense, "dense2");
        document.setProject(p);
        VerifyPanel panel(&document);
        const QJsonObject compare = QJsonDocument::fromJson(R"({"event":"result","version":1,"images":100,"agree":98,
            "agreement":98.0,"first_differing_layer":"dense2",
            "layers":[{"layer":"dense1","node":)" + QByteArray::number(qint64(d1)) + R"(,"compared_at":"activation",
                       "elements":25600,"differing":0,"ties":0,"images_differing":0,"first_images":[]},
                      {"layer":"dense2","node":)" + QByteArray::number(qint64(d2)) + R"(,"compared_at":"class",
                       "elements":100,"differing":2,"ties":0,"images_differing":2,"first_images":[4,17]}],
            "differing_images":[{"image":4,"label":3,"float":3,"integer":5},{"image":17,"label":1,"float":7,"integer":1}]})")
                                        .object();
        panel.showResult(compare);
        QCOMPARE(panel.layerTable()->rowCount(), 2);
        QCOMPARE(panel.layerTable()->item(1, 0)->text(), QString("dense2"));
        QCOMPARE(panel.layerTable()->item(1, 3)->text(), QString("2"));
        QCOMPARE(panel.imageTable()->rowCount(), 2);
        QCOMPARE(panel.imageTable()->item(1, 2)->text(), QString("7"));
        QCOMPARE(panel.imageTable()->item(1, 3)->text(), QString("1"));
        QCOMPARE(document.highlightedNode(), d2);
        QVERIFY2(panel.statusText().contains("98 of 100") && panel.statusText().contains("dense2"),
                 qPrintable(panel.statusText()));
        // All agreeing: nothing stays highlighted.
        QJsonObject same = compare;
        same["first_differing_layer"] = QJsonValue::Null;
        panel.showResult(same);
        QCOMPARE(document.highlightedNode(), qnn::kInvalidNode);
    }

    void verifiesAnImportedXilinxRun()
    {
        if (!QFileInfo::exists(kParams))
            QSKIP("../shared/bnn-pynq-params is absent");
        if (!QFileInfo::exists(qnnwPath()))
            QSKIP("qnnw is not built beside this test (build the qnnw target)");
        QTemporaryDir tmp;
        const QString project = tmp.path() + "/lfc.qnnproj";
        QCOMPARE(qnnw({"import-packed", kParams, "--out", project, "--json"}), 0);
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(project, &error), qPrintable(error));
        VerifyPanel panel(&document);
        panel.show();
        QCOMPARE(panel.runChooser()->currentText(), QString("imported-lfcW1A1"));
        panel.limitBox()->setValue(300);
        QSignalSpy done(&panel, &VerifyPanel::finished);
        QSignalSpy failed(&panel, &VerifyPanel::failed);
        panel.verify();
        QVERIFY(panel.isRunning());
        QVERIFY2(done.wait(600000), failed.isEmpty() ? "timeout" : qPrintable(failed.first().first().toString()));
        const QJsonObject c = done.first().first().toJsonObject();
        QCOMPARE(c.value("images").toInt(), 300);
        QCOMPARE(c.value("agree").toInt(), 300);
        QVERIFY(c.value("first_differing_layer").isNull());
        QCOMPARE(panel.layerTable()->rowCount(), 4);
        QCOMPARE(panel.layerTable()->item(0, 2)->text(), QLocale().toString(300 * 1024));
        QVERIFY(QFileInfo::exists(tmp.path() + "/runs/imported-lfcW1A1/packed/manifest.json"));
        QCOMPARE(panel.shownRun(), QString("imported-lfcW1A1"));

        // Another run selected: its own (no) results, not the table above under its name.
        QVERIFY(QDir().mkpath(tmp.path() + "/runs/other"));
        QFile weights(tmp.path() + "/runs/other/weights-best.qnnw");
        QVERIFY(weights.open(QIODevice::WriteOnly));
        weights.close();
        panel.setSelectedRun("other");
        QCOMPARE(panel.shownRun(), QString("other"));
        QCOMPARE(panel.layerTable()->rowCount(), 0);
        QVERIFY2(panel.statusText().startsWith("other is not verified yet"), qPrintable(panel.statusText()));
        // Its refusal stays with it: back on the imported run, its table comes back.
        panel.verify();
        QVERIFY(failed.wait(60000));
        QCOMPARE(panel.layerTable()->rowCount(), 0);
        const QString refusal = panel.statusText();
        panel.setSelectedRun("imported-lfcW1A1");
        QCOMPARE(panel.layerTable()->rowCount(), 4);
        QVERIFY(panel.statusText().startsWith("300 of 300 images"));
        panel.setSelectedRun("other");
        QCOMPARE(panel.statusText(), refusal);
        QCOMPARE(panel.layerTable()->rowCount(), 0);
    }

    void screenshotOfARealMismatch()
    {
        const QString shot = qEnvironmentVariable("QNN_SCREENSHOT");
        if (shot.isEmpty())
            QSKIP("set QNN_SCREENSHOT=<file.png> to save the Verify screenshot");
        QTemporaryDir tmp;
        QFile source(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj");
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QString project = tmp.path() + "/digits.qnnproj";
        QFile copy(project);
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write(source.readAll());
        copy.close();
        // Two runs with different seeds; the first one's packed model against the second one's float model.
        QCOMPARE(qnnw({"train", project, "--epochs", "1", "--train-limit", "3000", "--seed", "1", "--json"}), 0);
        QCOMPARE(qnnw({"train", project, "--epochs", "1", "--train-limit", "3000", "--seed", "2", "--json"}), 0);
        const QStringList runs = QDir(tmp.path() + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QCOMPARE(runs.size(), 2);
        const QString packed = tmp.path() + "/runs/" + runs[0] + "/packed";
        QCOMPARE(qnnw({"pack", project, "--run", runs[0], "--out", packed, "--json"}), 0);
        QByteArray out;
        QCOMPARE(qnnw({"run-packed", packed, "--compare", tmp.path() + "/runs/" + runs[1], "--json"}, &out), 0);
        const QJsonObject c = lastJson(out);
        QVERIFY(!c.value("first_differing_layer").isNull());

        GraphDocument document;
        QString error;
        QVERIFY2(document.load(project, &error), qPrintable(error));
        auto* scene = new GraphScene(&document);
        QSplitter window;
        auto* view = new GraphView(scene);
        window.addWidget(view);
        auto* panel = new VerifyPanel(&document);
        window.addWidget(panel);
        window.resize(1600, 680);
        window.setSizes({950, 650});
        window.show();
        QCOMPARE(panel->runChooser()->count(), 2);
        panel->runChooser()->setCurrentIndex(panel->runChooser()->findText(runs[0]));
        panel->showResult(c);
        if (NodeItem* item = scene->nodeItem(document.highlightedNode()))
            view->centerOn(item);
        QCOMPARE(document.highlightedNode(), document.project().graph.findByName(c.value("first_differing_layer").toString().toStdString()));
        QTest::qWait(200);
        QVERIFY(window.grab().save(shot));
    }
};

QTEST_MAIN(TestVerify)
#include "tst_verify.moc"
