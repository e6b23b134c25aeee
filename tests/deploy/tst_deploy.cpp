// Deploy against real components: an OpenSSH server on 127.0.0.1 (see
// sshd_fixture.h), real files, the real qnnw. No address outside 127.0.0.0/8.
#include "support/sshd_fixture.h"
#include "support/trained_lfc.h"

#include "core/deploy/board_config.h"
#include "core/deploy/board_runtime.h"
#include "core/deploy/deployer.h"
#include "core/deploy/deployment_package.h"
#include "core/deploy/deployment_runner.h"
#include "core/deploy/local_board.h"
#include "core/util/sha256.h"
#include "core/deploy/ssh_board.h"
#include "core/deploy/tar_stream.h"
#include "core/deploy/xrt_board.h"
#include "core/util/atomic_file.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QTest>

#include <nlohmann/json.hpp>

#include <QThread>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <atomic>
#include <thread>
#include <random>

using namespace qnn;
using namespace qnn::deploy;

namespace {

// A packed folder of real files with a manifest that lists their SHA-256,
// enough for the transport steps (the model tests use `qnnw pack`).
void writePackedFolder(const QString& dir, size_t bytes)
{
    QDir().mkpath(dir);
    std::mt19937 random(7);
    nlohmann::json files = nlohmann::json::object();
    for (const char* name : {"0-0-weights.bin", "0-0-thres.bin", "classes.txt"}) {
        std::string data(name == std::string("0-0-weights.bin") ? bytes : 1000, '\0');
        for (auto& c : data)
            c = static_cast<char>(random());
        std::string error;
        QVERIFY(writeFileAtomic((dir + "/" + name).toStdString(), data, error));
        files[name] = sha256Hex(data);
    }
    std::string error;
    QVERIFY(writeFileAtomic((dir + "/manifest.json").toStdString(),
                            nlohmann::json{{"format", "test"}, {"files", files}}.dump(), error));
}



ImageSet someImages(int n)
{
    ImageSet set;
    set.height = set.width = 28;
    for (int i = 0; i < n; ++i) {
        for (int p = 0; p < 28 * 28; ++p)
            set.pixels.push_back(static_cast<uint8_t>((i * 31 + p) & 255));
        set.labels.push_back(i % 10);
    }
    return set;
}

// A board folder on this machine that says it has another CPU: what
// Deployer does with a board's `uname -m`, without a board.
class BoardWithCpu : public LocalBoard
{
public:
    BoardWithCpu(std::string folder, std::string machine)
        : LocalBoard(std::move(folder))
        , m_machine(std::move(machine))
    {
    }
    bool machine(std::string& unameM, std::string&) override
    {
        unameM = m_machine;
        return true;
    }

private:
    std::string m_machine;
};

} // namespace

class TestDeploy : public QObject
{
    Q_OBJECT

private:
    SshdFixture m_sshd;
    QTemporaryDir m_work;

