// Sweeps through a real single-node Slurm (slurm-wlm and munge started by
// the fixture in a temporary folder): results equal to the local queue's,
// cancel, resubmit after one task was killed with scancel, a failing
// point's reason, and submission over SSH to a loopback sshd.
#include "tests/sweep/slurm_fixture.h"
#include "tests/sweep/sweep_test_support.h"

#include <QtTest>

#include <functional>
#include <memory>

using namespace sweeptest;

namespace {

// Polls until `done` or the time is up; QVERIFY the result afterwards.
bool waitFor(const std::function<bool()>& done, int seconds)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < seconds * 1000) {
        if (done())
            return true;
        QThread::msleep(250);
    }
    return done();
}

QString squeue(const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start("squeue", {"-h", "-r", "-o", "%i %T"});
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

int runCount(const QString& pointDir)
{
    return QDir(pointDir + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size();
}

} // namespace

class TestSweepSlurm : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SlurmFixture> m_slurm;

private Q_SLOTS:
    void initTestCase()
    {
        const QString missing = SlurmFixture::missing();
        if (!missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_slurm = std::make_unique<SlurmFixture>();
        QString error;
        QVERIFY2(m_slurm->start(error), qPrintable(error));
    }

    void cleanupTestCase() { m_slurm.reset(); }

    void slurmSweepEqualsLocal()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const QStringList grid = QStringList{"--grid", "precision=W1A1,W2A2", "--grid", "dense*.units=16,24,32"} +
                                 shortTraining();
        // The local sweep runs alongside the Slurm one: Slurm's waits (the
        // scheduler's interval, the polls) leave the cores to it.
        QProcess localSweep;
        localSweep.start(QNNW_PATH, QStringList{"sweep", project, "--name", "local", "--jobs", "1", "--json"} + grid);
        const Result slurm = qnnw(QStringList{"sweep", project, "--name", "slurm", "--backend", "slurm", "--wait",
                                              "--poll", "0.3", "--json"} +
                                      grid,
                                  m_slurm->env());
        QVERIFY(localSweep.waitForFinished(300000));
        const Result local{localSweep.exitCode(), localSweep.readAllStandardOutput(), localSweep.readAllStandardError()};
        QVERIFY2(local.exitCode == 0, local.err.constData());
        QVERIFY2(slurm.exitCode == 0, slurm.err.constData() + m_slurm->log("slurmctld.log").toUtf8());
        const QList<QJsonObject> lines = jsonLines(slurm.out);
        QCOMPARE(lines.first()["sweep"].toString(), dir.filePath("sweeps/slurm"));
        QVERIFY(!lastEvent(slurm.out, "step")["slurm_job"].toString().isEmpty());
        // One job array, one task per point.
        QFile script(dir.filePath("sweeps/slurm/slurm/job-1.sh"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains("#SBATCH --array=0-5\n"));

        const QMap<QString, QJsonObject> a = pointsById(lastEvent(local.out, "result"));
        const QMap<QString, QJsonObject> b = pointsById(lastEvent(slurm.out, "result"));
        QCOMPARE(b.size(), 6);
        for (const QString& id : a.keys()) {
            QCOMPARE(b[id]["state"].toString(), QString("completed"));
            QCOMPARE(b[id]["seed"].toInt(), a[id]["seed"].toInt());
            QCOMPARE(b[id]["test_accuracy"].toDouble(), a[id]["test_accuracy"].toDouble());
            QCOMPARE(b[id]["best_val_accuracy"].toDouble(), a[id]["best_val_accuracy"].toDouble());
            QCOMPARE(b[id]["hardware"].toObject()["lut"].toDouble(), a[id]["hardware"].toObject()["lut"].toDouble());
            // The run happened inside a Slurm task.
            const QJsonObject record = readJson(dir.filePath("sweeps/slurm/points/" + id + "/point.json"));
            QCOMPARE(record["slurm"].toObject()["array_task_id"].toString(), QString::number(b[id]["index"].toInt()));
        }
    }

    void cancelStopsEveryTask()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const QString sweep = dir.filePath("sweeps/c");
        const Result r = qnnw({"sweep", project, "--name", "c", "--backend", "slurm", "--max-running", "1", "--grid",
                               "lr=0.001,0.002,0.003", "--grid", "batch_size=2", "--epochs", "50", "--train-limit", "4000",
                               "--threads", "1"},
                              m_slurm->env());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("submitted Slurm job"));
        QVERIFY(waitFor([&] { return pointsById(status(sweep, m_slurm->env()))["p000"]["state"] == "running"; }, 60));
        QCOMPARE(pointsById(status(sweep, m_slurm->env()))["p002"]["state"].toString(), QString("queued"));
        const Result c = qnnw({"sweep", "cancel", sweep}, m_slurm->env());
        QVERIFY2(c.exitCode == 0, c.err.constData());
        QVERIFY(waitFor([&] { return squeue(m_slurm->env()).isEmpty(); }, 30));
        const QMap<QString, QJsonObject> pts = pointsById(status(sweep, m_slurm->env()));
        for (const QJsonObject& p : pts)
            QVERIFY2(p["state"] == "stopped",
                     qPrintable(p["id"].toString() + ": " + p["state"].toString() + ", " + p["reason"].toString() +
                                QJsonDocument(readJson(p["run"].toString() + "/summary.json")).toJson() +
                                QJsonDocument(readJson(sweep + "/points/p000/point.json")).toJson()));
        QVERIFY(pts["p000"]["epoch"].toInt() < 50);
    }

    void resubmitAfterScancelResumesOnlyThatPoint()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const QString sweep = dir.filePath("sweeps/r");
        const Result r = qnnw({"sweep", project, "--name", "r", "--backend", "slurm", "--max-running", "1", "--grid",
                               "batch_size=2,100", "--epochs", "2", "--train-limit", "3000",
                               "--threads", "1", "--json"},
                              m_slurm->env());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString job = lastEvent(r.out, "step")["slurm_job"].toString();
        // Kill the first task once it has a checkpoint (an epoch done).
        QVERIFY(waitFor([&] { return pointsById(status(sweep, m_slurm->env()))["p000"]["epoch"].toInt() >= 1; },
                        60));
        QProcess scancel;
        scancel.setProcessEnvironment(m_slurm->env());
        scancel.start("scancel", {job + "_0"});
        QVERIFY(scancel.waitForFinished(10000));
        QVERIFY(waitFor([&] { return squeue(m_slurm->env()).isEmpty(); }, 90));
        QMap<QString, QJsonObject> pts = pointsById(status(sweep, m_slurm->env()));
        QVERIFY2(pts["p000"]["state"] == "stopped" || pts["p000"]["state"] == "failed",
                 qPrintable(pts["p000"]["state"].toString()));
        QCOMPARE(pts["p000"]["epoch"].toInt(), 1);
        QCOMPARE(pts["p001"]["state"].toString(), QString("completed"));
        const QString p1run = pts["p001"]["run"].toString();

        const Result re = qnnw({"sweep", "resubmit", sweep, "--wait", "--poll", "0.3", "--json"}, m_slurm->env());
        QVERIFY2(re.exitCode == 0, re.err.constData() + re.out);
        QCOMPARE(jsonLines(re.out).first()["to_run"].toArray(), QJsonArray{0});
        pts = pointsById(lastEvent(re.out, "result"));
        for (const QJsonObject& p : pts)
            QCOMPARE(p["state"].toString(), QString("completed"));
        // The killed point resumed in its own run folder from its checkpoint;
        // the others were not run again.
        QCOMPARE(runCount(sweep + "/points/p000"), 1);
        QVERIFY(readJson(sweep + "/points/p000/point.json")["resumed"].toBool());
        QCOMPARE(pts["p000"]["epoch"].toInt(), 2);
        QCOMPARE(pts["p001"]["run"].toString(), p1run);
        QCOMPARE(runCount(sweep + "/points/p001"), 1);
    }

    void failingPointShowsItsReason()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw(QStringList{"sweep", project, "--name", "f", "--backend", "slurm", "--wait", "--poll",
                                          "0.3", "--grid", "optimizer=rmsprop", "--json"} +
                                  shortTraining(),
                              m_slurm->env());
        QCOMPARE(r.exitCode, 1);
        const QJsonObject p = pointsById(lastEvent(r.out, "result"))["p000"];
        QCOMPARE(p["state"].toString(), QString("failed"));
        QVERIFY2(p["reason"].toString().contains("'rmsprop' is not known"), qPrintable(p["reason"].toString()));
        // The task's own log has the same sentence.
        QFile log(dir.filePath("sweeps/f/points/p000/point.json"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("rmsprop"));
    }

    void submitOverSsh()
    {
        SshdFixture sshd;
        QString error;
        QVERIFY2(sshd.start(error), qPrintable(error));
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const QString user = QString::fromLocal8Bit(::getpwuid(::geteuid())->pw_name);
        const QStringList via{"--via", user + "@127.0.0.1", "--port", QString::number(sshd.port()), "--key",
                              sshd.path("client_key"), "--known-hosts", sshd.path("known_hosts"),
                              "--accept-new-host-key", "--remote-qnnw",
                              "env SLURM_CONF=" + m_slurm->confPath() + " " + QNNW_PATH};
        // This end has no Slurm at all: every command runs on the "login node".
        QProcessEnvironment bare = QProcessEnvironment::systemEnvironment();
        bare.remove("SLURM_CONF");
        const Result r = qnnw(QStringList{"sweep", project, "--name", "ssh", "--grid", "lr=0.001,0.002", "--wait",
                                          "--poll", "0.3", "--json"} +
                                  shortTraining() + via,
                              bare);
        QVERIFY2(r.exitCode == 0, r.err.constData() + sshd.log().toUtf8());
        QCOMPARE(jsonLines(r.out).first()["sweep"].toString(), dir.filePath("sweeps/ssh"));
        const QJsonObject result = lastEvent(r.out, "result");
        QCOMPARE(result["counts"].toObject()["completed"].toInt(), 2);
        QCOMPARE(readJson(dir.filePath("sweeps/ssh/backend.json"))["backend"].toString(), QString("slurm"));
        // Status over SSH too.
        const Result s = qnnw(QStringList{"sweep", "status", dir.filePath("sweeps/ssh")} + via, bare);
        QVERIFY2(s.exitCode == 0, s.err.constData());
        QCOMPARE(QJsonDocument::fromJson(s.out).object()["counts"].toObject()["completed"].toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSweepSlurm)
#include "tst_sweep_slurm.moc"
