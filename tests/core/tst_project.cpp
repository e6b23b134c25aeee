// Project files: byte-stable round trips, clear load errors, atomic saves.
#include "core/graph/graph_summary.h"
#include "core/project/project.h"
#include "core/project/project_lock.h"
#include "core/run/run_setup.h"
#include "core/util/atomic_file.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <sys/stat.h>

using namespace qnn;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QStringList exampleProjects()
{
    QDir dir(QNN_SOURCE_DIR "/projects");
    QStringList out;
    for (const QString& name : dir.entryList({"*.qnnproj"}, QDir::Files, QDir::Name))
        out << dir.filePath(name);
    return out;
}

const char* kMinimal = R"({
  "format": "qnn-workbench-project",
  "version": 1,
  "name": "tiny",
  "graph": {
    "nodes": [
      {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [4]}, "act_bits": 32},
      {"id": 2, "kind": "Output", "name": "out", "attrs": {"classes": 4}}
    ],
    "edges": [{"from": 1, "to": 2}]
  }
})";

} // namespace

class TestProject : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void examplesRoundTripByteIdentical();
    void savingTwiceGivesSameBytes();
    void nodesAreWrittenSortedById();
    void defaultsFillMissingSections();
    void malformed_data();
    void malformed();
    void loadNamesTheFile();
    void interruptedSaveKeepsOldFile();
    void failedRenameKeepsOldFileAndNoTemp();
    void saveIntoMissingFolderSaysWhy();
    void mutatedFilesNeverCrash();
    void atomicFileReadsUmaskWithoutChangingIt();
    void runRecordWaitsForTheWindowsSave();
};

void TestProject::runRecordWaitsForTheWindowsSave()
{
    // `qnnw train` adds its run to the project's list while the window saves
    // an edit of the same file. Without a lock the train read the file before
    // the save and wrote the old graph back (the edit was lost), or the save
    // came last and dropped the run.
    QTemporaryDir dir;
    const std::string path = dir.filePath("p.qnnproj").toStdString();
    Project p;
    std::string error;
    QVERIFY2(parseProject(kMinimal, p, error), error.c_str());
    QVERIFY2(saveProject(path, p, error), error.c_str());

    ProjectLock window; // what GraphDocument::save holds while it writes
    QVERIFY2(window.acquire(path, 1000, error), error.c_str());
    QVERIFY(QFileInfo::exists(QString::fromStdString(ProjectLock::lockPathFor(path))));
    QCOMPARE(ProjectLock::lockPathFor(path), dir.filePath(".p.qnnproj.lock").toStdString());
    std::atomic<bool> recorded{false};
    std::string trainError;
    std::thread train([&] { recorded = recordRunInProject(path, "20261206-run", trainError); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // an unlocked train has read, changed and written by now
    Project edited = p;
    edited.name = "edited in the window";
    QVERIFY2(saveProject(path, edited, error), error.c_str());
    window.release();
    train.join();
    QVERIFY2(recorded, trainError.c_str());
    Project back;
    QVERIFY2(loadProject(path, back, error), error.c_str());
    QCOMPARE(back.name, std::string("edited in the window"));
    QCOMPARE(back.runs, std::vector<std::string>{"20261206-run"});

    // A writer that cannot get the lock says so and writes nothing.
    QVERIFY2(window.acquire(path, 1000, error), error.c_str());
    ProjectLock other;
    QVERIFY(!other.acquire(path, 100, error));
    QVERIFY2(error.find("another program") != std::string::npos, error.c_str());
    window.release();
}

void TestProject::atomicFileReadsUmaskWithoutChangingIt()
{
    // umask(0) and back, as before, opened a window in which files other threads
    // created were world-writable; now the mask is read from /proc and never changes.
    const mode_t old = ::umask(027);
    QCOMPARE(AtomicFile::currentUmask(), 027u);
    QTemporaryDir dir;
    const std::string path = dir.filePath("p.qnnproj").toStdString();
    std::string error;
    QVERIFY2(writeFileAtomic(path, "{}", error), error.c_str());
    struct stat st {};
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0640));

    // Another thread watching the mask while saves happen never sees it open.
    std::atomic<bool> done{false};
    std::atomic<int> openSeen{0}, looks{0};
    std::thread watcher([&] {
        while (!done) {
            if (AtomicFile::currentUmask() == 0)
                ++openSeen;
            ++looks;
        }
    });
    bool written = true;
    for (int i = 0; i < 300; ++i)
        written = written && writeFileAtomic(path, std::to_string(i), error);
    done = true;
    watcher.join();
    QVERIFY2(written, error.c_str());
    QVERIFY(looks > 0);
    QCOMPARE(openSeen.load(), 0);
    QCOMPARE(::umask(old), mode_t(027)); // still what the test set
}