    BoardConfig sshBoard(const QString& key) const
    {
        BoardConfig b = m_sshd.loopbackBoard("loopback");
        b.keyPath = key.toStdString(); // empty: no key, for the password tests
        return b;
    }
    SshOptions trusting() const
    {
        SshOptions o;
        o.knownHosts = m_sshd.path("known_hosts").toStdString();
        o.acceptNewHostKey = true;
        return o;
    }
    DeploymentPackage package(const QString& run, size_t bytes = 300000, const QString& runner = QString(),
                              const std::string& time = std::string())
    {
        const QString packed = m_work.path() + "/packed-" + run;
        writePackedFolder(packed, bytes);
        PackageRequest request;
        request.run = run.toStdString();
        request.packedDir = packed.toStdString();
        request.runnerScript = runner.isEmpty() ? QNN_SOURCE_DIR "/resources/board/runner.py" : runner.toStdString();
        request.time = time;
        request.stagingDir = (m_work.path() + "/staging-" + run).toStdString(); // made 0700 by the package
        DeploymentPackage p;
        std::string error;
        if (!buildDeploymentPackage(request, someImages(50), p, error))
            qWarning("%s", error.c_str());
        return p;
    }
    QString deployed(const DeploymentPackage& p, const std::string& file) const
    {
        return m_sshd.path("board/deployments/") + QString::fromStdString(p.name + "/" + file);
    }
    // Uploads, verifies and switches to a package with the Board API.
    void makeCurrent(Board& board, const DeploymentPackage& p)
    {
        std::string error;
        QVERIFY2(board.upload(p.name, p.files, {}, error), error.c_str());
        QVERIFY2(board.verify(p.name, p.sha256, error), error.c_str());
        QVERIFY2(board.switchCurrent(p.name, error), error.c_str());
    }
    // Runs the built qnnw with the test's own board configuration.
    int qnnw(const QStringList& args, QString& out, QString& err)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CONFIG_HOME", m_work.path() + "/cli-config");
        p.setProcessEnvironment(env);
        p.start(qnn::test::qnnwPath(), args);
        if (!p.waitForFinished(180000))
            p.kill();
        out = QString::fromUtf8(p.readAllStandardOutput());
        err = QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    // The last protocol event named `event`; a line outside the protocol fails the test.
    static QJsonObject lastEvent(const QString& out, const QString& event)
    {
        QString error;
        QJsonObject found;
        for (const QJsonObject& o : qnn::test::protocolEvents(out.toUtf8(), &error))
            if (o.value("event").toString() == event)
                found = o;
        if (!error.isEmpty())
            qWarning("qnnw broke the protocol: %s", qPrintable(error));
        return error.isEmpty() ? found : QJsonObject();
    }
    QString currentTarget() const { return QFileInfo(m_sshd.path("board/current")).symLinkTarget(); }
    // A runner.py of the test's own: what a board's runner might do.
    QString runnerScript(const QString& name, const QString& python)
    {
        const QString path = m_work.path() + "/" + name + ".py";
        std::string error;
        if (!writeFileAtomic(path.toStdString(), python.toStdString(), error))
            qWarning("%s", error.c_str());
        return path;
    }
    static bool processGone(qint64 pid)
    {
        // A zombie waiting for its parent counts as gone: it runs nothing.
        QFile stat(QString("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return true;
        const QByteArray text = stat.readAll();
        const int paren = text.lastIndexOf(')');
        return paren > 0 && text.mid(paren + 2, 1) == "Z";
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QString error;
        QVERIFY2(m_sshd.start(error), qPrintable(error));
    }

    void boardsFileHoldsNoSecrets()
    {
        qputenv("XDG_CONFIG_HOME", (m_work.path() + "/config").toUtf8());
        QCOMPARE(QString::fromStdString(boardsFilePath()), m_work.path() + "/config/qnn-workbench/boards.json");
        BoardStore store;
        std::string error;
        QVERIFY(store.load(error)); // a missing file is an empty list
        QVERIFY(store.boards().empty());
        store.put(sshBoard(m_sshd.path("client_key")));
        BoardConfig local;
        local.name = "laptop";
        local.kind = "local";
        local.remoteDir = "/tmp/board";
        store.put(local);
        QVERIFY2(store.save(error), error.c_str());
        BoardStore again;
        QVERIFY(again.load(error));
        QCOMPARE(again.boards().size(), size_t(2));
        QVERIFY(*again.find("loopback") == sshBoard(m_sshd.path("client_key")));
        const std::string text = fileBytes(QString::fromStdString(store.path()));
        QVERIFY(text.find("client_key\"") != std::string::npos); // the key's path...
        QVERIFY(text.find("PRIVATE KEY") == std::string::npos);   // ...never its content
        QVERIFY(again.remove("laptop"));
        QVERIFY(!again.remove("laptop"));
        BoardConfig bad = local;
        bad.kind = "pynq-z3";
        QVERIFY(!validateBoard(bad, error));
        QCOMPARE(error, std::string("unknown board kind 'pynq-z3': use pynq-z1, pynq-z2, ultra96, zcu104, linux, xrt or local"));
        // One list of kinds: the SSH ones take their part from the device table.
        QCOMPARE(boardKindList(), std::string("pynq-z1, pynq-z2, ultra96, zcu104, linux, xrt or local"));
        QCOMPARE(boardPart("pynq-z2"), std::string("xc7z020"));
        QCOMPARE(boardPart("ultra96"), std::string("xczu3eg"));
        QCOMPARE(boardPart("zcu104"), std::string("xczu7ev"));
        QCOMPARE(boardPart("local"), std::string());
        QCOMPARE(boardPart("xrt"), std::string());
    }

    void unknownHostKeyIsRefusedUnlessAccepted()
    {
        QFile::remove(m_sshd.path("known_hosts"));
        SshOptions options;
        options.knownHosts = m_sshd.path("known_hosts").toStdString();
        SshBoard board(sshBoard(m_sshd.path("client_key")), options);
        std::string error;
        QVERIFY(!board.connect(error));
        const QString fingerprint = SshdFixture::fingerprint(m_sshd.path("host_key.pub"));
        QVERIFY(fingerprint.startsWith("SHA256:"));
        QCOMPARE(QString::fromStdString(board.hostKeyProblem().kind), QString("unknown"));
        QCOMPARE(QString::fromStdString(board.hostKeyProblem().fingerprint), fingerprint);
        QVERIFY2(error.find("can't be established. ED25519 key fingerprint is " + fingerprint.toStdString()) !=
                     std::string::npos,
                 error.c_str());
        QVERIFY(!QFile::exists(m_sshd.path("known_hosts")));

        options.acceptNewHostKey = true;
        SshBoard accepting(sshBoard(m_sshd.path("client_key")), options);
        QVERIFY2(accepting.connect(error), error.c_str());
        QVERIFY(fileBytes(m_sshd.path("known_hosts")).find("[127.0.0.1]:" + std::to_string(m_sshd.port())) !=
                std::string::npos);
        // Known now: no acceptance needed.
        options.acceptNewHostKey = false;
        SshBoard again(sshBoard(m_sshd.path("client_key")), options);
        QVERIFY2(again.connect(error), error.c_str());
        BoardInfo info;
        QVERIFY2(again.describe(info, error), error.c_str());
        QCOMPARE(QString::fromStdString(info.hostKeyFingerprint), fingerprint);
        QVERIFY(QString::fromStdString(info.python).startsWith("Python 3"));
        QVERIFY(info.freeBytes > 0);
    }

    void wrongKeyOrPasswordIsASentence()
    {
        std::string error;
        SshBoard wrongKey(sshBoard(m_sshd.path("other_key")), trusting());
        QVERIFY(!wrongKey.connect(error));
        QVERIFY2(error.find("refused the key " + m_sshd.path("other_key").toStdString()) != std::string::npos,
                 error.c_str());

        BoardConfig noKey = sshBoard("");
        SshOptions withPassword = trusting();
        withPassword.password = "not-the-password";
        SshBoard wrongPassword(noKey, withPassword);
        QVERIFY(!wrongPassword.connect(error));
        QVERIFY2(error.find("refused the password for user") != std::string::npos, error.c_str());

        SshBoard missingKey(sshBoard(m_sshd.path("no_such_key")), trusting());
        QVERIFY(!missingKey.connect(error));
        QVERIFY2(error.find("cannot read the private key") != std::string::npos, error.c_str());
    }

    void closedPortFailsWithASentence()
    {
        BoardConfig b = sshBoard(m_sshd.path("client_key"));
        b.port = SshdFixture::freePort();
        SshBoard board(b, trusting());
        std::string error;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!board.connect(error));
        QVERIFY2(error.find("connection refused") != std::string::npos, error.c_str());
        QVERIFY(error.find("port " + std::to_string(b.port)) != std::string::npos);
        QVERIFY(timer.elapsed() < 5000); // a generous bound: refusal on loopback is immediate
    }

    void silentServerFailsWithASentence()
    {
        // A port that accepts TCP but never speaks SSH (the kernel completes
        // the handshake into the backlog): the SSH handshake runs out of time.
        int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        QCOMPARE(::listen(listener, 4), 0);
        socklen_t len = sizeof a;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
        BoardConfig b = sshBoard(m_sshd.path("client_key"));
        b.port = ntohs(a.sin_port);
        SshOptions options = trusting();
        options.connectTimeoutMs = 1000; // the default is 5 s; the test needs no more than this
        SshBoard board(b, options);
        std::string error;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!board.connect(error));
        ::close(listener);
        QVERIFY2(error.find("the SSH handshake with " + b.user + "@127.0.0.1:" + std::to_string(b.port) + " failed") !=
                     std::string::npos,
                 error.c_str());
        QVERIFY(timer.elapsed() < 20000); // generous: it gives up after about a second
    }

