// Runs the built qnnw on the example projects and on broken files.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

namespace {

struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result qnnw(const QStringList& args)
{
    QProcess p;
    p.start(QNNW_PATH, args);
    if (!p.waitForFinished(60000))
        qFatal("qnnw did not finish");
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QList<QJsonObject> jsonLines(const QByteArray& text)
{
    QList<QJsonObject> out;
    for (const QByteArray& line : text.split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

// The one run folder under dir.
QString onlyRun(const QTemporaryDir& dir)
{
    const QStringList runs = QDir(dir.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    return runs.size() == 1 ? dir.filePath(runs.first()) : QString();
}

QString example(const char* name) { return QStringLiteral(QNN_SOURCE_DIR "/projects/") + name + ".qnnproj"; }

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write test file");
    f.write(bytes);
    return path;
}

// A graph with a shape error (Dense on an image) and a dangling Add input.
const char* kBroken = R"({"format": "qnn-workbench-project", "version": 1, "name": "broken",
  "graph": {"nodes": [
      {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [1, 28, 28]}},
      {"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 1},
      {"id": 3, "kind": "Add", "name": "sum"},
      {"id": 4, "kind": "Output", "name": "out"}],
    "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}]}})";

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryJsonOfLfc();
    void summaryJsonOfTfcAndFp32();
    void summaryTableHasEveryLayer();
    void checkPassesOnEveryExample();
    void checkReportsEveryDiagnostic();
    void checkJson();
    void malformedFileIsASentence();
    void usageErrors();
    void trainSyntheticThenEval();
    void interruptThenResumeEqualsUnbrokenRun();
    void missingDatasetSaysWhereToPutIt();
};

void TestCli::summaryJsonOfLfc()
{
    const Result r = qnnw({"summary", example("lfc-w1a1-mnist"), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    const QJsonObject totals = j["totals"].toObject();
    const qint64 macs = 784LL * 1024 + 2LL * 1024 * 1024 + 1024LL * 10;
    const qint64 bn = 2LL * (3 * 1024 + 10);
    QCOMPARE(totals["macs"].toInteger(), macs);
    QCOMPARE(totals["bops"].toInteger(), macs);
    QCOMPARE(totals["params"].toInteger(), macs + bn);
    QCOMPARE(totals["weight_bits"].toInteger(), macs + 32 * bn);
    QCOMPARE(totals["compression"].toDouble(), double(32 * (macs + bn)) / double(macs + 32 * bn));
    const QJsonArray layers = j["layers"].toArray();
    QCOMPARE(layers.size(), 13);
    const QJsonObject dense1 = layers[1].toObject();
    QCOMPARE(dense1["name"].toString(), QString("dense1"));
    QCOMPARE(dense1["kind"].toString(), QString("Dense"));
    QCOMPARE(dense1["output_shape"].toArray(), QJsonArray({1024}));
    QCOMPARE(dense1["weight_bits"].toInt(), 1);
    QCOMPARE(dense1["act_bits"].toInt(), 1);
    QCOMPARE(dense1["params"].toInteger(), 784LL * 1024);
    QCOMPARE(dense1["weight_memory_bytes"].toInteger(), 784LL * 1024 / 8);
}

void TestCli::summaryJsonOfTfcAndFp32()
{
    Result r = qnnw({"summary", example("tfc-w1a1-mnist"), "--json"});
    QCOMPARE(r.exitCode, 0);
    QJsonObject totals = QJsonDocument::fromJson(r.out).object()["totals"].toObject();
    QCOMPARE(totals["macs"].toInteger(), 784LL * 64 + 64 * 64 * 2 + 64 * 10);

    r = qnnw({"summary", example("lfc-fp32-mnist"), "--json"});
    QCOMPARE(r.exitCode, 0);
    totals = QJsonDocument::fromJson(r.out).object()["totals"].toObject();
    QCOMPARE(totals["compression"].toDouble(), 1.0);
    QCOMPARE(totals["bops"].toInteger(), totals["macs"].toInteger() * 32 * 32);
}

void TestCli::summaryTableHasEveryLayer()
{
    const Result r = qnnw({"summary", example("cnv-w1a1-cifar10")});
    QCOMPARE(r.exitCode, 0);
    const QString text = QString::fromUtf8(r.out);
    for (const char* name : {"conv1", "pool2", "conv6", "flatten", "dense9", "output"})
        QVERIFY2(text.contains(QString("\n") + name + " "), name);
    QVERIFY(text.contains("64×30×30"));
    QVERIFY(text.contains("compression"));
}

void TestCli::checkPassesOnEveryExample()
{
    const QDir dir(QNN_SOURCE_DIR "/projects");
    const QStringList files = dir.entryList({"*.qnnproj"}, QDir::Files);
    QCOMPARE(files.size(), 10);
    for (const QString& f : files) {
        const Result r = qnnw({"check", dir.filePath(f)});
        QVERIFY2(r.exitCode == 0, r.out.constData());
        QVERIFY(r.out.endsWith(": 0 errors, 0 warnings\n"));
    }
}

void TestCli::checkReportsEveryDiagnostic()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, "broken.qnnproj", kBroken);
    const Result r = qnnw({"check", path});
    QCOMPARE(r.exitCode, 1);
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(text.contains("fc: error: 'fc': Dense needs a flat input but gets 1×28×28; insert a Flatten before it"),
             qPrintable(text));
    QVERIFY2(text.contains("sum: error: input 2 of 'sum' is not connected"), qPrintable(text));
    QVERIFY2(text.endsWith("broken.qnnproj: 2 errors, 0 warnings\n"), qPrintable(text));
    // summary still prints what it can, and says the graph has errors
    const Result s = qnnw({"summary", path});
    QCOMPARE(s.exitCode, 1);
    QVERIFY(s.out.contains("the graph has errors"));
}

void TestCli::checkJson()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, "broken.qnnproj", kBroken);
    const Result r = qnnw({"check", path, "--json"});
    QCOMPARE(r.exitCode, 1);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["errors"].toInt(), 2);
    const QJsonArray list = j["diagnostics"].toArray();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].toObject()["node"].toInt(), 3);
    QCOMPARE(list[0].toObject()["severity"].toString(), QString("error"));
    QCOMPARE(list[0].toObject()["category"].toString(), QString("structure"));
    QCOMPARE(list[1].toObject()["node"].toInt(), 2);
    QCOMPARE(list[1].toObject()["category"].toString(), QString("shape"));
}