void TestProject::examplesRoundTripByteIdentical()
{
    const QStringList files = exampleProjects();
    QCOMPARE(files.size(), 10);
    for (const QString& path : files) {
        Project p;
        std::string error;
        QVERIFY2(loadProject(path.toStdString(), p, error), error.c_str());
        const QByteArray original = readAll(path);
        QCOMPARE(QByteArray::fromStdString(serializeProject(p)), original);
    }
}

void TestProject::savingTwiceGivesSameBytes()
{
    QTemporaryDir dir;
    Project p;
    std::string error;
    QVERIFY(loadProject(QNN_SOURCE_DIR "/projects/cnv-w2a2-cifar10.qnnproj", p, error));
    p.training.learningRate = 0.0123;
    p.dataset.path = "/data/cifar";
    p.runs = {"20261125-101010-first"};
    const QString a = dir.filePath("a.qnnproj"), b = dir.filePath("b.qnnproj");
    QVERIFY2(saveProject(a.toStdString(), p, error), error.c_str());
    Project reloaded;
    QVERIFY2(loadProject(a.toStdString(), reloaded, error), error.c_str());
    QVERIFY(reloaded == p);
    QVERIFY2(saveProject(b.toStdString(), reloaded, error), error.c_str());
    QCOMPARE(readAll(b), readAll(a));
    QVERIFY(readAll(a).contains("\"lr\": 0.0123"));
}

void TestProject::nodesAreWrittenSortedById()
{
    Project p;
    // Inserted out of order, as undo and paste do.
    for (NodeId id : {7, 3, 5}) {
        Node n;
        n.id = id;
        n.kind = LayerKind::Dropout;
        n.name = "d" + std::to_string(id);
        QVERIFY(p.graph.insertNode(n));
    }
    const std::string text = serializeProject(p);
    const size_t i3 = text.find("\"d3\""), i5 = text.find("\"d5\""), i7 = text.find("\"d7\"");
    QVERIFY(i3 != std::string::npos && i5 != std::string::npos && i7 != std::string::npos);
    QVERIFY(i3 < i5 && i5 < i7);
}

void TestProject::defaultsFillMissingSections()
{
    Project p;
    std::string error;
    QVERIFY2(parseProject(kMinimal, p, error), error.c_str());
    QCOMPARE(p.name, std::string("tiny"));
    QCOMPARE(p.graph.size(), size_t(2));
    QVERIFY(p.training == TrainingConfig{});
    QCOMPARE(p.dataset.name, std::string("synthetic-digits"));
    QCOMPARE(p.deploy.board, std::string("pynq-z1"));
}

void TestProject::malformed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QString minimal = kMinimal;
    QTest::newRow("bad JSON") << "{\n  \"format\": \"qnn-workbench-project\",\n  \"version\": 1\n  \"name\": 3\n}"
                              << "not valid JSON at line 4, column 8: syntax error while parsing object - unexpected string literal";
    QTest::newRow("truncated") << minimal.left(60) << "not valid JSON at line ";
    QTest::newRow("not an object") << "[1, 2]" << "expected a JSON object at the top, got a list";
    QTest::newRow("wrong format") << R"({"format": "onnx", "version": 1})"
                                  << "not a QNN Workbench project: \"format\" must be \"qnn-workbench-project\"";
    QTest::newRow("future version")
        << QString(minimal).replace("\"version\": 1", "\"version\": 7")
        << "this project was written by a newer QNN Workbench (file version 7; this one reads up to 1); please update";
    QTest::newRow("version not a number") << QString(minimal).replace("\"version\": 1", "\"version\": \"1\"")
                                          << "version: expected an integer, got a string";
    QTest::newRow("missing graph") << R"({"format": "qnn-workbench-project", "version": 1})"
                                   << "missing field 'graph'";
    QTest::newRow("unknown kind") << QString(minimal).replace("\"Output\"", "\"Softmax\"")
                                  << "graph.nodes[1].kind: unknown layer kind 'Softmax'; known kinds are Input,";
    QTest::newRow("wrong type") << QString(minimal).replace("\"shape\": [4]", "\"shape\": 4")
                                << "graph.nodes[0].attrs.shape: expected a list of integers, got an integer";
    QTest::newRow("missing field") << QString(minimal).replace("\"kind\": \"Input\", ", "")
                                   << "graph.nodes[0]: missing field 'kind'";
    QTest::newRow("training field type")
        << QString(minimal).replace("\"graph\"", "\"training\": {\"epochs\": \"ten\"}, \"graph\"")
        << "training.epochs: expected an integer, got a string";
    QTest::newRow("negative seed") << QString(minimal).replace("\"graph\"", "\"training\": {\"seed\": -1}, \"graph\"")
                                   << "training.seed: expected a whole number of 0 or more, got an integer";
    QTest::newRow("runs not strings") << QString(minimal).replace("\"graph\"", "\"runs\": [1], \"graph\"")
                                      << "runs[0]: expected a string, got an integer";
}

