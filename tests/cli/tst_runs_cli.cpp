// qnnw train / runs / compare on a copy of the synthetic example: the runs
// list of the project, the FP32 twin, seed groups, the memory check, and a
// metrics file that cannot be rewritten.
#include "support/qnnw_runner.h"
#include "support/test_project.h"

#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>

#include <sys/resource.h>

namespace {

using qnn::test::readJsonObject;
using Result = qnn::test::QnnwRun;

Result qnnw(const QStringList& args) { return qnn::test::runQnnw(args); }

// The synthetic example copied into dir as p.qnnproj, so that its runs/ and runs list are the test's own.
QString copyExample(const QTemporaryDir& dir) { return qnn::test::copyExample(dir, "synthetic-digits-w1a1"); }

QJsonObject runsJson(const QString& project)
{
    const Result r = qnnw({"runs", project, "--json"});
    if (r.exitCode != 0)
        qWarning("%s", r.err.constData());
    return r.last("result");
}

const QStringList kShort{"--epochs", "2", "--train-limit", "1500", "--threads", "1", "--json"};

} // namespace

class TestRunsCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void trainRecordsTheRunThenTwinAndCompare()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw(QStringList{"train", project, "--progress"} + kShort);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.protocolError.isEmpty(), qPrintable(r.protocolError));
        const QList<QJsonObject> start = r.ofStep("start");
        QCOMPARE(start.size(), 1);
        const QString name = start[0]["name"].toString();
        QCOMPARE(start[0]["batches"].toInt(), 15);
        QVERIFY(!r.ofEvent("progress").isEmpty());
        QCOMPARE(r.ofEvent("progress").last()["done"].toInt(), 15); // the last batch of an epoch is always sent
        QCOMPARE(r.ofEvent("progress").last()["total"].toInt(), 15);
        QCOMPARE(r.ofEvent("progress").last()["step"].toString(), QString("train"));
        QCOMPARE(r.ofStep("epoch").size(), 2);
        QCOMPARE(r.events.last()["event"].toString(), QString("result"));
        const QJsonObject summary = r.last("result");
        QCOMPARE(summary["status"].toString(), QString("completed"));
        QCOMPARE(summary["name"].toString(), name);

        // The project's runs list holds it, and `qnnw runs` shows what summary.json says.
        QVERIFY(readJsonObject(project)["runs"].toArray().contains(name));
        QJsonObject runs = runsJson(project);
        QCOMPARE(runs["runs"].toArray().size(), 1);
        QJsonObject run = runs["runs"].toArray()[0].toObject();
        QCOMPARE(run["name"].toString(), name);
        QCOMPARE(run["status"].toString(), QString("completed"));
        QCOMPARE(run["precision"].toString(), QString("W1A1"));
        QCOMPARE(run["test_accuracy"].toDouble(), summary["test_accuracy"].toDouble());
        QCOMPARE(run["colour"].toString(), start[0]["colour"].toString());
        QVERIFY(run["listed"].toBool());

        // The FP32 twin: same topology, every bit-width 32, same seed and settings.
        const Result t = qnnw(QStringList{"train", project, "--fp32-twin"} + kShort);
        QVERIFY2(t.exitCode == 0, t.err.constData());
        const QJsonObject twinSummary = t.last("result");
        const QString twin = twinSummary["name"].toString();
        QVERIFY(twin.endsWith("-fp32"));
        const QJsonObject twinConfig = readJsonObject(dir.filePath("runs/" + twin + "/config.json"));
        QVERIFY(twinConfig["fp32_twin"].toBool());
        const QJsonObject qnnConfig = readJsonObject(dir.filePath("runs/" + name + "/config.json"));
        QCOMPARE(twinConfig["project"]["training"], qnnConfig["project"]["training"]);
        const QJsonArray nodes = twinConfig["project"]["graph"]["nodes"].toArray();
        QCOMPARE(nodes.size(), qnnConfig["project"]["graph"]["nodes"].toArray().size());
        QCOMPARE(twinConfig["project"]["graph"]["edges"], qnnConfig["project"]["graph"]["edges"]);
        for (const QJsonValue& n : nodes) {
            QVERIFY(n["weight_bits"].isUndefined() || n["weight_bits"].toInt() == 32);
            QVERIFY(n["act_bits"].isUndefined() || n["act_bits"].toInt() == 32);
        }
        runs = runsJson(project);
        QCOMPARE(runs["runs"].toArray().size(), 2);
        QCOMPARE(runs["runs"].toArray()[1].toObject()["precision"].toString(), QString("FP32"));
        QVERIFY(runs["runs"].toArray()[1].toObject()["colour"].toString() != run["colour"].toString());

        // compare --json: the figures of the two summaries.
        const Result c = qnnw({"compare", project, name, twin, "--json"});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        const QJsonObject table = c.last("result");
        const QJsonObject a = table["runs"].toArray()[0].toObject(), b = table["runs"].toArray()[1].toObject();
        QCOMPARE(a["test_accuracy"].toDouble(), summary["test_accuracy"].toDouble());
        QCOMPARE(b["test_accuracy"].toDouble(), twinSummary["test_accuracy"].toDouble());
        QCOMPARE(a["best_val_accuracy"].toDouble(), summary["best_val_accuracy"].toDouble());
        QCOMPARE(b["wall_s"].toDouble(), twinSummary["wall_s"].toDouble());
        QCOMPARE(a["params"].toInteger(), b["params"].toInteger());
        QVERIFY(a["weight_bits"].toInteger() * 8 < b["weight_bits"].toInteger());
        QVERIFY(a["compression"].toDouble() > 8);
        QCOMPARE(b["compression"].toDouble(), 1.0);
        QVERIFY(std::abs(table["accuracy_gap_points"].toDouble() -
                         100 * (summary["test_accuracy"].toDouble() - twinSummary["test_accuracy"].toDouble())) < 1e-9);
        QVERIFY(!table["graph_diff"].toArray().isEmpty());
        QVERIFY(!table["notes"].toArray().isEmpty());
        const Result text = qnnw({"compare", project, name, twin});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("accuracy gap"), text.out.constData());
    }

    void seedsMakeAGroupWithMeanAndStd()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw({"train", project, "--seeds", "3", "--seed", "7", "--epochs", "1", "--train-limit",
                               "1000", "--threads", "1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.ofEvent("result").size(), 3);
        const QJsonObject runs = runsJson(project);
        const QJsonArray list = runs["runs"].toArray();
        QCOMPARE(list.size(), 3);
        QList<double> acc;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject run = list[i].toObject();
            QCOMPARE(run["seed"].toInt(), 7 + i);
            QCOMPARE(run["seed_group"].toString(), list[0].toObject()["seed_group"].toString());
            acc << run["test_accuracy"].toDouble();
        }
        const double mean = (acc[0] + acc[1] + acc[2]) / 3;
        double sq = 0;
        for (double v : acc)
            sq += (v - mean) * (v - mean);
        const QJsonObject group = runs["seed_groups"].toArray()[0].toObject();
        QCOMPARE(group["runs"].toInt(), 3);
        QVERIFY(std::abs(group["test_accuracy_mean"].toDouble() - mean) < 1e-12);
        QVERIFY(std::abs(group["test_accuracy_std"].toDouble() - std::sqrt(sq / 2)) < 1e-12);
    }

    void aModelThatCannotFitIsRefusedWithASentence()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        QJsonObject p = readJsonObject(project);
        QJsonObject graph = p["graph"].toObject();
        QJsonArray nodes = graph["nodes"].toArray();
        for (int i = 0; i < nodes.size(); ++i) {
            QJsonObject n = nodes[i].toObject();
            // The hidden layers at the registry's largest width: 8.6 G parameters.
            QJsonObject attrs = n["attrs"].toObject();
            if (n["kind"].toString() == "Dense" && attrs["units"].toInt() != 10) {
                attrs["units"] = 65536;
                n["attrs"] = attrs;
            }
            nodes[i] = n;
        }
        graph["nodes"] = nodes;
        p["graph"] = graph;
        QFile f(project);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(p).toJson());
        f.close();
        const Result r = qnnw({"train", project, "--epochs", "1", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("training this graph needs about"), r.err.constData());
        QVERIFY2(r.err.contains("available"), r.err.constData());
        QCOMPARE(r.ofEvent("error").size(), 1);
        QVERIFY(!QFileInfo::exists(dir.filePath("runs")));
    }

    void metricsThatCannotBeRewrittenFailTheResume()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw({"train", project, "--epochs", "1", "--train-limit", "500", "--threads", "1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString name = r.last("result")["name"].toString();
        const QString runDir = dir.filePath("runs/" + name);
        // A folder where metrics.jsonl should be: the rewrite for the resume cannot replace it.
        QVERIFY(QFile::remove(runDir + "/metrics.jsonl"));
        QVERIFY(QDir().mkdir(runDir + "/metrics.jsonl"));
        const Result resumed = qnnw({"train", project, "--resume", name, "--epochs", "2", "--json"});
        QCOMPARE(resumed.exitCode, 1);
        const QJsonObject summary = readJsonObject(runDir + "/summary.json");
        QCOMPARE(summary["status"].toString(), QString("failed"));
        QVERIFY2(summary["error"].toString().contains("metrics could not be rewritten for the resume"),
                 qPrintable(summary["error"].toString()));
        QVERIFY2(resumed.err.contains("metrics could not be rewritten"), resumed.err.constData());
    }

    void sigtermStopsTheRunResumablyAndTheResumeCleansUp()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        QProcess train;
        train.start(QNNW_PATH, {"train", project, "--epochs", "50", "--train-limit", "500", "--threads", "1", "--json"});
        QByteArray out;
        // A scheduler's time limit: SIGTERM once the first epoch is recorded.
        while (!out.contains("\"step\":\"epoch\"") && train.waitForReadyRead(120000))
            out += train.readAllStandardOutput();
        QVERIFY2(out.contains("\"step\":\"epoch\""), out.constData());
        train.terminate();
        QVERIFY(train.waitForFinished(120000));
        out += train.readAllStandardOutput();
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        const QStringList runs = QDir(dir.filePath("runs")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(runs.size(), 1);
        const QString name = runs.first();
        const QString runDir = dir.filePath("runs/" + name);
        QCOMPARE(readJsonObject(runDir + "/summary.json")["status"].toString(), QString("stopped"));
        const QJsonObject listed = runsJson(project)["runs"].toArray().at(0).toObject();
        QCOMPARE(listed["status"].toString(), QString("stopped"));
        QVERIFY(listed["resumable"].toBool());

        // What a kill inside a checkpoint write leaves, and a hand-edited colour of the wrong type.
        QFile tmp(runDir + "/checkpoint.pt.tmp-AbC123");
        QVERIFY(tmp.open(QIODevice::WriteOnly));
        tmp.close();
        QJsonObject config = readJsonObject(runDir + "/config.json");
        config["colour"] = 5;
        QFile configFile(runDir + "/config.json");
        QVERIFY(configFile.open(QIODevice::WriteOnly | QIODevice::Truncate));
        configFile.write(QJsonDocument(config).toJson());
        configFile.close();
        const Result resumed = qnnw({"train", project, "--resume", name, "--epochs", "2", "--json"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY(!QFileInfo::exists(runDir + "/checkpoint.pt.tmp-AbC123"));
        QCOMPARE(readJsonObject(runDir + "/summary.json")["status"].toString(), QString("completed"));
    }

    void fullDiskEndsTheRunAsFailedWithItsReason()
    {
        // A file size limit of 64 KB stands in for a full volume: config.json,
        // the 4 KB summary.json and the first metrics lines fit, the first
        // checkpoint (3 MB) does not. The run used to stop with the reason on
        // stderr only, summary.json kept "running", and `qnnw runs` later
        // called it killed or crashed.
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        QProcess train;
        train.setChildProcessModifier([] {
            rlimit limit{};
            ::getrlimit(RLIMIT_FSIZE, &limit);
            limit.rlim_cur = 64 * 1024;
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        train.start(QNNW_PATH, {"train", project, "--epochs", "2", "--train-limit", "300", "--threads", "1", "--json"});
        QVERIFY(train.waitForFinished(180000));
        const QByteArray err = train.readAllStandardError();
        QCOMPARE(train.exitStatus(), QProcess::NormalExit); // not killed by SIGXFSZ
        QVERIFY2(train.exitCode() != 0, err.constData());
        const QStringList runs = QDir(dir.filePath("runs")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(runs.size(), 1);
        const QJsonObject summary = readJsonObject(dir.filePath("runs/" + runs.first() + "/summary.json"));
        QCOMPARE(summary["status"].toString(), QString("failed"));
        const QString reason = summary["error"].toString();
        QVERIFY2(reason.contains("checkpoint.pt") && reason.contains("File too large"), qPrintable(reason));

        const QJsonObject listed = runsJson(project)["runs"].toArray().at(0).toObject();
        QCOMPARE(listed["status"].toString(), QString("failed"));
        QCOMPARE(listed["error"].toString(), reason);
        const Result text = qnnw({"runs", project});
        QVERIFY2(text.out.contains("failed") && text.out.contains(reason.toUtf8()), text.out.constData());
        QVERIFY2(!text.out.contains("killed or crashed"), text.out.constData());
    }

    void unsafeRunNamesAreRefused()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw({"compare", project, "../../etc", "x", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("contains a '/'"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestRunsCli)
#include "tst_runs_cli.moc"