void TestCli::malformedFileIsASentence()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, "bad.qnnproj", "{\"format\": \"qnn-workbench-project\",\n \"version\": 1,\n}");
    for (const char* cmd : {"summary", "check"}) {
        const Result r = qnnw({cmd, path});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("qnnw: " + path.toUtf8() + ": not valid JSON at line 3, column 1"), r.err);
        QVERIFY(r.out.isEmpty());
    }
    const Result missing = qnnw({"check", dir.filePath("nope.qnnproj")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("nope.qnnproj: No such file or directory"), missing.err);
}

void TestCli::usageErrors()
{
    QCOMPARE(qnnw({}).exitCode, 2);
    QCOMPARE(qnnw({"frobnicate"}).exitCode, 2);
    QCOMPARE(qnnw({"summary"}).exitCode, 2);
    const Result r = qnnw({"summary", example("lfc-w1a1-mnist"), "--jsn"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("not expected: --jsn"), r.err.constData());
    const Result unknown = qnnw({"frobnicate"});
    QVERIFY2(unknown.err.contains("unknown command 'frobnicate'"), unknown.err.constData());
    const Result badValue = qnnw({"train", example("lfc-w1a1-mnist"), "--epochs", "zero"});
    QCOMPARE(badValue.exitCode, 2);
    QVERIFY2(badValue.err.contains("--epochs"), badValue.err.constData());
    const Result help = qnnw({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("summary"));
    const Result trainHelp = qnnw({"train", "--help"});
    QCOMPARE(trainHelp.exitCode, 0);
    QVERIFY(trainHelp.out.contains("--batch-size"));
}

void TestCli::trainSyntheticThenEval()
{
    QTemporaryDir out;
    const Result r = qnnw({"train", example("synthetic-digits-w1a1"), "--epochs", "2", "--seed", "5", "--out",
                           out.path(), "--json", "--threads", "1"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QJsonObject> lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 3); // two epochs, then the summary
    QCOMPARE(lines[0]["type"].toString(), QString("epoch"));
    QCOMPARE(lines[1]["epoch"].toInt(), 2);
    QVERIFY(lines[1]["images_per_s"].toDouble() > 0);
    const QJsonObject last = lines[2];
    QCOMPARE(last["type"].toString(), QString("summary"));
    QCOMPARE(last["status"].toString(), QString("completed"));

    const QString run = onlyRun(out);
    QVERIFY(!run.isEmpty());
    for (const char* file : {"config.json", "metrics.jsonl", "checkpoint.pt", "summary.json"})
        QVERIFY2(QFile::exists(run + "/" + file), file);
    const QJsonObject summary = readJson(run + "/summary.json");
    QCOMPARE(summary["status"].toString(), QString("completed"));
    const double testAccuracy = summary["test_accuracy"].toDouble();
    QVERIFY2(testAccuracy > 0.5, "ten classes: chance is 0.1, a working trainer is far above it");
    QVERIFY(testAccuracy <= 1.0);
    QCOMPARE(summary["best_val_accuracy"].toDouble(), std::max(lines[0]["val_accuracy"].toDouble(),
                                                              lines[1]["val_accuracy"].toDouble()));
    const QJsonArray confusion = summary["confusion_matrix"].toArray();
    QCOMPARE(confusion.size(), 10);
    qint64 total = 0, diagonal = 0;
    for (int i = 0; i < confusion.size(); ++i)
        for (int j = 0; j < 10; ++j) {
            total += confusion[i].toArray()[j].toInteger();
            diagonal += i == j ? confusion[i].toArray()[j].toInteger() : 0;
        }
    QCOMPARE(double(diagonal) / double(total), testAccuracy);

    // eval of the finished run gives the accuracy the run recorded
    const Result e = qnnw({"eval", example("synthetic-digits-w1a1"), "--run", run, "--json"});
    QVERIFY2(e.exitCode == 0, e.err.constData());
    const QJsonObject ej = QJsonDocument::fromJson(e.out).object();
    QCOMPARE(ej["test_accuracy"].toDouble(), testAccuracy);
    QCOMPARE(ej["images"].toInteger(), total);
    const Result text = qnnw({"eval", example("synthetic-digits-w1a1"), "--run", run});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.startsWith("test accuracy " + QByteArray::number(100 * testAccuracy, 'f', 2) + "%"));
}

void TestCli::interruptThenResumeEqualsUnbrokenRun()
{
    const QStringList common{"--epochs", "5", "--seed", "11", "--threads", "1", "--json"};
    QTemporaryDir unbrokenDir, brokenDir;
    const Result unbroken = qnnw(QStringList{"train", example("synthetic-digits-w1a1"), "--out", unbrokenDir.path()} +
                                 common);
    QVERIFY2(unbroken.exitCode == 0, unbroken.err.constData());

    // Ctrl-C as soon as the first epoch is reported: the run stops after the current batch.
    QProcess p;
    p.start(QNNW_PATH, QStringList{"train", example("synthetic-digits-w1a1"), "--out", brokenDir.path()} + common);
    QVERIFY(p.waitForStarted());
    while (!p.canReadLine())
        QVERIFY2(p.waitForReadyRead(60000), "no epoch line");
    ::kill(p.processId(), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    const QString run = onlyRun(brokenDir);
    QVERIFY(!run.isEmpty());
    const QJsonObject stopped = readJson(run + "/summary.json");
    QCOMPARE(stopped["status"].toString(), QString("stopped"));
    QVERIFY(stopped["epochs_done"].toInt() < 5);
    QVERIFY(p.readAllStandardError().contains("stopping after this batch"));

    const Result resumed = qnnw({"train", example("synthetic-digits-w1a1"), "--resume", run, "--json"});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    const QJsonObject a = jsonLines(unbroken.out).last();
    const QJsonObject b = jsonLines(resumed.out).last();
    QCOMPARE(b["status"].toString(), QString("completed"));
    QCOMPARE(b["epochs_done"].toInt(), 5);
    QCOMPARE(b["test_accuracy"].toDouble(), a["test_accuracy"].toDouble());
    QCOMPARE(b["best_val_accuracy"].toDouble(), a["best_val_accuracy"].toDouble());
    QCOMPARE(b["confusion_matrix"].toArray(), a["confusion_matrix"].toArray());
    // the last epoch's loss, to the bit
    const QJsonObject lastA = jsonLines(unbroken.out)[4], lastB = jsonLines(resumed.out).at(jsonLines(resumed.out).size() - 2);
    QCOMPARE(lastB["epoch"].toInt(), 5);
    QCOMPARE(lastB["train_loss"].toDouble(), lastA["train_loss"].toDouble());
}

void TestCli::missingDatasetSaysWhereToPutIt()
{
    QTemporaryDir empty;
    const Result r = qnnw({"train", example("lfc-w1a1-mnist"), "--data", empty.path(), "--epochs", "1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("dataset 'mnist' not found in " + empty.path().toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains("train-images-idx3-ubyte.gz"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