void TestProject::malformed()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    Project p;
    p.name = "untouched";
    std::string message;
    QVERIFY(!parseProject(text.toStdString(), p, message));
    QVERIFY2(QString::fromStdString(message).startsWith(error), message.c_str());
    QCOMPARE(p.name, std::string("untouched")); // a failed load leaves the target alone
}

void TestProject::loadNamesTheFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.qnnproj");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{ \"format\": ");
    f.close();
    Project p;
    std::string error;
    QVERIFY(!loadProject(path.toStdString(), p, error));
    QVERIFY2(QString::fromStdString(error).startsWith(path + ": not valid JSON at line 1"), error.c_str());
    QVERIFY(!loadProject(dir.filePath("absent.qnnproj").toStdString(), p, error));
    QVERIFY2(QString::fromStdString(error).contains("absent.qnnproj: No such file"), error.c_str());
    QVERIFY(!loadProject(dir.path().toStdString(), p, error));
    QVERIFY2(QString::fromStdString(error).contains("it is a folder, not a file"), error.c_str());
}

void TestProject::interruptedSaveKeepsOldFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("p.qnnproj");
    std::string error;
    Project p;
    QVERIFY(parseProject(kMinimal, p, error));
    QVERIFY(saveProject(path.toStdString(), p, error));
    const QByteArray before = readAll(path);
    {
        // A save that dies half way: bytes written, never committed.
        AtomicFile f(path.toStdString());
        QVERIFY(f.isOpen());
        QVERIFY(f.write(serializeProject(p).substr(0, 40)));
        QVERIFY(QFile::exists(QString::fromStdString(f.tempPath())));
    }
    QCOMPARE(readAll(path), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"p.qnnproj"});
}

void TestProject::failedRenameKeepsOldFileAndNoTemp()
{
    QTemporaryDir dir;
    // The target is a non-empty folder: every step works except the final rename.
    const QString target = dir.filePath("taken");
    QVERIFY(QDir(dir.path()).mkpath("taken/inside"));
    std::string error;
    QVERIFY(!writeFileAtomic(target.toStdString(), "new bytes", error));
    QVERIFY2(QString::fromStdString(error).startsWith("cannot write " + target + ": cannot replace the file"),
             error.c_str());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{});
    QVERIFY(QDir(target).exists("inside"));
}

void TestProject::saveIntoMissingFolderSaysWhy()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("no/such/folder/p.qnnproj").toStdString();
    std::string error;
    QVERIFY(!saveProject(path, Project{}, error));
    QVERIFY2(QString::fromStdString(error).startsWith(QString::fromStdString("cannot write " + path)), error.c_str());
    QVERIFY2(QString::fromStdString(error).contains("No such file or directory"), error.c_str());
}

void TestProject::mutatedFilesNeverCrash()
{
    // Random edits of a real file: each must load or fail with a message, and
    // whatever loads must analyze and summarize without crashing.
    const std::string original = readAll(QNN_SOURCE_DIR "/projects/cnv-w1a1-cifar10.qnnproj").toStdString();
    QVERIFY(!original.empty());
    const char* tokens[] = {"0", "-1", "99999999999", "\"x\"", "[]", "{}", "null", "true", "1.5", ",", "]", "}"};
    std::mt19937 rng(1234);
    int loaded = 0, refused = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = original;
        const int edits = 1 + int(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            // Replace a number or a short span with a token: hits values, types and syntax alike.
            const size_t pos = rng() % text.size();
            const size_t len = rng() % 4;
            text.replace(pos, std::min(len, text.size() - pos), tokens[rng() % std::size(tokens)]);
        }
        Project p;
        std::string error;
        if (parseProject(text, p, error)) {
            ++loaded;
            const GraphSummary s = summarizeGraph(p.graph);
            QVERIFY(s.layers.size() <= p.graph.size());
        } else {
            ++refused;
            QVERIFY(!error.empty());
        }
    }
    QVERIFY(loaded > 100);
    QVERIFY(refused > 100);
}

QTEST_APPLESS_MAIN(TestProject)
#include "tst_project.moc"
