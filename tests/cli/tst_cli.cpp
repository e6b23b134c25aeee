// Runs the built qnnw on the example projects and on broken files.
#include "support/qnnw_runner.h"
#include "support/test_project.h"

#include <QtTest>

#include <sys/stat.h>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <csignal>

namespace {

using qnn::test::exampleProject;
using qnn::test::readJsonObject;
using qnn::test::writeFile;
using Result = qnn::test::QnnwRun;

Result qnnw(const QStringList& args) { return qnn::test::runQnnw(args, 60000); }

QString example(const char* name) { return exampleProject(name); }

// A graph with a shape error (Dense on an image) and a dangling Add input.
const char* kBroken = R"({"format": "qnn-workbench-project", "version": 1, "name": "broken",
  "graph": {"nodes": [
      {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [1, 28, 28]}, "act_bits": 32},
      {"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10, "bias": false}, "weight_bits": 1},
      {"id": 3, "kind": "Add", "name": "sum"},
      {"id": 4, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
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
    void checkNamesTheDefaultsAFileLeftOut();
    void usageErrors();
    void trainSyntheticThenEval();
    void interruptThenResumeEqualsUnbrokenRun();
    void missingDatasetSaysWhereToPutIt();
    void hostileInputsAreSentences();
    void everyJsonCommandSpeaksTheProtocol();
    void scriptDrivesQnnw();
};

void TestCli::summaryJsonOfLfc()
{
    const Result r = qnnw({"summary", example("lfc-w1a1-mnist"), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject j = r.last("result");
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
    QJsonObject totals = r.last("result")["totals"].toObject();
    QCOMPARE(totals["macs"].toInteger(), 784LL * 64 + 64 * 64 * 2 + 64 * 10);

    r = qnnw({"summary", example("lfc-fp32-mnist"), "--json"});
    QCOMPARE(r.exitCode, 0);
    totals = r.last("result")["totals"].toObject();
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
    const QJsonObject j = r.last("result");
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

    // An old or hand-edited project without a Dense's weight_bits: checked
    // as 32-bit float weights with "0 errors" before; now a sentence naming
    // the node and the key.
    QFile lfc(example("lfc-w1a1-mnist"));
    QVERIFY(lfc.open(QIODevice::ReadOnly));
    QJsonObject project = QJsonDocument::fromJson(lfc.readAll()).object();
    QJsonObject graph = project["graph"].toObject();
    QJsonArray nodes = graph["nodes"].toArray();
    int dense = -1;
    QString name;
    for (int i = 0; i < nodes.size() && dense < 0; ++i)
        if (nodes[i].toObject()["kind"].toString() == "Dense") {
            QJsonObject n = nodes[i].toObject();
            name = n["name"].toString();
            n.remove("weight_bits");
            nodes[i] = n;
            dense = i;
        }
    QVERIFY(dense >= 0);
    graph["nodes"] = nodes;
    project["graph"] = graph;
    const QString old = writeFile(dir, "old.qnnproj", QJsonDocument(project).toJson());
    const Result check = qnnw({"check", old});
    QCOMPARE(check.exitCode, 1);
    QVERIFY2(check.err.contains(QString("old.qnnproj: graph.nodes[%1] (Dense \"%2\"): a Dense needs \"weight_bits\"")
                                    .arg(dense)
                                    .arg(name)
                                    .toUtf8()),
             check.err);
}

void TestCli::checkNamesTheDefaultsAFileLeftOut()
{
    // A hand-written project without a Dense's "bias": it loads with a bias, as
    // before, but neither `check` nor `train` keeps quiet about it.
    QTemporaryDir dir;
    QFile file(example("synthetic-digits-w1a1"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject project = QJsonDocument::fromJson(file.readAll()).object();
    QJsonObject graph = project["graph"].toObject();
    QJsonArray nodes = graph["nodes"].toArray();
    QString name;
    for (int i = 0; i < nodes.size() && name.isEmpty(); ++i)
        if (nodes[i].toObject()["kind"].toString() == "Dense") {
            QJsonObject n = nodes[i].toObject();
            QJsonObject attrs = n["attrs"].toObject();
            QCOMPARE(attrs["bias"].toBool(true), false);
            attrs.remove("bias");
            n["attrs"] = attrs;
            nodes[i] = n;
            name = n["name"].toString();
        }
    QVERIFY(!name.isEmpty());
    graph["nodes"] = nodes;
    project["graph"] = graph;
    const QString path = writeFile(dir, "nobias.qnnproj", QJsonDocument(project).toJson());
    const QString note = name + ": warning: the file gives no \"bias\", so true is used";
    const Result r = qnnw({"check", path});
    QCOMPARE(r.exitCode, 0);
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(text.startsWith(note), qPrintable(text));
    QVERIFY2(text.endsWith("nobias.qnnproj: 0 errors, 1 warning\n"), qPrintable(text));
    const Result j = qnnw({"check", path, "--json"});
    const QJsonObject first = j.last("result")["diagnostics"].toArray()[0].toObject();
    QCOMPARE(first["name"].toString(), name);
    QCOMPARE(first["severity"].toString(), QString("warning"));
    QCOMPARE(first["category"].toString(), QString("attribute"));

    // A run trains with the default, so the terminal says so before it starts.
    const Result t = qnnw({"train", path, "--epochs", "1", "--train-limit", "200", "--threads", "1", "--out",
                           dir.filePath("runs")});
    QVERIFY2(t.exitCode == 0, t.err.constData());
    const QString err = QString::fromUtf8(t.err);
    QVERIFY2(err.startsWith("qnnw: " + note), qPrintable(err));
    // The original file left nothing out: no such line.
    const Result clean = qnnw({"train", example("synthetic-digits-w1a1"), "--epochs", "1", "--train-limit", "200",
                               "--threads", "1", "--out", dir.filePath("runs")});
    QVERIFY2(clean.exitCode == 0, clean.err.constData());
    QVERIFY2(!clean.err.contains("warning"), clean.err.constData());
}

void TestCli::hostileInputsAreSentences()
{
    QTemporaryDir dir;
    // import-packed never replaces a project unasked (import wants --force too).
    const QString existing = writeFile(dir, "mine.qnnproj", "{\"precious\": true}");
    const Result overwrite = qnnw({"import-packed", dir.filePath("no-such-params"), "--out", existing});
    QCOMPARE(overwrite.exitCode, 1);
    QVERIFY2(overwrite.err.contains("mine.qnnproj exists; choose another project file or pass --force"), overwrite.err);
    QFile f(existing);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("{\"precious\": true}"));
    // A number no double holds: a sentence with the file, not "internal error".
    const QString huge = writeFile(dir, "huge.qnnproj",
                                   "{\"format\": \"qnn-workbench-project\", \"version\": 1e400, \"graph\": {}}");
    const Result r = qnnw({"check", huge});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("qnnw: " + huge.toUtf8() + ": not valid JSON") && r.err.contains("too large"), r.err);
    QVERIFY(!r.err.contains("internal error"));
    // Devices and FIFOs are refused at once instead of read for ever.
    const QString fifo = dir.filePath("fifo.qnnproj");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    for (const QString& path : {QString("/dev/zero"), fifo}) {
        const Result d = qnnw({"check", path});
        QCOMPARE(d.exitCode, 1);
        QVERIFY2(d.err.contains("it is not a regular file"), d.err);
    }
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
    QVERIFY2(r.protocolError.isEmpty(), qPrintable(r.protocolError));
    const QList<QJsonObject> lines = r.events;
    QCOMPARE(lines.size(), 3); // two epochs, then the result
    QCOMPARE(lines[0]["event"].toString(), QString("step"));
    QCOMPARE(lines[0]["step"].toString(), QString("epoch"));
    QCOMPARE(lines[1]["epoch"].toInt(), 2);
    QVERIFY(lines[1]["images_per_s"].toDouble() > 0);
    const QJsonObject last = lines[2];
    QCOMPARE(last["event"].toString(), QString("result"));
    QCOMPARE(last["status"].toString(), QString("completed"));

    const QString run = qnn::test::onlySubfolder(out.path());
    QVERIFY(!run.isEmpty());
    for (const char* file : {"config.json", "metrics.jsonl", "checkpoint.pt", "summary.json"})
        QVERIFY2(QFile::exists(run + "/" + file), file);
    const QJsonObject summary = readJsonObject(run + "/summary.json");
    QCOMPARE(summary["status"].toString(), QString("completed"));
    QCOMPARE(summary["test_epoch"].toInt(), summary["best_epoch"].toInt());
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
    QCOMPARE(e.events.size(), 1);
    const QJsonObject ej = e.last("result");
    QCOMPARE(ej["test_accuracy"].toDouble(), testAccuracy);
    QCOMPARE(ej["images"].toInteger(), total);
    QCOMPARE(ej["weights"].toString(), QString("best"));
    QCOMPARE(ej["epoch"].toInt(), summary["best_epoch"].toInt());
    const Result lastEpoch = qnnw({"eval", example("synthetic-digits-w1a1"), "--run", run, "--epoch", "last", "--json"});
    QVERIFY2(lastEpoch.exitCode == 0, lastEpoch.err.constData());
    QCOMPARE(lastEpoch.last("result")["epoch"].toInt(), 2);
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
    p.start(qnn::test::qnnwPath(), QStringList{"train", example("synthetic-digits-w1a1"), "--out", brokenDir.path()} + common);
    QVERIFY(p.waitForStarted());
    while (!p.canReadLine())
        QVERIFY2(p.waitForReadyRead(60000), "no epoch line");
    ::kill(p.processId(), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    const QString run = qnn::test::onlySubfolder(brokenDir.path());
    QVERIFY(!run.isEmpty());
    const QJsonObject stopped = readJsonObject(run + "/summary.json");
    QCOMPARE(stopped["status"].toString(), QString("stopped"));
    QVERIFY(stopped["epochs_done"].toInt() < 5);
    QVERIFY(p.readAllStandardError().contains("stopping after this batch"));

    const Result resumed = qnnw({"train", example("synthetic-digits-w1a1"), "--resume", run, "--json"});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    const QJsonObject a = unbroken.last("result");
    const QJsonObject b = resumed.last("result");
    QCOMPARE(b["status"].toString(), QString("completed"));
    QCOMPARE(b["epochs_done"].toInt(), 5);
    QCOMPARE(b["test_accuracy"].toDouble(), a["test_accuracy"].toDouble());
    QCOMPARE(b["best_val_accuracy"].toDouble(), a["best_val_accuracy"].toDouble());
    QCOMPARE(b["confusion_matrix"].toArray(), a["confusion_matrix"].toArray());
    // the last epoch's loss, to the bit
    const QJsonObject lastA = unbroken.ofStep("epoch").last(), lastB = resumed.ofStep("epoch").last();
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

// docs/protocol.md: whatever a --json command prints is protocol lines, and it
// ends with exactly one result or one error event. (train and deploy, the
// long ones, are checked where they run: above, tst_runs_cli and tst_deploy.)
void TestCli::everyJsonCommandSpeaksTheProtocol()
{
    QTemporaryDir dir;
    const QString project = qnn::test::copyExample(dir, "synthetic-digits-w1a1");
    const QString broken = writeFile(dir, "broken.qnnproj", kBroken);
    struct Case {
        QStringList args;
        const char* ending;
    };
    const QList<Case> cases{
        {{"summary", project, "--json"}, "result"},
        {{"check", broken, "--json"}, "result"},
        {{"estimate", project, "--json", "--no-save"}, "result"},
        {{"runs", project, "--json"}, "result"},
        {{"compare", project, "a", "b", "--json"}, "error"},
        {{"summary", dir.filePath("missing.qnnproj"), "--json"}, "error"},
        {{"summary", project}, nullptr}, // a table for a person: no events
        {{"train", project, "--json", "--resume", "nothing"}, "error"},
        {{"eval", project, "--run", "nothing", "--json"}, "error"},
        {{"pack", project, "--run", "nothing", "--out", dir.filePath("packed"), "--json"}, "error"},
        {{"run-packed", dir.filePath("nothing"), "--json"}, "error"},
        {{"sweep", project, "--grid", "lr=0.001,0.003", "--dry-run", "--json"}, "result"},
        {{"sweep", "status", dir.filePath("no-sweep"), "--json"}, "error"},
        {{"data", "list", "--json"}, "result"},
        {{"data", "fetch", "no-such-dataset", "--json"}, "error"},
    };
    for (const Case& c : cases) {
        const Result r = qnnw(c.args);
        if (!c.args.contains("--json")) {
            QVERIFY(!r.out.startsWith('{'));
            continue;
        }
        const QByteArray what = c.args.join(' ').toUtf8() + ": " + r.out + r.err;
        QVERIFY2(r.exitCode >= 0, what.constData());
        QVERIFY2(r.protocolError.isEmpty(), qPrintable(r.protocolError + "\n" + what));
        for (const QJsonObject& e : r.events)
            QCOMPARE(e["version"].toInt(), 1);
        QVERIFY2(!r.events.isEmpty(), what.constData());
        QCOMPARE(r.events.last()["event"].toString(), QString(c.ending));
        QCOMPARE(r.ofEvent("result").size() + r.ofEvent("error").size(), 1);
        if (QString(c.ending) == "error") {
            QVERIFY2(r.exitCode != 0, what.constData());
            // The same sentence a person sees on stderr.
            QVERIFY2(r.err.contains(r.events.last()["message"].toString().toUtf8()), what.constData());
        }
    }
}

// docs/protocol.md's Python example, run as printed there.
void TestCli::scriptDrivesQnnw()
{
    const QString python = QStandardPaths::findExecutable("python3");
    if (python.isEmpty())
        QSKIP("python3 is not installed");
    QTemporaryDir dir;
    const QString project = qnn::test::copyExample(dir, "synthetic-digits-w1a1");
    QProcess p;
    p.start(python, {QStringLiteral(QNN_SOURCE_DIR "/scripts/drive_qnnw.py"), qnn::test::qnnwPath(), project});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, qPrintable(out + p.readAllStandardError()));
    QVERIFY2(out.startsWith("run folder: " + dir.path() + "/runs/"), qPrintable(out));
    QCOMPARE(out.count(QRegularExpression("epoch \\d done: validation accuracy")), 2);
    QVERIFY2(out.contains("epoch 2: batch 10 of 10"), qPrintable(out));
    // The accuracy it prints is the run's own.
    const QString run = qnn::test::onlySubfolder(dir.filePath("runs"));
    const double test = readJsonObject(run + "/summary.json")["test_accuracy"].toDouble();
    QVERIFY2(out.trimmed().endsWith(QString::asprintf("status completed, test accuracy %.2f %%", 100 * test)),
             qPrintable(out));
}
