// What each command-line executable links, and how qnnw hands the commands
// that need LibTorch to qnnw-train (ARCHITECTURE.md, "Executables").
#include <QtTest>

#include <QFile>
#include <QFileInfo>
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

Result run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000))
        qFatal("%s did not finish", qPrintable(program));
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString beside(const char* name) { return QFileInfo(QNNW_PATH).absolutePath() + "/" + name; }

// The shared libraries an executable loads, one "name => path" line each.
QByteArray sharedLibraries(const QString& executable)
{
    const Result r = run("ldd", {executable});
    if (r.exitCode != 0 && !r.out.contains("not a dynamic executable"))
        qFatal("ldd %s failed: %s", qPrintable(executable), r.err.constData());
    return r.out;
}

} // namespace

class TestExecutables : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void qnnwLinksNeitherTorchNorQt();
    void qnnwTrainLinksTorchButNoQt();
    void qnnRunLinksNoTorchQtOrSsh();
    void qnnRunJsonSpeaksTheProtocol();
    void x86BoardBuildIsStaticAndAgrees();
    void trainHelpComesFromQnnwTrain();
    void missingQnnwTrainIsASentence();
    void qnnwTrainWaitsPassivelyUnlessTold();
};

void TestExecutables::qnnwLinksNeitherTorchNorQt()
{
    const QByteArray libs = sharedLibraries(QNNW_PATH);
    QVERIFY2(libs.contains("libc.so"), libs.constData()); // ldd did list something
    for (const char* banned : {"libtorch", "libc10", "libQt", "libopencv"})
        QVERIFY2(!libs.contains(banned), (QByteArray(banned) + " in\n" + libs).constData());
}

void TestExecutables::qnnwTrainLinksTorchButNoQt()
{
    const QByteArray libs = sharedLibraries(beside("qnnw-train"));
    QVERIFY2(libs.contains("libtorch") || libs.contains("libc10"), libs.constData());
    QVERIFY2(!libs.contains("libQt6"), libs.constData());
}

