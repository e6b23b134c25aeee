// Runs the built qnnw on the example projects and on broken files.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

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
    QCOMPARE(files.size(), 8);
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
    QVERIFY(r.err.contains("unknown option --jsn"));
    const Result help = qnnw({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("summary PROJECT"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