    void filesArriveByteIdenticalAndCurrentSwitches()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage p = package("run-a");
        QVERIFY(!p.files.empty());
        uint64_t lastDone = 0, lastTotal = 0;
        QVERIFY2(board.upload(p.name, p.files,
                              [&](uint64_t done, uint64_t total) {
                                  QVERIFY(done >= lastDone);
                                  lastDone = done;
                                  lastTotal = total;
                              },
                              error),
                 error.c_str());
        QCOMPARE(lastDone, p.bytes);
        QCOMPARE(lastTotal, p.bytes);
        for (const auto& f : p.files)
            QVERIFY2(fileBytes(QString::fromStdString(f.localPath)) == fileBytes(deployed(p, f.remotePath)),
                     f.remotePath.c_str());
        QVERIFY2(board.verify(p.name, p.sha256, error), error.c_str());
        QVERIFY2(board.switchCurrent(p.name, error), error.c_str());
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(p.name));
        CurrentDeployment current;
        QVERIFY(board.current(current, error));
        QVERIFY(current.present);
        QCOMPARE(current.run, std::string("run-a"));
        QCOMPARE(current.folder, "deployments/" + p.name);
        // A second upload under the same name is refused: deployments are never overwritten.
        QVERIFY(!board.upload(p.name, p.files, {}, error));
        QVERIFY2(error.find("already has a deployment") != std::string::npos, error.c_str());
    }

    void flippedByteIsDetectedAndCurrentStays()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage before = package("run-b");
        makeCurrent(board, before);
        const QString previous = currentTarget();

        DeploymentPackage next = package("run-c");
        Deployer deployer(board);
        QStringList steps;
        deployer.setObserver([&](const std::string& step, const std::string&) {
            steps << QString::fromStdString(step);
            if (step == "verify" && steps.count("verify") == 1) {
                // Flip one byte on the board after the upload, before the check.
                QFile f(deployed(next, "model/0-0-weights.bin"));
                QVERIFY(f.open(QIODevice::ReadWrite));
                f.seek(1234);
                char c = 0;
                f.getChar(&c);
                f.seek(1234);
                f.putChar(static_cast<char>(c ^ 0x10));
            }
        });
        DeployResult result;
        QVERIFY(!deployer.deploy(next, result, error));
        QVERIFY2(error.find("verification failed: 1 of") != std::string::npos, error.c_str());
        QVERIFY2(error.find("model/0-0-weights.bin has SHA-256") != std::string::npos, error.c_str());
        QVERIFY(!steps.contains("switch"));
        QCOMPARE(currentTarget(), previous);
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments/") + QString::fromStdString(next.name)));
    }

    void cancelMidUploadLeavesPreviousCurrent()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        makeCurrent(board, package("run-d"));
        const QString previous = currentTarget();

        const DeploymentPackage next = package("run-e", 2000000);
        std::atomic<bool> cancel{false};
        board.setCancelFlag(&cancel);
        Deployer deployer(board);
        uint64_t cancelledAt = 0;
        deployer.setProgress([&](uint64_t done, uint64_t) {
            if (!cancel && done > 100000) {
                cancel = true;
                cancelledAt = done;
            }
        });
        DeployResult result;
        QVERIFY(!deployer.deploy(next, result, error));
        QVERIFY(cancelledAt > 0 && cancelledAt < next.bytes);
        QVERIFY2(error.find("cancelled during the upload") != std::string::npos, error.c_str());
        QVERIFY2(error.find("current still points to deployments/") != std::string::npos, error.c_str());
        QCOMPARE(currentTarget(), previous);
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments/") + QString::fromStdString(next.name)));
    }

    void manifestNamesCannotLeaveThePackedFolder()
    {
        // A manifest entry pointing outside the run, with the right SHA-256 of its target.
        const QString packed = m_work.path() + "/packed-evil";
        writePackedFolder(packed, 1000);
        const std::string secret = "not for the board\n";
        std::string error;
        QVERIFY(writeFileAtomic((m_work.path() + "/secret.txt").toStdString(), secret, error));
        nlohmann::json m = nlohmann::json::parse(fileBytes(packed + "/manifest.json"));
        for (const std::string name : {"../secret.txt", "/etc/passwd", "sub/0-0-weights.bin", "..", "notes.md"}) {
            nlohmann::json evil = m;
            evil["files"][name] = sha256Hex(secret);
            QVERIFY(writeFileAtomic((packed + "/manifest.json").toStdString(), evil.dump(), error));
            std::map<std::string, std::string> sums;
            QVERIFY2(!readManifestChecksums(packed.toStdString(), sums, error), name.c_str());
            QVERIFY2(error.find("\"" + name + "\" under \"files\", which is not a file of a packed folder") !=
                         std::string::npos,
                     error.c_str());
            QVERIFY(sums.empty());
        }
        // A listed name that is a symbolic link is not followed.
        QVERIFY(writeFileAtomic((packed + "/manifest.json").toStdString(), m.dump(), error));
        QFile::remove(packed + "/classes.txt");
        QVERIFY(QFile::link(m_work.path() + "/secret.txt", packed + "/classes.txt"));
        m["files"]["classes.txt"] = sha256Hex(secret);
        QVERIFY(writeFileAtomic((packed + "/manifest.json").toStdString(), m.dump(), error));
        PackageRequest request;
        request.run = "evil";
        request.packedDir = packed.toStdString();
        QVERIFY(makeStagingFolder(request.stagingDir, error));
        DeploymentPackage p;
        QVERIFY(!buildDeploymentPackage(request, someImages(5), p, error));
        QVERIFY2(error.find("classes.txt is missing, a link or not a regular file") != std::string::npos,
                 error.c_str());

        // Board::upload refuses such paths too, before anything reaches the board.
        LocalBoard board((m_work.path() + "/traversal-board").toStdString());
        QVERIFY(board.connect(error));
        const std::vector<UploadItem> files{{(m_work.path() + "/secret.txt").toStdString(), "model/../../../x.txt"}};
        QVERIFY(!board.upload("ok-name", files, {}, error));
        QVERIFY2(error.find("is not a path inside the deployment folder") != std::string::npos, error.c_str());
        QVERIFY(!board.upload("../escape", {}, {}, error));
        QVERIFY2(error.find("is not a deployment name") != std::string::npos, error.c_str());
        QVERIFY(QDir(m_work.path() + "/traversal-board/deployments").isEmpty());
        QVERIFY(!QFileInfo::exists(m_work.path() + "/x.txt"));
    }

    void stagingFolderIsPrivateAndNeverPlanted()
    {
        std::string a, b, error;
        QVERIFY(makeStagingFolder(a, error));
        QVERIFY(makeStagingFolder(b, error));
        QVERIFY(a != b);
        struct stat st {};
        QCOMPARE(::lstat(a.c_str(), &st), 0);
        QVERIFY(S_ISDIR(st.st_mode));
        QCOMPARE(int(st.st_mode & 0777), 0700);
        QCOMPARE(st.st_uid, ::geteuid());
        QDir().rmdir(QString::fromStdString(a));
        QDir().rmdir(QString::fromStdString(b));

        // A link planted where the staging folder goes: nothing is written into its target.
        const QString target = m_work.path() + "/planted-target";
        QDir().mkpath(target);
        const QString planted = m_work.path() + "/planted-staging";
        QVERIFY(QFile::link(target, planted));
        writePackedFolder(m_work.path() + "/packed-planted", 1000);
        PackageRequest request;
        request.run = "planted";
        request.packedDir = (m_work.path() + "/packed-planted").toStdString();
        request.stagingDir = planted.toStdString();
        DeploymentPackage p;
        QVERIFY(!buildDeploymentPackage(request, someImages(5), p, error));
        QVERIFY2(error.find("refused the staging folder") != std::string::npos, error.c_str());
        QVERIFY(QDir(target).isEmpty());
        // A folder others may open is refused too.
        const QString open = m_work.path() + "/open-staging";
        QVERIFY(QDir().mkpath(open));
        QFile::setPermissions(open, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                                        QFile::ExeOther);
        request.stagingDir = open.toStdString();
        QVERIFY(!buildDeploymentPackage(request, someImages(5), p, error));
        QVERIFY2(error.find("mode 0700") != std::string::npos, error.c_str());
        QVERIFY(QDir(open).isEmpty());
    }

    void twoDeploysInOneSecondGetTwoFolders()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage first = package("same", 2000, QString(), "20261206-120000");
        const DeploymentPackage second = package("same", 2000, QString(), "20261206-120000");
        QVERIFY(first.name != second.name);
        QVERIFY(QString::fromStdString(first.name).startsWith("20261206-120000-same-"));
        makeCurrent(board, first);
        makeCurrent(board, second);
        QVERIFY(QFileInfo::exists(deployed(first, "deploy.json")));
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(second.name));
    }

    void failedUploadBesideTheLiveDeploymentKeepsIt()
    {
        // The same name twice (the old one-second names did this): the second
        // upload fails and must not remove the live folder `current` points to.
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage live = package("live");
        makeCurrent(board, live);
        SshBoard other(sshBoard(m_sshd.path("client_key")), trusting());
        Deployer deployer(other);
        DeployResult result;
        QVERIFY(!deployer.deploy(live, result, error));
        QVERIFY2(error.find("already has a deployment") != std::string::npos, error.c_str());
        QVERIFY2(error.find("current still points to deployments/" + live.name) != std::string::npos, error.c_str());
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(live.name));
        for (const auto& f : live.files)
            QVERIFY2(fileBytes(QString::fromStdString(f.localPath)) == fileBytes(deployed(live, f.remotePath)),
                     f.remotePath.c_str());
        QVERIFY(!other.removeDeployment(live.name)); // not this object's to remove
        QVERIFY(QFileInfo::exists(deployed(live, "deploy.json")));
    }

    void halfUploadedFolderIsRemoved()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage p = package("slow", 1000000);
        board.setStepTimeoutMs(1000);
        bool slept = false;
        QVERIFY(!board.upload(p.name, p.files,
                              [&](uint64_t, uint64_t) {
                                  if (!slept) {
                                      slept = true;
                                      QThread::msleep(1200); // a link that stalls mid-upload
                                  }
                              },
                              error));
        QVERIFY2(error.find("the upload did not finish within 1 s") != std::string::npos, error.c_str());
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments/") + QString::fromStdString(p.name)));
    }

    void droppedConnectionLeavesNothingAfterTheNextDeploy()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage live = package("before-drop", 2000);
        makeCurrent(board, live);
        // The link drops mid-upload and the board stays unreachable: the
        // failed upload cannot remove its folder.
        const DeploymentPackage cut = package("cut", 2000000);
        board.setStepTimeoutMs(1000); // its marker says: abandoned after 3 s
        bool dropped = false;
        QVERIFY(!board.upload(cut.name, cut.files,
                              [&](uint64_t done, uint64_t) {
                                  if (!dropped && done > 200000) {
                                      dropped = true;
                                      m_sshd.dropConnections(true);
                                  }
                              },
                              error));
        QVERIFY(dropped);
        const QString half = m_sshd.path("board/deployments/") + QString::fromStdString(cut.name);
        QVERIFY(QFileInfo::exists(half + "/.uploading"));
        QString why;
        QVERIFY2(m_sshd.restart(why), qPrintable(why));

        // A folder still being uploaded by someone else (a fresh marker) stays.
        const QString busy = m_sshd.path("board/deployments/20261206-120000-busy-aaaa");
        QVERIFY(QDir().mkpath(busy));
        QVERIFY(writeFileAtomic((busy + "/.uploading").toStdString(), "600", error));
        // Past the 3 s limit by more than a whole second: the board compares
        // whole-second times (stat -c %Y, date +%s), so 3.5 s could read as 3.
        QThread::msleep(4500);

        // The next deploy, over a new connection, removes the half folder first.
        SshBoard next(sshBoard(m_sshd.path("client_key")), trusting());
        Deployer deployer(next);
        QStringList said;
        deployer.setObserver([&](const std::string& step, const std::string& message) {
            said << QString::fromStdString(step + ": " + message);
        });
        const DeploymentPackage after =
            package("after-drop", 2000, runnerScript("answers", "print('{\"predictions\": [], \"accuracy\": 1}')\n"));
        DeployResult result;
        QVERIFY2(deployer.deploy(after, result, error), error.c_str());
        QVERIFY(!QFileInfo::exists(half));
        QVERIFY2(said.join('\n').contains(
                     QString::fromStdString("removed deployments/" + cut.name + ", which an earlier deploy left")),
                 qPrintable(said.join('\n')));
        QVERIFY(QFileInfo::exists(busy + "/.uploading"));
        QVERIFY(QFileInfo::exists(deployed(live, "deploy.json")));
        QVERIFY(!QFileInfo::exists(deployed(after, ".uploading"))); // a finished upload keeps no marker
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(after.name));
        QDir(busy).removeRecursively();
    }

    void localBoardRemovesAbandonedUploadsOnly()
    {
        // A qnnw killed mid-upload to a folder board leaves its marker behind.
        const QString root = m_work.path() + "/abandon-board";
        LocalBoard board(root.toStdString());
        std::string error;
        QVERIFY(board.connect(error));
        const auto plant = [&](const QString& name, const char* limit, int ageSeconds) {
            const QString d = root + "/deployments/" + name;
            QDir().mkpath(d);
            QVERIFY(writeFileAtomic((d + "/.uploading").toStdString(), limit, error));
            QVERIFY(writeFileAtomic((d + "/0-0-weights.bin").toStdString(), "half", error));
            const timespec when[2] = {{::time(nullptr) - ageSeconds, 0}, {::time(nullptr) - ageSeconds, 0}};
            QCOMPARE(::utimensat(AT_FDCWD, (d + "/.uploading").toUtf8().constData(), when, 0), 0);
        };
        plant("old-killed", "601", 700);   // older than its limit: abandoned
        plant("still-going", "601", 10);   // a live upload beside ours
        plant("current-one", "1", 700);    // named by current: never touched
        plant("no-number", "x", 700);      // unreadable limit: an hour
        QVERIFY(QFile::link("deployments/current-one", root + "/current"));
        QDir().mkpath(root + "/deployments/finished"); // no marker: a whole deployment
        const DeploymentPackage p = package("local-next", 2000);
        QVERIFY2(board.upload(p.name, p.files, {}, error), error.c_str());
        QCOMPARE(board.removedAbandoned(), std::vector<std::string>{"old-killed"});
        for (const char* kept : {"still-going", "current-one", "no-number", "finished"})
            QVERIFY2(QFileInfo::exists(root + "/deployments/" + kept), kept);
        QVERIFY(!QFileInfo::exists(root + "/deployments/old-killed"));
        const QString mine = root + "/deployments/" + QString::fromStdString(p.name);
        QVERIFY(QFileInfo::exists(mine + "/deploy.json"));
        // Uploaded but not yet verified (a qnnw killed here) is no deployment yet.
        QCOMPARE(fileBytes(mine + "/.uploading"), std::string("601")); // twice the 300 s step limit, plus 1
        QVERIFY2(board.verify(p.name, p.sha256, error), error.c_str());
        QVERIFY(!QFileInfo::exists(mine + "/.uploading"));
        // Verifying a folder another upload is filling never calls it whole.
        QVERIFY(!board.verify("still-going", {{"0-0-weights.bin", std::string(64, '0')}}, error));
        QVERIFY(QFileInfo::exists(root + "/deployments/still-going/.uploading"));
    }

    void connectionLostBetweenUploadAndVerificationLeavesNothingAfterTheNextDeploy()
    {
        // Every file arrived, then the link dropped before the checksum check
        // and stayed down: the deploy cannot remove the folder it made, and
        // the folder must not pass for a deployment.
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage live = package("before-verify-drop", 2000);
        makeCurrent(board, live);
        const DeploymentPackage cut = package("unverified", 2000);
        SshBoard dropping(sshBoard(m_sshd.path("client_key")), trusting());
        dropping.setStepTimeoutMs(1000); // its marker says: abandoned 3 s after the upload ended
        Deployer first(dropping);
        bool dropped = false;
        first.setObserver([&](const std::string& step, const std::string&) {
            if (step == "verify" && !dropped) {
                dropped = true;
                m_sshd.dropConnections(true);
            }
        });
        DeployResult result;
        QVERIFY(!first.deploy(cut, result, error));
        QVERIFY(dropped);
        QVERIFY2(error.find("verification failed") != std::string::npos, error.c_str());
        QVERIFY2(error.find("current still points to deployments/" + live.name) != std::string::npos, error.c_str());
        const QString unverified = m_sshd.path("board/deployments/") + QString::fromStdString(cut.name);
        for (const auto& f : cut.files) // the whole upload is there, byte for byte
            QVERIFY2(fileBytes(QString::fromStdString(f.localPath)) == fileBytes(deployed(cut, f.remotePath)),
                     f.remotePath.c_str());
        QVERIFY(QFileInfo::exists(unverified + "/.uploading"));
        QString why;
        QVERIFY2(m_sshd.restart(why), qPrintable(why));
        QThread::msleep(4500); // past the 3 s limit by more than a whole second (see above)

        SshBoard next(sshBoard(m_sshd.path("client_key")), trusting());
        Deployer deployer(next);
        QStringList said;
        deployer.setObserver([&](const std::string& step, const std::string& message) {
            said << QString::fromStdString(step + ": " + message);
        });
        const DeploymentPackage after = package("after-verify-drop", 2000,
                                                runnerScript("answers-too", "print('{\"predictions\": [], \"accuracy\": 1}')\n"));
        QVERIFY2(deployer.deploy(after, result, error), error.c_str());
        QVERIFY(!QFileInfo::exists(unverified));
        QVERIFY2(said.join('\n').contains(
                     QString::fromStdString("removed deployments/" + cut.name + ", which an earlier deploy left")),
                 qPrintable(said.join('\n')));
        QVERIFY(QFileInfo::exists(deployed(live, "deploy.json")));
        QVERIFY(!QFileInfo::exists(deployed(after, ".uploading")));
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(after.name));
    }

    void runThatFailsAfterTheSwitchSwitchesBack()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const DeploymentPackage good = package("good");
        makeCurrent(board, good);
        const QString failing =
            runnerScript("failing", "import json\nprint(json.dumps({'error': 'the overlay did not load'}))\n");
        const DeploymentPackage bad = package("bad", 2000, failing);
        Deployer deployer(board);
        DeployResult result;
        QVERIFY(!deployer.deploy(bad, result, error));
        QVERIFY2(error.find("the board could not run the model: the overlay did not load") != std::string::npos,
                 error.c_str());
        QVERIFY2(error.find("current was switched back to deployments/" + good.name) != std::string::npos,
                 error.c_str());
        QCOMPARE(currentTarget(), m_sshd.path("board/deployments/") + QString::fromStdString(good.name));
    }

    void malformedOrEndlessRunnerOutputIsASentence()
    {
        nlohmann::json out;
        std::string error;
        QVERIFY(!parseRunnerResult(R"({"predictions": ["7"], "accuracy": 0.5})", out, error));
        QVERIFY2(error.find("\"predictions\"") != std::string::npos && error.find("class numbers") != std::string::npos,
                 error.c_str());
        QVERIFY(!parseRunnerResult(R"({"accuracy": "high"})", out, error));
        QVERIFY2(error.find("printed \"accuracy\": \"high\", expected a number") != std::string::npos, error.c_str());
        QVERIFY(!parseRunnerResult(R"({"error": 42})", out, error));
        QVERIFY2(error.find("\"error\": 42, expected a string") != std::string::npos, error.c_str());
        QVERIFY(!parseRunnerResult("[1,2]", out, error));
        QVERIFY(parseRunnerResult(R"({"predictions": [1, 2], "accuracy": 1, "usec_per_image": null})", out, error));
        QVERIFY(out["predictions"] == nlohmann::json({1, 2}));
        QCOMPARE(out["usec_per_image"].get<double>(), 0.0);
        QCOMPARE(out["engine"].get<std::string>(), std::string());
        QCOMPARE(out["images"].get<int>(), 2);

        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        QVERIFY2(board.connect(error), error.c_str());
        Deployer deployer(board);
        DeployResult result;
        const DeploymentPackage typed =
            package("typed", 2000, runnerScript("typed", "print('{\"predictions\": \"all\", \"accuracy\": 1}')\n"));
        QVERIFY(!deployer.deploy(typed, result, error));
        QVERIFY2(error.find("printed \"predictions\": \"all\", expected a list of class numbers") != std::string::npos,
                 error.c_str());
        const DeploymentPackage endless = package(
            "endless", 2000, runnerScript("endless", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"));
        QVERIFY(!deployer.deploy(endless, result, error));
        QVERIFY2(error.find("the board printed more than 16 MB") != std::string::npos, error.c_str());
    }

    void cancelDuringTheRunStopsTheRemoteProcesses()
    {
        SshBoard board(sshBoard(m_sshd.path("client_key")), trusting());
        std::string error;
        QVERIFY2(board.connect(error), error.c_str());
        const QString pids = m_work.path() + "/runner-pids";
        QFile::remove(pids);
        // The runner and a child of its own (as qnnw run-packed is) both sleep.
        const QString sleeper = runnerScript(
            "sleeper", QString("import os, subprocess, time\n"
                               "child = subprocess.Popen(['sleep', '300'])\n"
                               "open('%1.tmp', 'w').write('%d %d' % (os.getpid(), child.pid))\n"
                               "os.rename('%1.tmp', '%1')\n"
                               "time.sleep(300)\n")
                           .arg(pids));
        const DeploymentPackage p = package("sleeper", 2000, sleeper);
        std::atomic<bool> cancel{false};
        board.setCancelFlag(&cancel);
        std::thread canceller([&] {
            for (int i = 0; i < 300 && !QFileInfo::exists(pids); ++i)
                QThread::msleep(50);
            cancel = true;
        });
        Deployer deployer(board);
        DeployResult result;
        QElapsedTimer timer;
        timer.start();
        const bool ok = deployer.deploy(p, result, error);
        canceller.join();
        QVERIFY(!ok);
        QVERIFY2(error.rfind("cancelled", 0) == 0, error.c_str());
        QVERIFY(timer.elapsed() < 60000);
        const QStringList ids = QString::fromStdString(fileBytes(pids)).split(' ');
        QCOMPARE(ids.size(), 2);
        for (const QString& id : ids) {
            for (int i = 0; i < 50 && !processGone(id.toLongLong()); ++i)
                QThread::msleep(100);
            QVERIFY2(processGone(id.toLongLong()), qPrintable("process " + id + " still runs on the board"));
        }
    }

    void approvedHostKeyIsTheOnlyOneTrusted()
    {
        const QString fingerprint = SshdFixture::fingerprint(m_sshd.path("host_key.pub"));
        SshOptions options;
        options.knownHosts = m_sshd.path("pinned_known_hosts").toStdString();
        QFile::remove(m_sshd.path("pinned_known_hosts"));
        // The user approved another key than the one the board presents now
        // (the key changed between approval and retry): refused, nothing written.
        options.acceptHostKey = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        SshBoard pinnedWrong(sshBoard(m_sshd.path("client_key")), options);
        std::string error;
        QVERIFY(!pinnedWrong.connect(error));
        QVERIFY2(error.find("presented the ED25519 host key " + fingerprint.toStdString() +
                            ", not the key you approved (SHA256:AAAA") != std::string::npos,
                 error.c_str());
        QCOMPARE(QString::fromStdString(pinnedWrong.hostKeyProblem().kind), QString("mismatch"));
        QVERIFY(!QFileInfo::exists(m_sshd.path("pinned_known_hosts")));
        // The approved one is trusted and remembered.
        options.acceptHostKey = fingerprint.toStdString();
        SshBoard pinned(sshBoard(m_sshd.path("client_key")), options);
        QVERIFY2(pinned.connect(error), error.c_str());
        QVERIFY(fileBytes(m_sshd.path("pinned_known_hosts")).find("[127.0.0.1]:") != std::string::npos);
    }

    void shellCharactersInNamesAreNeverRun()
    {
        // Names reach the board's shell in every step (mkdir, tar, sha256sum,
        // ln, the runner, current); quoted, none of these may run.
        const QString marker = m_work.path() + "/ran-from-the-dir";
        BoardConfig config = sshBoard(m_sshd.path("client_key"));
        config.remoteDir = m_sshd.path("board-$(touch " + marker + ")`touch " + marker + "`;touch " + marker + ";'q'")
                               .toStdString();
        SshBoard board(config, trusting());
        Deployer deployer(board);
        const DeploymentPackage p =
            package("r$(touch pwned)`touch pwned`;touch pwned 'q' \"q\" &&touch pwned", 2000,
                    runnerScript("answers-quoted", "print('{\"predictions\": [3], \"accuracy\": 1}')\n"));
        QVERIFY(!p.name.empty());
        DeployResult result;
        std::string error;
        QVERIFY2(deployer.deploy(p, result, error), error.c_str());
        const QString folder = QString::fromStdString(config.remoteDir) + "/deployments/" + QString::fromStdString(p.name);
        QVERIFY(QFileInfo::exists(folder + "/deploy.json"));
        QCOMPARE(QFileInfo(QString::fromStdString(config.remoteDir) + "/current").symLinkTarget(), folder);
        CurrentDeployment now;
        QVERIFY2(board.connect(error) && board.current(now, error), error.c_str());
        QCOMPARE(now.folder, "deployments/" + p.name);
        board.disconnect();
        QVERIFY(!QFileInfo::exists(marker));
        const passwd* user = ::getpwuid(::geteuid());
        for (const QString& where : {QString(user ? user->pw_dir : "/"), QDir::homePath(), m_sshd.path(""),
                                     QString::fromStdString(config.remoteDir), folder})
            QVERIFY2(!QFileInfo::exists(where + "/pwned"), qPrintable(where));
    }

    void deployJsonOfTheWrongShapeIsASentence()
    {
        // What a board's folder may hold after someone edited it: never an exception.
        const QString board = m_work.path() + "/odd-board";
        QDir().mkpath(board + "/deployments/d1");
        std::string error;
        QVERIFY(writeFileAtomic((board + "/deployments/d1/deploy.json").toStdString(),
                                R"({"run": 5, "time": [], "images": "../../../etc/passwd", "labels": "l"})", error));
        QVERIFY(QFile::link("deployments/d1", board + "/current"));
        CurrentDeployment current;
        QVERIFY(readCurrentDeployment(board.toStdString(), current, error));
        QVERIFY(current.present);
        QCOMPARE(current.run, std::string());
        nlohmann::json result;
        QVERIFY(!runDeployment((board + "/deployments/d1").toStdString(), result, error));
        QVERIFY2(error.find("deploy.json: \"run\" is 5, expected a string") != std::string::npos, error.c_str());
        QVERIFY(writeFileAtomic((board + "/deployments/d1/deploy.json").toStdString(),
                                R"({"run": "r", "images": "../../../etc/passwd", "labels": "l"})", error));
        QVERIFY(!runDeployment((board + "/deployments/d1").toStdString(), result, error));
        QVERIFY2(error.find("\"../../../etc/passwd\" is not a path inside the deployment folder") != std::string::npos,
                 error.c_str());
    }

    void xrtIsRefusedBeforeAnythingIsUploaded()
    {
        BoardConfig b;
        b.name = "card";
        b.kind = "xrt";
        b.remoteDir = (m_work.path() + "/xrt-deploy").toStdString();
        auto board = makeXrtBoard(b);
        std::string error;
        QVERIFY(!board->canDeploy(error));
        QVERIFY2(error.rfind("deploying to an XRT card is not implemented", 0) == 0, error.c_str());
        Deployer deployer(*board);
        QStringList steps;
        deployer.setObserver([&](const std::string& step, const std::string&) { steps << QString::fromStdString(step); });
        DeployResult result;
        QVERIFY(!deployer.deploy(package("xrt"), result, error));
        QCOMPARE(QString::fromStdString(error), QString::fromStdString(xrtDeployRefusal()));
        QVERIFY(steps.isEmpty());
        QVERIFY(!QFileInfo::exists(m_work.path() + "/xrt-deploy"));
    }

    void deployTrainedLfcThroughTheRunner()
    {
        QString projectDir, run, why;
        QVERIFY2(installStandInBnn(m_sshd, why), qPrintable(why));
        QVERIFY2(trainLfc(m_work.path() + "/lfc", projectDir, run, why), qPrintable(why));
        QString out, err;

        QCOMPARE(qnnw({"board", "add", "loopback", "--kind", "pynq-z1", "--host", "127.0.0.1", "--port",
                       QString::number(m_sshd.port()), "--user", qEnvironmentVariable("USER", "root"), "--key",
                       m_sshd.path("client_key"), "--dir", m_sshd.path("board-cli"), "--known-hosts",
                       m_work.path() + "/cli_known_hosts"},
                      out, err),
                 0);
        QCOMPARE(qnnw({"board", "add", "laptop", "--kind", "local", "--dir", m_work.path() + "/laptop"}, out, err), 0);
        QCOMPARE(qnnw({"board", "list"}, out, err), 0);
        QVERIFY2(out.contains("loopback") && out.contains("laptop"), qPrintable(out));

        const QStringList deploy{"deploy", projectDir + "/lfc.qnnproj", "--run", run, "--board", "loopback",
                                 "--limit", "500", "--json"};
        // First contact: refused, with the fingerprint, and nothing uploaded.
        QCOMPARE(qnnw(deploy, out, err), 1);
        // The refusal is the error event; the key it could not check rides on it.
        const QJsonObject key = lastEvent(out, "error").value("host_key").toObject();
        QCOMPARE(key.value("kind").toString(), QString("unknown"));
        QCOMPARE(key.value("fingerprint").toString(), SshdFixture::fingerprint(m_sshd.path("host_key.pub")));
        QVERIFY(!QFileInfo::exists(m_sshd.path("board-cli/current")));

        // Another key than the one approved: refused, nothing uploaded, nothing remembered.
        QCOMPARE(qnnw(deploy + QStringList{"--accept-host-key", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                      out, err),
                 1);
        QCOMPARE(lastEvent(out, "error").value("host_key").toObject().value("kind").toString(), QString("mismatch"));
        QVERIFY2(lastEvent(out, "error").value("message").toString().contains("not the key you approved"),
                 qPrintable(out));
        QVERIFY(!QFileInfo::exists(m_sshd.path("board-cli/deployments")) ||
                QDir(m_sshd.path("board-cli/deployments")).isEmpty());
        QVERIFY(!QFileInfo::exists(m_work.path() + "/cli_known_hosts"));

        QCOMPARE(qnnw(deploy + QStringList{"--accept-host-key", key.value("fingerprint").toString()}, out, err), 0);
        const QJsonObject result = lastEvent(out, "result");
        QVERIFY2(!result.isEmpty(), qPrintable(out + err));
        QCOMPARE(result.value("engine").toString(), QString("bnn")); // the runner's PYNQ path
        QCOMPARE(result.value("overlay").toString(), QString("lfcW1A1"));
        QCOMPARE(result.value("images").toInt(), 500);
        QCOMPARE(result.value("board_accuracy").toDouble(), result.value("workbench_accuracy").toDouble());
        QCOMPARE(result.value("differing_predictions").toInt(), 0);
        QVERIFY(result.value("board_accuracy").toDouble() > 0.3); // trained, not chance
        QVERIFY(result.value("usec_per_image").toDouble() > 0);
        QStringList steps;
        for (const QString& line : out.split('\n', Qt::SkipEmptyParts))
            if (QJsonDocument::fromJson(line.toUtf8()).object().value("event") == "step")
                steps << QJsonDocument::fromJson(line.toUtf8()).object().value("step").toString();
        steps.removeDuplicates();
        QCOMPARE(steps, QStringList({"pack", "connect", "upload", "verify", "switch", "run"}));
        // Byte-identical model on the board.
        const QString deployment = m_sshd.path("board-cli/current");
        for (const QString& f : QDir(projectDir + "/runs/" + run + "/packed").entryList(QDir::Files))
            QVERIFY2(fileBytes(projectDir + "/runs/" + run + "/packed/" + f) == fileBytes(deployment + "/model/" + f),
                     qPrintable(f));

        // The same deploy to a local folder runs the engine in-process.
        QCOMPARE(qnnw({"deploy", projectDir + "/lfc.qnnproj", "--run", run, "--board", "laptop", "--limit", "500",
                       "--json"},
                      out, err),
                 0);
        const QJsonObject local = lastEvent(out, "result");
        QCOMPARE(local.value("engine").toString(), QString("local"));
        QCOMPARE(local.value("board_accuracy").toDouble(), result.value("board_accuracy").toDouble());

        QCOMPARE(qnnw({"board", "test", "loopback", "--json"}, out, err), 0);
        const QJsonObject test = lastEvent(out, "result");
        QVERIFY(test.value("reachable").toBool());
        QVERIFY2(test.value("bnn").toString().endsWith("site/bnn"), qPrintable(out));
        QCOMPARE(test.value("cpu").toString(), QString("x86_64"));
        QCOMPARE(test.value("qnn_run").toString(), QString("x86_64"));
        QCOMPARE(test.value("current").toObject().value("run").toString(), run);
        QCOMPARE(test.value("current").toObject().value("accuracy").toDouble(),
                 result.value("board_accuracy").toDouble());
    }

    void runtimeForEachArchitecture_data()
    {
        QTest::addColumn<QString>("machine");
        QTest::addColumn<QString>("file"); // empty: no build for it
        QTest::addColumn<QString>("arch");
        QTest::newRow("aarch64") << "aarch64" << "qnn-run-aarch64" << "aarch64";
        QTest::newRow("arm64") << "arm64" << "qnn-run-aarch64" << "aarch64";
        QTest::newRow("armv7l (PYNQ-Z1)") << "armv7l" << "qnn-run-armhf" << "armhf";
        QTest::newRow("armv8l (32-bit user space)") << "armv8l" << "qnn-run-armhf" << "armhf";
        QTest::newRow("x86_64") << "x86_64" << "qnn-run-x86_64" << "x86_64";
        QTest::newRow("armv6l") << "armv6l" << "" << "";
        QTest::newRow("mips") << "mips" << "" << "";
        QTest::newRow("riscv64") << "riscv64" << "" << "";
    }
    void runtimeForEachArchitecture()
    {
        QFETCH(QString, machine);
        QFETCH(QString, file);
        QFETCH(QString, arch);
        QTemporaryDir bin;
        for (const char* name : {"qnn-run", "qnn-run-x86_64", "qnn-run-aarch64", "qnn-run-armhf"}) {
            std::string error;
            QVERIFY(writeFileAtomic((bin.path() + "/" + name).toStdString(), name, error));
        }
        BoardRuntime runtime;
        std::string error;
        const bool found = findBoardRuntime(machine.toStdString(), bin.path().toStdString(), runtime, error);
        if (file.isEmpty()) {
            QVERIFY(!found);
            QCOMPARE(QString::fromStdString(error),
                     "the board's CPU is '" + machine +
                         "' (uname -m), and qnn-run is built for x86_64, aarch64 and armv7 (armhf) only");
            return;
        }
        QVERIFY2(found, error.c_str());
        QCOMPARE(QString::fromStdString(runtime.path), bin.path() + "/" + file);
        QCOMPARE(QString::fromStdString(runtime.arch), arch);
        QCOMPARE(fileBytes(QString::fromStdString(runtime.path)), file.toStdString());

        // This installation without that build (no cross compiler when it was built): a sentence that says so.
        QVERIFY(QFile::remove(bin.path() + "/" + file));
        if (arch.toStdString() == hostRuntimeArch()) {
            // Built without the static board builds: this machine's own qnn-run serves a board like it.
            QVERIFY2(findBoardRuntime(machine.toStdString(), bin.path().toStdString(), runtime, error), error.c_str());
            QCOMPARE(QString::fromStdString(runtime.path), bin.path() + "/qnn-run");
            QVERIFY(QFile::remove(bin.path() + "/qnn-run"));
        }
        QVERIFY(!findBoardRuntime(machine.toStdString(), bin.path().toStdString(), runtime, error));
        QVERIFY2(error.find(bin.path().toStdString() + "/" + file.toStdString() + " is not there") != std::string::npos,
                 error.c_str());
        if (arch != "x86_64")
            QVERIFY2(error.find(arch == "aarch64" ? "g++-aarch64-linux-gnu" : "g++-arm-linux-gnueabihf") !=
                         std::string::npos,
                     error.c_str());
    }

    void uploadPathsFitTheTarHeader()
    {
        std::string header, error;
        QVERIFY2(tarFileHeader("model/0-0-weights.bin", 1234, false, header, error), error.c_str());
        QCOMPARE(header.size(), size_t(512));
        QCOMPARE(header.substr(0, 22), std::string("model/0-0-weights.bin\0", 22));
        QCOMPARE(header.substr(124, 12), std::string("00000002322\0", 12)); // 1234 in octal
        QCOMPARE(header.substr(100, 8), std::string("0000644\0", 8));
        unsigned sum = 0;
        for (size_t i = 0; i < header.size(); ++i)
            sum += (i >= 148 && i < 156) ? unsigned(' ') : static_cast<unsigned char>(header[i]);
        QCOMPARE(std::strtoul(header.substr(148, 6).c_str(), nullptr, 8), static_cast<unsigned long>(sum));
        QCOMPARE(tarPadding(1234), size_t(512 * 3 - 1234));
        QCOMPARE(tarPadding(1024), size_t(0));
        QVERIFY(!tarFileHeader(std::string(100, 'a'), 1, false, header, error));
        QVERIFY2(error.find("too long a path") != std::string::npos, error.c_str());
    }

    void boardWithoutARuntimeGetsNothingUploaded()
    {
        // A custom network (no overlay) on a CPU qnn-run is not built for: refused before the upload.
        const QString folder = m_work.path() + "/mips-board";
        BoardWithCpu board(folder.toStdString(), "mips");
        Deployer deployer(board);
        deployer.setRuntimeDir(qnn::test::qnnwDir().toStdString());
        DeployResult result;
        std::string error;
        QVERIFY(!deployer.deploy(package("mips"), result, error));
        QVERIFY2(error.find("the board's CPU is 'mips'") == 0 &&
                     error.find("matches no prebuilt overlay") != std::string::npos &&
                     error.find("nothing was uploaded") != std::string::npos,
                 error.c_str());
        QVERIFY(!QFileInfo::exists(folder + "/deployments") || QDir(folder + "/deployments").isEmpty());

        // A CPU it is built for: qnn-run goes along, executable, named in deploy.json with its SHA-256, verified.
        BoardWithCpu arm(folder.toStdString(), "armv7l");
        Deployer armDeployer(arm);
        armDeployer.setRuntimeDir(qnn::test::qnnwDir().toStdString());
        QStringList steps;
        armDeployer.setObserver([&](const std::string& step, const std::string& message) {
            steps << QString::fromStdString(step + ": " + message);
        });
        const DeploymentPackage p = package("armv7");
        if (!QFileInfo::exists(qnn::test::qnnwDir() + "/qnn-run-armhf"))
            QSKIP("this build has no qnn-run-armhf (g++-arm-linux-gnueabihf was not installed)");
        // The run fails (the test's packed folder is no network), after upload and verify.
        QVERIFY(!armDeployer.deploy(p, result, error));
        QVERIFY2(steps.contains("connect: the board's CPU is armv7l: qnn-run for armhf goes along"),
                 qPrintable(steps.join('\n')));
        QVERIFY2(steps.contains("verify: all " + QString::number(p.sha256.size() + 1) + " files match"),
                 qPrintable(steps.join('\n')));
        const QString deployed = folder + "/deployments/" + QString::fromStdString(p.name);
        QCOMPARE(fileBytes(deployed + "/qnn-run"), fileBytes(qnn::test::qnnwDir() + "/qnn-run-armhf"));
        QVERIFY(QFileInfo(deployed + "/qnn-run").isExecutable());
        const nlohmann::json deployJson = nlohmann::json::parse(fileBytes(deployed + "/deploy.json"));
        QCOMPARE(deployJson["runtime"]["arch"].get<std::string>(), std::string("armhf"));
        QCOMPARE(deployJson["runtime"]["file"].get<std::string>(), std::string("qnn-run"));
        QCOMPARE(deployJson["runtime"]["sha256"].get<std::string>(), sha256Hex(fileBytes(deployed + "/qnn-run")));
    }

    void customNetworkRunsOnTheBoardsCpu()
    {
        // 256 hidden units: no prebuilt overlay matches, so the board's CPU runs it with qnn-run.
        QString projectDir, run, why;
        QVERIFY2(trainLfc(m_work.path() + "/custom", projectDir, run, why, 256), qPrintable(why));
        QString out, err;
        QCOMPARE(qnnw({"board", "add", "linuxbox", "--kind", "linux", "--host", "127.0.0.1", "--port",
                       QString::number(m_sshd.port()), "--user", qEnvironmentVariable("USER", "root"), "--key",
                       m_sshd.path("client_key"), "--dir", m_sshd.path("board-linux"), "--known-hosts",
                       m_work.path() + "/linux_known_hosts"},
                      out, err),
                 0);
        const QStringList deploy{"deploy", projectDir + "/lfc.qnnproj", "--run", run, "--board", "linuxbox",
                                 "--limit", "300", "--accept-new-host-key"};
        QCOMPARE(qnnw(deploy + QStringList{"--json"}, out, err), 0);
        const QJsonObject result = lastEvent(out, "result");
        QVERIFY2(!result.isEmpty(), qPrintable(out + err));
        QCOMPARE(result.value("engine").toString(), QString("qnn-run"));
        QCOMPARE(result.value("backend").toString(), QString("CPU (qnn-run, x86_64)"));
        QCOMPARE(result.value("overlay").toString(), QString());
        QCOMPARE(result.value("images").toInt(), 300);
        // Bit-exact on the board: every prediction equals the workbench's integer engine's.
        QCOMPARE(result.value("differing_predictions").toInt(), 0);
        QCOMPARE(result.value("board_accuracy").toDouble(), result.value("workbench_accuracy").toDouble());
        QVERIFY(result.value("board_accuracy").toDouble() > 0.3); // trained, not chance
        QVERIFY(result.value("usec_per_image").toDouble() > 0);
        QVERIFY2(out.contains("the board's CPU is x86_64: qnn-run for x86_64 goes along"), qPrintable(out));

        // What ran is the static board build beside qnnw, byte for byte, named in deploy.json with its SHA-256.
        const QString current = m_sshd.path("board-linux/current");
        QCOMPARE(fileBytes(current + "/qnn-run"), fileBytes(qnn::test::qnnwDir() + "/qnn-run-x86_64"));
        // The tar stream carries the modes: qnn-run executable, the model's files not.
        QVERIFY(QFileInfo(current + "/qnn-run").isExecutable());
        QVERIFY(!QFileInfo(current + "/model/manifest.json").isExecutable());
        const nlohmann::json deployJson = nlohmann::json::parse(fileBytes(current + "/deploy.json"));
        QCOMPARE(deployJson["runtime"]["sha256"].get<std::string>(), sha256Hex(fileBytes(current + "/qnn-run")));
        QCOMPARE(deployJson["network"].get<std::string>(), std::string());

        // A person reads it in the result line.
        QCOMPARE(qnnw(deploy, out, err), 0);
        QVERIFY2(out.contains("on 300 images (CPU (qnn-run, x86_64));"), qPrintable(out));
        QVERIFY2(out.contains("0 predictions differ"), qPrintable(out));
    }

    void changedHostKeyIsRefusedAndNothingSent()
    {
        QString why;
        QVERIFY2(m_sshd.changeHostKey(why), qPrintable(why));
        SshOptions options;
        options.knownHosts = m_sshd.path("known_hosts").toStdString();
        options.acceptNewHostKey = true; // never applies to a changed key
        SshBoard board(sshBoard(m_sshd.path("client_key")), options);
        const DeploymentPackage p = package("run-f");
        Deployer deployer(board);
        DeployResult result;
        std::string error;
        QVERIFY(!deployer.deploy(p, result, error));
        QVERIFY2(error.find("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!") != std::string::npos, error.c_str());
        QVERIFY(error.find(SshdFixture::fingerprint(m_sshd.path("host_key.pub")).toStdString()) != std::string::npos);
        QCOMPARE(QString::fromStdString(board.hostKeyProblem().kind), QString("changed"));
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments/") + QString::fromStdString(p.name)));
    }

    void xrtWithoutDeviceSaysSo()
    {
        BoardConfig b;
        b.name = "card";
        b.kind = "xrt";
        b.remoteDir = (m_work.path() + "/xrt").toStdString();
        auto board = makeXrtBoard(b);
        std::string error;
        QVERIFY(!board->connect(error));
        if (haveXrt())
            QVERIFY2(error.rfind("no XRT device found (device 0): ", 0) == 0 && error.size() > 33, error.c_str());
        else
            QVERIFY2(error.find("this build has no XRT") != std::string::npos, error.c_str());
        std::vector<std::string> devices;
        QVERIFY(!listXrtDevices(devices, error));
        QVERIFY(devices.empty());
    }

    void cleanupTestCase() { m_sshd.stop(); }
};

QTEST_GUILESS_MAIN(TestDeploy)
#include "tst_deploy.moc"