void TestExecutables::qnnRunLinksNoTorchQtOrSsh()
{
    const QByteArray libs = sharedLibraries(beside("qnn-run"));
    for (const char* banned : {"libtorch", "libc10", "libQt", "libssh", "libonnx", "libprotobuf", "libcurl"})
        QVERIFY2(!libs.contains(banned), (QByteArray(banned) + " in\n" + libs).constData());
    const Result help = run(beside("qnn-run"), {"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.contains("--threads") && help.out.contains("--data"), help.out.constData());
}

// qnn-run --json prints what `qnnw run-packed --json` prints: protocol lines
// (core/util/child_protocol.h), a result or an error event with the version.
void TestExecutables::qnnRunJsonSpeaksTheProtocol()
{
    const auto events = [](const QByteArray& out) {
        QList<QJsonObject> list;
        for (const QByteArray& line : out.split('\n'))
            if (!line.isEmpty())
                list << QJsonDocument::fromJson(line).object();
        return list;
    };
    QTemporaryDir dir;
    const Result missing = run(beside("qnn-run"), {dir.filePath("nothing"), "--data", dir.path(), "--json"});
    QCOMPARE(missing.exitCode, 1);
    QList<QJsonObject> e = events(missing.out);
    QCOMPARE(e.size(), 1);
    QCOMPARE(e[0]["event"].toString(), QString("error"));
    QCOMPARE(e[0]["version"].toInt(), 1);
    // The same sentence a person sees on stderr.
    QVERIFY2(!e[0]["message"].toString().isEmpty() && missing.err.contains(e[0]["message"].toString().toUtf8()),
             missing.err.constData());

    const QString params = QNN_SOURCE_DIR "/../shared/bnn-pynq-params/mnist/lfcW1A1";
    const QString mnist = QNN_SOURCE_DIR "/../shared/datasets/mnist";
    if (!QFileInfo::exists(params) || !QFileInfo::exists(mnist))
        QSKIP("../shared has no BNN-PYNQ lfcW1A1 parameters or MNIST");
    const Result ok = run(beside("qnn-run"), {params, "--data", mnist, "--limit", "50", "--predictions", "--json"});
    QCOMPARE(ok.exitCode, 0);
    e = events(ok.out);
    QCOMPARE(e.size(), 1);
    QCOMPARE(e[0]["event"].toString(), QString("result"));
    QCOMPARE(e[0]["version"].toInt(), 1);
    QCOMPARE(e[0]["images"].toInt(), 50);
    QCOMPARE(e[0]["predictions"].toArray().size(), 50);
}

// The build an x86_64 board gets: statically linked like the ARM ones (a
// board's glibc may be older than this machine's), the same predictions.
void TestExecutables::x86BoardBuildIsStaticAndAgrees()
{
#if !defined(__x86_64__)
    QSKIP("not an x86_64 build");
#endif
    const QString board = beside("qnn-run-x86_64");
    if (!QFileInfo::exists(board))
        QSKIP("this build has no qnn-run-x86_64 (QNN_CROSS_QNN_RUN is off)");
    const Result ldd = run("ldd", {board});
    QVERIFY2((ldd.out + ldd.err).contains("not a dynamic executable"), (ldd.out + ldd.err).constData());
    const QString lfc = QNN_SOURCE_DIR "/../shared/bnn-pynq-params/mnist/lfcW1A1";
    const QString mnist = QNN_SOURCE_DIR "/../shared/datasets/mnist";
    if (!QFileInfo::exists(lfc) || !QFileInfo::exists(mnist))
        QSKIP("../shared has no BNN-PYNQ lfcW1A1 parameters or MNIST");
    const QStringList args{lfc, "--data", mnist, "--limit", "200", "--predictions", "--json"};
    const Result host = run(beside("qnn-run"), args), fromBoard = run(board, args);
    QCOMPARE(fromBoard.exitCode, 0);
    // One protocol line each.
    const QJsonObject a = QJsonDocument::fromJson(host.out.trimmed()).object();
    const QJsonObject b = QJsonDocument::fromJson(fromBoard.out.trimmed()).object();
    QCOMPARE(b["event"].toString(), QString("result"));
    QCOMPARE(b["predictions"].toArray().size(), 200);
    QCOMPARE(b["predictions"], a["predictions"]);
}

void TestExecutables::trainHelpComesFromQnnwTrain()
{
    // qnnw lists train; its options are declared only in qnnw-train, so
    // seeing them proves the hand-over (same arguments, output passed through).
    const Result list = run(QNNW_PATH, {"--help"});
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.contains("train") && list.out.contains("estimate"));
    const Result help = run(QNNW_PATH, {"train", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.contains("--batch-size") && help.out.contains("--fp32-twin"), help.out.constData());
    const Result eval = run(QNNW_PATH, {"eval", "--help"});
    QCOMPARE(eval.exitCode, 0);
    QVERIFY2(eval.out.contains("--run"), eval.out.constData());
}

void TestExecutables::missingQnnwTrainIsASentence()
{
    QTemporaryDir dir;
    const QString lonely = dir.filePath("qnnw");
    QVERIFY(QFile::copy(QNNW_PATH, lonely));
    QVERIFY(QFile::setPermissions(lonely, QFile::permissions(lonely) | QFileDevice::ExeOwner));
    const Result r = run(lonely, {"train", "whatever.qnnproj"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no qnnw-train in " + QFileInfo(dir.path()).canonicalFilePath().toUtf8()),
             r.err.constData());
    // Commands that need no torch still run from a lone qnnw.
    const Result estimate =
        run(lonely, {"estimate", QStringLiteral(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj"), "--json"});
    QVERIFY2(estimate.exitCode == 0 && estimate.out.contains("fps"), (estimate.out + estimate.err).constData());
}

void TestExecutables::qnnwTrainWaitsPassivelyUnlessTold()
{
    // qnnw hands train to the qnnw-train beside it: a script there reports the
    // OpenMP wait policy it was started with.
    QTemporaryDir dir;
    const QString qnnw = dir.filePath("qnnw");
    QVERIFY(QFile::copy(QNNW_PATH, qnnw));
    QVERIFY(QFile::setPermissions(qnnw, QFile::permissions(qnnw) | QFileDevice::ExeOwner));
    QFile script(dir.filePath("qnnw-train"));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho \"policy=${OMP_WAIT_POLICY-unset} args=$*\"\n");
    script.close();
    QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));

    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("OMP_WAIT_POLICY");
    p.setProcessEnvironment(env);
    p.start(qnnw, {"train", "x.qnnproj", "--epochs", "2"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.readAllStandardOutput(), QByteArray("policy=PASSIVE args=train x.qnnproj --epochs 2\n"));
    // One the user chose is theirs.
    env.insert("OMP_WAIT_POLICY", "ACTIVE");
    p.setProcessEnvironment(env);
    p.start(qnnw, {"eval", "x.qnnproj"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.readAllStandardOutput(), QByteArray("policy=ACTIVE args=eval x.qnnproj\n"));
    // Commands that stay in qnnw do not run it at all.
    p.start(qnnw, {"--help"});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray help = p.readAllStandardOutput();
    QVERIFY2(help.contains("estimate") && !help.contains("policy="), help.constData());
}

QTEST_GUILESS_MAIN(TestExecutables)
#include "tst_executables.moc"
