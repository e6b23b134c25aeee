// The Deploy dock, offscreen, deploying through real `qnnw deploy --json`
// child processes to a real sshd on 127.0.0.1.
#include "support/trained_lfc.h"
#include "support/sshd_fixture.h"

#include "core/deploy/board_config.h"
#include "widgets/deploy/deploy_panel.h"
#include "widgets/editor/graph_document.h"

#include <QApplication>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

using namespace qnn::deploy;

class TestDeployPanel : public QObject
{
    Q_OBJECT

private:
    SshdFixture m_sshd;
    QTemporaryDir m_work;
    QString m_projectDir;
    QString m_run;

    QString currentTarget() const { return QFileInfo(m_sshd.path("board/current")).symLinkTarget(); }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_sshd.start(error), qPrintable(error));
        QVERIFY2(installStandInBnn(m_sshd, error), qPrintable(error));
        QVERIFY2(trainLfc(m_work.path() + "/lfc", m_projectDir, m_run, error), qPrintable(error));
        // qnnw children read the same boards.json as the panel.
        qputenv("XDG_CONFIG_HOME", (m_work.path() + "/config").toUtf8());
        qputenv("QNNW", QNNW_PATH);
        BoardStore store;
        BoardConfig b = m_sshd.loopbackBoard("loopback");
        b.knownHosts = m_sshd.path("known_hosts").toStdString();
        store.put(b);
        std::string why;
        QVERIFY(store.save(why));
    }

    void boardsFileErrorIsSaid()
    {
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(m_projectDir + "/lfc.qnnproj", &error), qPrintable(error));
        DeployPanel panel(&document);
        panel.selectBoard("loopback");
        const QString path = m_work.path() + "/config/qnn-workbench/boards.json";
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray good = file.readAll();
        file.close();
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\"boards\": [");
        file.close();
        panel.deploy();
        QVERIFY(!panel.isBusy());
        QVERIFY2(panel.logText().contains("error: " + path + ": not valid JSON"), qPrintable(panel.logText()));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(good);
        file.close();
    }

    void boardTestRetriesWithTheApprovedKeyOnly()
    {
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(m_projectDir + "/lfc.qnnproj", &error), qPrintable(error));
        DeployPanel panel(&document);
        QFile::remove(m_sshd.path("known_hosts"));
        QStringList approved;
        bool changeKey = false;
        panel.setHostKeyPrompt([&](const QJsonObject& p) {
            approved << p.value("fingerprint").toString();
            QString why;
            if (changeKey && !m_sshd.changeHostKey(why))
                qWarning("%s", qPrintable(why));
            return true;
        });
        panel.selectBoard("loopback");
        QSignalSpy finished(&panel, &DeployPanel::operationFinished);

        // Approved, then the retry passes that fingerprint and the test goes through.
        panel.testBoard();
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(panel.logText()));
        const QString presented = SshdFixture::fingerprint(m_sshd.path("host_key.pub"));
        QCOMPARE(approved, QStringList{presented});
        QVERIFY2(panel.logText().contains("host key " + presented + " accepted; trying again"),
                 qPrintable(panel.logText()));
        QVERIFY2(panel.logText().contains("reachable at") && panel.logText().contains("  host key " + presented),
                 qPrintable(panel.logText()));
        QCOMPARE(SshdFixture::fingerprint(m_sshd.path("known_hosts")), presented); // the approved key, remembered

        // The key changes between the approval and the retry: refused, nothing remembered.
        QFile::remove(m_sshd.path("known_hosts"));
        approved.clear();
        changeKey = true;
        panel.testBoard();
        QVERIFY(finished.wait(60000));
        QVERIFY(!finished.last().at(0).toBool());
        QCOMPARE(approved.size(), 1);
        QVERIFY(SshdFixture::fingerprint(m_sshd.path("host_key.pub")) != approved.first());
        QVERIFY2(panel.logText().contains("not the key you approved (" + approved.first() + ")"),
                 qPrintable(panel.logText()));
        QVERIFY(!QFileInfo::exists(m_sshd.path("known_hosts")));
    }

    void approvedHostKeyIsPinnedAcrossTheRetry()
    {
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(m_projectDir + "/lfc.qnnproj", &error), qPrintable(error));
        DeployPanel panel(&document);
        QStringList approved;
        panel.setHostKeyPrompt([&](const QJsonObject& p) {
            approved << p.value("fingerprint").toString();
            // The board's key changes between the approval and the retry.
            QString why;
            if (!m_sshd.changeHostKey(why))
                qWarning("%s", qPrintable(why));
            return true;
        });
        panel.selectBoard("loopback");
        panel.setImageLimit(100);
        QSignalSpy finished(&panel, &DeployPanel::operationFinished);
        panel.deploy();
        QVERIFY(finished.wait(120000));
        QVERIFY(!finished.last().at(0).toBool());
        QCOMPARE(approved.size(), 1);
        QVERIFY2(panel.logText().contains("not the key you approved (" + approved.first() + ")"),
                 qPrintable(panel.logText()));
        QVERIFY(!QFileInfo::exists(m_sshd.path("known_hosts")));
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments")) || QDir(m_sshd.path("board/deployments")).isEmpty());
    }

    void deployAsksForTheHostKeyThenShowsResults()
    {
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(m_projectDir + "/lfc.qnnproj", &error), qPrintable(error));
        DeployPanel panel(&document);
        panel.resize(560, 760);
        panel.show();
        QStringList asked;
        panel.setHostKeyPrompt([&](const QJsonObject& p) {
            asked << p.value("fingerprint").toString();
            return true;
        });
        panel.selectBoard("loopback");
        panel.setImageLimit(1000);
        QSignalSpy finished(&panel, &DeployPanel::operationFinished);
        panel.deploy();
        QVERIFY(panel.isBusy());
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(panel.logText()));
        QCOMPARE(asked, QStringList{SshdFixture::fingerprint(m_sshd.path("host_key.pub"))});
        const QJsonObject r = panel.lastResult();
        QCOMPARE(r.value("images").toInt(), 1000);
        QCOMPARE(r.value("board_accuracy").toDouble(), r.value("workbench_accuracy").toDouble());
        QCOMPARE(r.value("differing_predictions").toInt(), 0);
        QVERIFY2(panel.boardAccuracyText().contains("on 1000 images"), qPrintable(panel.boardAccuracyText()));
        QCOMPARE(panel.backendText(), QString("FPGA overlay (lfcW1A1)"));
        for (const char* step : {"pack:", "connect:", "upload:", "verify:", "switch:", "run:"})
            QVERIFY2(panel.logText().contains(step), step);
        auto* boards = panel.findChild<QTreeWidget*>();
        QVERIFY(boards->topLevelItem(0)->text(3).contains(m_run));
        QVERIFY(currentTarget().contains(m_run));
        if (const QString dir = qEnvironmentVariable("QNN_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(panel.grab().save(dir + "/deploy-panel.png"));

        // Cancel right away: the deploy stops, `current` stays where it was.
        const QString before = currentTarget();
        panel.deploy();
        QTest::qWait(300);
        panel.cancel();
        QVERIFY(finished.wait(60000));
        QVERIFY(!finished.last().at(0).toBool());
        QCOMPARE(currentTarget(), before);
        QVERIFY(!panel.isBusy());
        // A failed deploy shows no board result: not the previous deploy's under "failed".
        QCOMPARE(panel.boardAccuracyText(), QString("–"));
    }

    void boardWithoutBnnRunsOnItsCpu()
    {
        // The same network on a board without the bnn package: the qnn-run that went along runs it.
        QVERIFY(QDir(m_sshd.path("site/bnn")).removeRecursively());
        GraphDocument document;
        QString error;
        QVERIFY2(document.load(m_projectDir + "/lfc.qnnproj", &error), qPrintable(error));
        DeployPanel panel(&document);
        panel.resize(560, 760);
        panel.setHostKeyPrompt([](const QJsonObject&) { return true; });
        panel.selectBoard("loopback");
        panel.setImageLimit(500);
        QSignalSpy finished(&panel, &DeployPanel::operationFinished);
        panel.deploy();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(panel.logText()));
        QCOMPARE(panel.backendText(), QString("CPU (qnn-run, x86_64)"));
        QCOMPARE(panel.lastResult().value("differing_predictions").toInt(), 0);
        QVERIFY2(panel.logText().contains("connect: the board's CPU is x86_64: qnn-run for x86_64 goes along"),
                 qPrintable(panel.logText()));
        if (const QString dir = qEnvironmentVariable("QNN_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(panel.grab().save(dir + "/deploy-panel-cpu.png"));
    }

    void cleanupTestCase() { m_sshd.stop(); }
};

QTEST_MAIN(TestDeployPanel)
#include "tst_deploy_panel.moc"
