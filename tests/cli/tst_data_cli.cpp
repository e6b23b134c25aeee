// `qnnw data list|fetch` against a real HTTP server on 127.0.0.1 that serves
// the real MNIST files, a tiny CIFAR-10 archive the test writes, and the
// faults a user meets: a dropped connection, a corrupt file, a 404, a
// redirect loop, a slow server, a refusing proxy, a full disk.
#include "../support/dataset_server.h"

#include "core/data/dataset.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <csignal>

namespace {

const QString kMnist = QStringLiteral(QNN_DATASETS_DIR "/mnist");
const QStringList kMnistFiles{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                              "t10k-labels-idx1-ubyte.gz"};

struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result qnnw(const QStringList& args, const QProcessEnvironment& env, const QString& workDir = QString())
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workDir.isEmpty())
        p.setWorkingDirectory(workDir);
    p.start(QNNW_PATH, args);
    if (!p.waitForFinished(120000))
        qFatal("qnnw did not finish");
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QList<QJsonObject> jsonLines(const QByteArray& text)
{
    QList<QJsonObject> out;
    for (const QByteArray& line : text.split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256Of(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// `records` CIFAR-10 records: label i % 10, pixels from the label and index.
QByteArray cifarBatch(int records, int seed)
{
    QByteArray b;
    for (int i = 0; i < records; ++i) {
        b.append(char(i % 10));
        for (int p = 0; p < 3072; ++p)
            b.append(char((p * 7 + i * 13 + seed) & 0xff));
    }
    return b;
}

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestDataCli : public QObject
{
    Q_OBJECT

private:
    DatasetServer m_server;
    QTemporaryDir m_files; // what the server serves besides MNIST
    QString m_cifarSha;

    // The last JSON line of a failed fetch: the protocol's error event.
    static QString errorEvent(const Result& r)
    {
        const QList<QJsonObject> lines = jsonLines(r.out);
        if (lines.isEmpty() || lines.last()["event"].toString() != "error" || lines.last()["version"].toInt() != 1)
            return QString();
        return lines.last()["message"].toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kMnist + "/train-images-idx3-ubyte.gz"), "the shared MNIST files are needed");
        // A tiny CIFAR-10 in its original archive layout: cifar-10-batches-bin/...
        QDir(m_files.path()).mkpath("src/cifar-10-batches-bin");
        const QString batches = m_files.filePath("src/cifar-10-batches-bin");
        for (int i = 1; i <= 5; ++i)
            QVERIFY(writeBytes(batches + QString("/data_batch_%1.bin").arg(i), cifarBatch(10, i)));
        QVERIFY(writeBytes(batches + "/test_batch.bin", cifarBatch(10, 99)));
        QVERIFY(writeBytes(batches + "/batches.meta.txt",
                           "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"));
        QVERIFY(writeBytes(batches + "/readme.html", "<p>not wanted</p>"));
        QDir(m_files.path()).mkpath("cifar");
        QCOMPARE(QProcess::execute("tar", {"czf", m_files.filePath("cifar/cifar-10-binary.tar.gz"), "-C",
                                           m_files.filePath("src"), "cifar-10-batches-bin"}),
                 0);
        m_cifarSha = sha256Of(readAll(m_files.filePath("cifar/cifar-10-binary.tar.gz")));
        // For testing mirrors: the test's own checksums, never the product's.
        QVERIFY(writeBytes(m_files.filePath("checksums.json"),
                           QString(R"({"cifar10": {"cifar-10-binary.tar.gz": {"sha256": "%1"}}})")
                               .arg(m_cifarSha)
                               .toUtf8()));
        QVERIFY(m_server.start({"mnist=" + kMnist, "cifar=" + m_files.filePath("cifar")}));
    }

    // The whole path a new user takes: fetch into the user data folder, byte
    // for byte the published files, found by the search path, listed as verified.
    void fetchMnistIntoUserFolder()
    {
        QTemporaryDir home;
        const QProcessEnvironment env = fetchEnvironment(home.path());
        const Result r = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("mnist/"), "--json"}, env,
                              home.path());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString dir = home.path() + "/qnn-workbench/datasets/mnist";
        for (const QString& f : kMnistFiles)
            QVERIFY2(readAll(dir + "/" + f) == readAll(kMnist + "/" + f), qPrintable(f));
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden).size(), 4); // no .part left

        const QList<QJsonObject> lines = jsonLines(r.out);
        QVERIFY(lines.size() > 4);
        qint64 lastDone = 0;
        for (const QJsonObject& o : lines) {
            QCOMPARE(o["version"].toInt(), 1);
            QVERIFY(QStringList({"progress", "step", "result"}).contains(o["event"].toString()));
            if (o["event"].toString() == "progress") {
                QCOMPARE(o["total"].toInteger(), 11594722);
                QVERIFY(o["done"].toInteger() >= lastDone);
                lastDone = o["done"].toInteger();
            }
        }
        QCOMPARE(lastDone, 11594722);
        QCOMPARE(lines.last()["event"].toString(), "result");
        QCOMPARE(lines.last()["dir"].toString(), dir);
        QCOMPARE(lines.last()["downloaded"].toInteger(), 11594722);

        // The search path finds it: the user data folder is on it.
        qputenv("XDG_DATA_HOME", home.path().toUtf8());
        qnn::DatasetRequest request;
        request.choice.name = "mnist";
        request.projectDir = home.path().toStdString();
        QCOMPARE(QString::fromStdString(qnn::findDatasetDir(request)), dir);
        qunsetenv("XDG_DATA_HOME");

        const Result list = qnnw({"data", "list", "--json"}, env, home.path());
        QCOMPARE(list.exitCode, 0);
        const QJsonObject result = jsonLines(list.out).last();
        QCOMPARE(result["event"].toString(), "result");
        QCOMPARE(result["user_dir"].toString(), home.path() + "/qnn-workbench/datasets");
        const QJsonArray datasets = result["datasets"].toArray();
        QCOMPARE(datasets.size(), 3);
        QCOMPARE(datasets[0]["name"].toString(), "mnist");
        QCOMPARE(datasets[0]["dir"].toString(), dir);
        QCOMPARE(datasets[0]["bytes"].toInteger(), 11594722);
        QCOMPARE(datasets[0]["verified"].toBool(), true);
        QVERIFY(datasets[0]["licence"].toString().contains("Creative Commons Attribution-Share Alike 3.0"));
        QCOMPARE(datasets[0]["sources"].toArray().first().toString(), "http://yann.lecun.com/exdb/mnist/");
        QCOMPARE(datasets[2]["name"].toString(), "cifar10");
        QCOMPARE(datasets[2]["found"].toBool(), false);

        // A second fetch finds everything verified and asks the server nothing.
        const int before = m_server.requests().size();
        const Result again = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("mnist/"), "--json"}, env);
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(jsonLines(again.out).last()["already_there"].toBool(), true);
        QCOMPARE(m_server.requests().size(), before);

        // A file changed on disk is no longer "verified".
        QFile f(dir + "/t10k-labels-idx1-ubyte.gz");
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(100);
        f.write("x");
        f.close();
        const QJsonObject changed = jsonLines(qnnw({"data", "list", "--json"}, env, home.path()).out).last();
        const QJsonObject mnist = changed["datasets"].toArray()[0].toObject();
        QCOMPARE(mnist["verified"].toBool(true), false);
        QVERIFY(mnist["verification"].toString().contains("t10k-labels-idx1-ubyte.gz"));
    }

    void resumeAfterDroppedConnection()
    {
        QTemporaryDir dir;
        const QProcessEnvironment env = fetchEnvironment(dir.path());
        const QStringList args{"data", "fetch", "mnist", "--mirror", m_server.url("drop-once-3000000/mnist/"),
                               "--dir", dir.path(), "--json"};
        const Result first = qnnw(args, env);
        QCOMPARE(first.exitCode, 1);
        const QString message = errorEvent(first);
        QVERIFY2(message.contains("dropped after 3000000 bytes"), qPrintable(message));
        QVERIFY2(message.contains("fetching again resumes"), qPrintable(message));
        const QString part = dir.path() + "/mnist/train-images-idx3-ubyte.gz.part";
        QCOMPARE(QFileInfo(part).size(), 3000000);
        QVERIFY(!QFile::exists(dir.path() + "/mnist/train-images-idx3-ubyte.gz")); // nothing unverified in place

        const Result second = qnnw(args, env);
        QVERIFY2(second.exitCode == 0, second.err.constData());
        for (const QString& f : kMnistFiles)
            QVERIFY2(readAll(dir.path() + "/mnist/" + f) == readAll(kMnist + "/" + f), qPrintable(f));
        QVERIFY(!QFile::exists(part));
        // The second request asked only for the rest.
        QVERIFY(m_server.requests().contains("/drop-once-3000000/mnist/train-images-idx3-ubyte.gz bytes=3000000-"));
        QCOMPARE(jsonLines(second.out).last()["downloaded"].toInteger(), 11594722 - 3000000);
    }

    // A server that ignores Range sends the whole file again: the part starts over.
    void serverWithoutRangesRestarts()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("mnist");
        QVERIFY(writeBytes(dir.path() + "/mnist/t10k-labels-idx1-ubyte.gz.part",
                           readAll(kMnist + "/t10k-labels-idx1-ubyte.gz").left(1000)));
        const Result r = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("norange/mnist/"), "--dir",
                               dir.path()},
                              fetchEnvironment(dir.path()));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(readAll(dir.path() + "/mnist/t10k-labels-idx1-ubyte.gz"), readAll(kMnist + "/t10k-labels-idx1-ubyte.gz"));
    }

    void checksumMismatchNamesBothHashesAndUrl()
    {
        QTemporaryDir dir;
        const Result r = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("corrupt/mnist/"), "--dir",
                               dir.path(), "--json"},
                              fetchEnvironment(dir.path()));
        QCOMPARE(r.exitCode, 1);
        QByteArray corrupt = readAll(kMnist + "/train-images-idx3-ubyte.gz");
        corrupt[corrupt.size() / 2] = char(corrupt[corrupt.size() / 2] ^ 0xff);
        const QString message = errorEvent(r);
        QVERIFY2(message.contains("checksum mismatch for " + m_server.url("corrupt/mnist/train-images-idx3-ubyte.gz")),
                 qPrintable(message));
        QVERIFY2(message.contains("expected sha256 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                 qPrintable(message));
        QVERIFY2(message.contains("got " + sha256Of(corrupt)), qPrintable(message));
        // Neither the file nor its part is kept.
        QCOMPARE(QDir(dir.path() + "/mnist").entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void sourceErrorsAreSentences_data()
    {
        QTest::addColumn<QString>("mirror");
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QString>("expected");
        QTest::newRow("404") << "missing/mnist/" << "" << "the server has no such file (HTTP 404 Not Found)";
        QTest::newRow("redirect loop") << "loop/mnist/" << "" << "the server redirects in a loop";
        QTest::newRow("no network") << "http://127.0.0.1:1/mnist/" << "" << "cannot connect to 127.0.0.1";
        QTest::newRow("dns") << "http://qnn-workbench-test.invalid/mnist/" << ""
                             << "the name qnn-workbench-test.invalid could not be resolved";
        QTest::newRow("proxy refusing") << "mnist/" << "http://127.0.0.1:1"
                                        << "the proxy http://127.0.0.1:1 (from the proxy environment variables) "
                                           "refused the connection";
    }

    void sourceErrorsAreSentences()
    {
        QFETCH(QString, mirror);
        QFETCH(QString, proxy);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QProcessEnvironment env = fetchEnvironment(dir.path());
        if (!proxy.isEmpty())
            env.insert("http_proxy", proxy);
        const QString url = mirror.startsWith("http") ? mirror : m_server.url(mirror);
        const Result r = qnnw({"data", "fetch", "mnist", "--mirror", url, "--dir", dir.path(), "--json"}, env);
        QCOMPARE(r.exitCode, 1);
        const QString message = errorEvent(r);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(url + "train-images-idx3-ubyte.gz"), qPrintable(message));
        QVERIFY2(r.err.startsWith("qnnw: ") && !r.err.contains("internal error"), r.err.constData());
        QCOMPARE(QDir(dir.path() + "/mnist").entryList(QDir::Files), QStringList{"train-images-idx3-ubyte.gz.part"});
        QCOMPARE(QFileInfo(dir.path() + "/mnist/train-images-idx3-ubyte.gz.part").size(), 0);
    }

    // The canonical source first, then the mirrors: a failing one is skipped.
    void laterSourceTakesOver()
    {
        QTemporaryDir dir;
        const Result r = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("missing/mnist/"), "--mirror",
                               m_server.url("mnist/"), "--dir", dir.path()},
                              fetchEnvironment(dir.path()));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(readAll(dir.path() + "/mnist/train-images-idx3-ubyte.gz"),
                 readAll(kMnist + "/train-images-idx3-ubyte.gz"));
    }

    // ulimit -f stands in for a full disk: the write fails, and the error says so.
    void fullDisk()
    {
        QTemporaryDir dir;
        QProcess p;
        p.setProcessEnvironment(fetchEnvironment(dir.path()));
        p.start("/bin/sh", {"-c", QString("ulimit -f 2000; exec '%1' data fetch mnist --mirror %2 --dir '%3' --json")
                                      .arg(QNNW_PATH, m_server.url("mnist/"), dir.path())});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString message = errorEvent({p.exitCode(), p.readAllStandardOutput(), {}});
        QVERIFY2(message.contains("the disk is full (or a size limit was reached) writing " + dir.path() +
                                  "/mnist/train-images-idx3-ubyte.gz.part"),
                 qPrintable(message));
        QVERIFY(!QFile::exists(dir.path() + "/mnist/train-images-idx3-ubyte.gz"));
    }

    // A slow download: a second fetch of the same dataset meets the lock, then
    // Ctrl-C stops the first, keeping its part for a resume.
    void lockThenCancel()
    {
        QTemporaryDir dir;
        const QProcessEnvironment env = fetchEnvironment(dir.path());
        QProcess first;
        first.setProcessEnvironment(env);
        first.start(QNNW_PATH, {"data", "fetch", "mnist", "--mirror", m_server.url("slow-200000/mnist/"), "--dir",
                                dir.path(), "--json"});
        QVERIFY(first.waitForStarted());
        QByteArray out;
        // Wait for the first progress line: the lock is held and bytes are flowing.
        for (int i = 0; i < 100 && !out.contains("\"progress\""); ++i) {
            first.waitForReadyRead(100);
            out += first.readAllStandardOutput();
        }
        QVERIFY(out.contains("\"progress\""));
        const QString part = dir.path() + "/mnist/train-images-idx3-ubyte.gz.part";
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() > 0, 10000);

        const Result second = qnnw({"data", "fetch", "mnist", "--mirror", m_server.url("mnist/"), "--dir", dir.path(),
                                    "--json"},
                                   env);
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(errorEvent(second).contains("another fetch of mnist is running"), qPrintable(errorEvent(second)));

        ::kill(static_cast<pid_t>(first.processId()), SIGINT);
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), 130);
        out += first.readAllStandardOutput();
        const QJsonObject last = jsonLines(out).last();
        QCOMPARE(last["event"].toString(), "error");
        QCOMPARE(last["cancelled"].toBool(), true);
        QVERIFY2(last["message"].toString().startsWith("cancelled after"), qPrintable(last["message"].toString()));
        const qint64 kept = QFileInfo(part).size();
        QVERIFY(kept > 0 && kept < 9912422);
        QVERIFY(!QFile::exists(dir.path() + "/mnist/train-images-idx3-ubyte.gz"));
    }

    // CIFAR-10's archive is checked, unpacked into the user data folder, and
    // the example CNV project trains on it with no --data: the path a user
    // takes. The checksum override is the test's; without it the archive is refused.
    void cifarArchiveThroughMirrorTrainsCnv()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = fetchEnvironment(dir.path());
        const QStringList args{"data", "fetch", "cifar10", "--mirror", m_server.url("cifar/"), "--json"};
        const Result refused = qnnw(args, env);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(errorEvent(refused).contains("expected md5 c32a1d4ab5d03f1284b67883e8d87530"),
                 qPrintable(errorEvent(refused)));

        env.insert("QNN_DATASET_CHECKSUMS", m_files.filePath("checksums.json"));
        const Result r = qnnw(args, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString cifar = dir.path() + "/qnn-workbench/datasets/cifar10";
        QCOMPARE(QDir(cifar).entryList(QDir::Files),
                 QStringList({"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                              "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}));
        QCOMPARE(readAll(cifar + "/data_batch_3.bin"), cifarBatch(10, 3));

        qnn::DatasetRequest request;
        request.choice.name = "cifar10";
        request.dataDir = cifar.toStdString();
        qnn::DatasetSplits splits;
        std::string error;
        QVERIFY2(qnn::loadDataset(request, splits, error), error.c_str());
        QCOMPARE(splits.train.size() + splits.validation.size(), size_t(50));
        QCOMPARE(splits.test.size(), size_t(10));
        QCOMPARE(splits.train.classNames.at(9), std::string("truck"));

        const QJsonObject list = jsonLines(qnnw({"data", "list", "--json"}, env, dir.path()).out).last();
        const QJsonObject entry = list["datasets"].toArray()[2].toObject();
        QCOMPARE(entry["dir"].toString(), cifar);
        QCOMPARE(entry["verified"].toBool(), true);

        const QString project = dir.filePath("cnv.qnnproj");
        QVERIFY(QFile::copy(QStringLiteral(QNN_SOURCE_DIR "/projects/cnv-w1a1-cifar10.qnnproj"), project));
        const Result train = qnnw({"train", project, "--epochs", "1", "--batch-size", "10", "--threads", "1",
                                   "--json"},
                                  env, dir.path());
        QVERIFY2(train.exitCode == 0, train.err.constData());
        const QJsonObject summary = jsonLines(train.out).last();
        QCOMPARE(summary["status"].toString(), "completed");
        QFile config(summary["run"].toString() + "/config.json");
        QVERIFY(config.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(config.readAll())["data_source"].toString(), cifar);
    }

    void unknownDatasetIsUsage()
    {
        QTemporaryDir dir;
        const Result r = qnnw({"data", "fetch", "imagenet", "--dir", dir.path()}, fetchEnvironment(dir.path()));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no dataset named 'imagenet' can be downloaded; choose one of mnist, fashion-mnist, "
                                "cifar10"),
                 r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestDataCli)
#include "tst_data_cli.moc"
