// The README's "whole flow" walk, driven through the real window at 1280×800:
// open LFC W1A1, set 2 epochs, Train, Train FP32 twin, Compare, Hardware,
// Verify, Deploy to a loopback SSH board. It trains LFC on MNIST twice, so it
// is not part of ctest; run it under Xvfb (see README.md, "The whole flow"):
//
//   QNN_WALK=docs xvfb-run -s "-screen 0 1280x800x24" build/bin/walk_window
//
// With QNN_WALK set to a folder it saves the walk's screenshots there
// (walk-*.png); it prints the figures the README quotes as one JSON line.
#include "support/sshd_fixture.h"
#include "support/trained_lfc.h"

#include "core/deploy/board_config.h"
#include "core/run/run_info.h"
#include "widgets/deploy/deploy_panel.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/hardware/hardware_panel.h"
#include "widgets/training/run_comparison_view.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_settings_form.h"
#include "widgets/training/training_workbench.h"
#include "widgets/verify/verify_panel.h"
#include "widgets/workbench/main_window.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QUndoStack>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTest>

#include <cstdio>

namespace {

QString waitFinished(TrainingController* c, int timeoutMs = 600000)
{
    QSignalSpy spy(c, &TrainingController::runFinished);
    if (!spy.wait(timeoutMs))
        return QStringLiteral("(timeout)");
    for (int i = 0; i < 200 && c->isBusy(); ++i)
        QTest::qWait(100);
    return spy.first().at(1).toString();
}

void raise(MainWindow& w, const char* dock)
{
    if (auto* d = w.findChild<QDockWidget*>(dock))
        d->raise();
    QApplication::processEvents();
}

void shoot(MainWindow& w, const QString& dir, const char* name)
{
    QTest::qWait(600); // queued replots
    if (!dir.isEmpty())
        w.grab().save(dir + "/" + name);
}

} // namespace

class WalkWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wholeFlow()
    {
        const QString out = qEnvironmentVariable("QNN_WALK");
        if (out.isEmpty())
            QSKIP("set QNN_WALK to a folder (docs) to walk the whole flow and keep its screenshots");
        QDir().mkpath(out);
        QTemporaryDir work;
        SshdFixture sshd;
        QString error;
        QVERIFY2(sshd.start(error), qPrintable(error));
        QVERIFY2(installStandInBnn(sshd, error), qPrintable(error));
        qputenv("XDG_CONFIG_HOME", (work.path() + "/config").toUtf8());
        qputenv("QNNW", QNNW_PATH);
        qputenv("QNN_DATASETS", QNN_DATASETS_DIR);
        {
            // The board "pynq", as Add… in the Deploy dock stores it.
            qnn::deploy::BoardStore store;
            qnn::deploy::BoardConfig b;
            b.name = "pynq";
            b.kind = "pynq-z1";
            b.host = "127.0.0.1";
            b.port = sshd.port();
            b.user = qEnvironmentVariable("USER", "root").toStdString();
            b.keyPath = sshd.path("client_key").toStdString();
            b.remoteDir = sshd.path("board").toStdString();
            b.knownHosts = sshd.path("known_hosts").toStdString();
            store.put(b);
            std::string why;
            QVERIFY2(store.save(why), why.c_str());
        }
        const QString project = work.filePath("lfc-w1a1-mnist.qnnproj");
        QVERIFY(QFile::copy(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", project));
        QFile::setPermissions(project, QFile::ReadOwner | QFile::WriteOwner);

        QJsonObject figures;
        QElapsedTimer clock;
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openFile(project, nullptr, true));
        QTest::qWait(300);
        TrainingWorkbench* t = w.findChild<TrainingWorkbench*>();
        QVERIFY(t);

        // 1. Epochs 2 in Training settings (an undo step), then save.
        raise(w, "trainingSettings");
        QSpinBox* epochs = t->settings()->epochsBox();
        epochs->setFocus();
        epochs->selectAll();
        QTest::keyClicks(epochs, "2");
        QCOMPARE(w.document()->project().training.epochs, 2);
        QVERIFY(w.saveTo(project));
        raise(w, "inspector");

        // 2. Train (F5).
        clock.start();
        t->trainAction()->trigger();
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        figures["train_s"] = clock.elapsed() / 1000.0;
        std::vector<qnn::RunInfo> runs = t->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 1);
        const qnn::RunInfo w1a1 = runs[0];
        figures["w1a1_test_accuracy"] = 100 * w1a1.testAccuracy;
        figures["w1a1_images_per_s"] = w1a1.history.empty() ? 0.0 : w1a1.history.back().imagesPerSecond;
        w.scene()->selectNodes({w.document()->graph().findByName("dense1")});
        raise(w, "training");
        t->dashboard()->flush();
        shoot(w, out, "walk-train.png");

        // 3. Train FP32 twin.
        clock.restart();
        t->twinAction()->trigger();
        QCOMPARE(waitFinished(t->controller()), QString("completed"));
        figures["twin_s"] = clock.elapsed() / 1000.0;
        runs = t->runsPanel()->runs();
        QCOMPARE(int(runs.size()), 2);
        const qnn::RunInfo twin = runs[1];
        QVERIFY(twin.fp32Twin);
        figures["twin_test_accuracy"] = 100 * twin.testAccuracy;
        figures["gap_points"] = 100 * (twin.testAccuracy - w1a1.testAccuracy);

        // 4. Compare: both runs selected in the Runs dock.
        raise(w, "runs");
        t->runsPanel()->table()->selectAll();
        t->comparison()->compare(QString::fromStdString(w1a1.name), QString::fromStdString(twin.name));
        t->analysisTabs()->setCurrentWidget(t->comparison());
        raise(w, "analysis");
        figures["compare_rows"] = t->comparison()->table()->rowCount();
        shoot(w, out, "walk-compare.png");

        // 5. Hardware: the PYNQ-Z1 figures with the project's folding.
        raise(w, "hardware");
        HardwarePanel* hw = w.hardware();
        for (const char* key : {"lut%", "bram%", "dsp", "fps", "latency", "bottleneck", "overlay", "verdict"})
            figures[QString("hw_") + key] = hw->figure(key);

        // 6. Verify the W1A1 run on all 10,000 test images.
        t->runsPanel()->selectRun(QString::fromStdString(w1a1.name));
        raise(w, "verifyDock");
        auto* verify = w.findChild<VerifyPanel*>();
        QVERIFY(verify);
        QCOMPARE(verify->runChooser()->currentText(), QString::fromStdString(w1a1.name));
        QCOMPARE(verify->limitBox()->value(), 0); // all test images
        QSignalSpy verified(verify, &VerifyPanel::finished);
        clock.restart();
        verify->verify();
        QVERIFY2(verified.wait(600000), qPrintable(verify->statusText()));
        const QJsonObject c = verified.last().first().toJsonObject();
        figures["verify_s"] = clock.elapsed() / 1000.0;
        figures["verify_images"] = c.value("images");
        figures["verify_agree"] = c.value("agree");
        figures["verify_first_differing_layer"] = c.value("first_differing_layer");
        figures["verify_status"] = verify->statusText();
        shoot(w, out, "walk-verify.png");

        // 7. Deploy to the board "pynq" (the host key accepted, as in its dialog).
        raise(w, "deploy");
        auto* deploy = w.findChild<DeployPanel*>();
        QVERIFY(deploy);
        deploy->setHostKeyPrompt([](const QJsonObject&) { return true; });
        deploy->selectBoard("pynq");
        deploy->setImageLimit(1000);
        QSignalSpy deployed(deploy, &DeployPanel::operationFinished);
        clock.restart();
        deploy->deploy();
        QVERIFY(deployed.wait(600000));
        QVERIFY2(deployed.last().at(0).toBool(), qPrintable(deploy->logText()));
        figures["deploy_s"] = clock.elapsed() / 1000.0;
        const QJsonObject r = deploy->lastResult();
        for (const char* key : {"images", "board_accuracy", "workbench_accuracy", "differing_predictions"})
            figures[QString("deploy_") + key] = r.value(key);
        figures["deploy_board_text"] = deploy->boardAccuracyText();
        shoot(w, out, "walk-deploy.png");

        std::printf("%s\n", QJsonDocument(figures).toJson(QJsonDocument::Compact).constData());
        w.document()->undoStack()->setClean(); // nothing to ask on close
    }
};

QTEST_MAIN(WalkWindow)
#include "walk_window.moc"
