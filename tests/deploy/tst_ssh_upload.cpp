// The SSH upload on a board without tar (a minimal busybox image): a real
// OpenSSH server on 127.0.0.1 whose commands see a PATH with every program of
// this machine but tar. The files must arrive byte for byte, qnn-run
// executable, and pass the same SHA-256 check as the tar stream's.
#include "support/sshd_fixture.h"

#include "core/deploy/ssh_board.h"
#include "core/util/atomic_file.h"
#include "core/util/sha256.h"

#include <QFileInfo>
#include <QTest>

#include <random>

using namespace qnn;
using namespace qnn::deploy;

namespace {

// Links to every program in the system's folders except tar: a PATH for a board without it.
bool pathWithoutTar(const QString& dir, QString& error)
{
    if (!QDir().mkpath(dir)) {
        error = "cannot create " + dir;
        return false;
    }
    for (const char* system : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"})
        for (const QFileInfo& program : QDir(system).entryInfoList(QDir::Files | QDir::NoDotAndDotDot)) {
            const QString name = program.fileName();
            if (name == "tar" || name == "gtar" || name == "bsdtar" || QFileInfo::exists(dir + "/" + name))
                continue;
            QFile::link(program.absoluteFilePath(), dir + "/" + name);
        }
    return true;
}

} // namespace

class TestSshUpload : public QObject
{
    Q_OBJECT

private:
    SshdFixture m_sshd;
    QTemporaryDir m_work;

    SshBoard board() const
    {
        const BoardConfig b = m_sshd.loopbackBoard("no-tar");
        SshOptions o;
        o.knownHosts = m_sshd.path("known_hosts").toStdString();
        o.acceptNewHostKey = true;
        return SshBoard(b, o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QString error;
        const QString bin = m_work.path() + "/bin-without-tar";
        QVERIFY2(pathWithoutTar(bin, error), qPrintable(error));
        m_sshd.setBoardPath(bin);
        QVERIFY2(m_sshd.start(error), qPrintable(error));
    }

    void boardReallyHasNoTar()
    {
        SshBoard b = board();
        std::string error, out, err;
        int status = 0;
        QVERIFY2(b.connect(error), error.c_str());
        QVERIFY2(b.exec("command -v tar; command -v sha256sum", out, err, status, error), error.c_str());
        QVERIFY2(out.find("/tar") == std::string::npos, out.c_str());
        QVERIFY2(out.find("sha256sum") != std::string::npos, out.c_str()); // the rest is there
    }

    void filesArriveOneByOneAndVerify()
    {
        // A large file (several channel windows), one in a subfolder, an executable, an empty one.
        const QString local = m_work.path() + "/package";
        QVERIFY(QDir().mkpath(local + "/weights"));
        std::mt19937 random(16);
        std::vector<UploadItem> files;
        std::map<std::string, std::string> sha256;
        uint64_t bytes = 0;
        const std::pair<const char*, size_t> contents[] = {
            {"weights/0-0-weights.bin", 700000}, {"classes.txt", 37}, {"qnn-run", 90000}, {"empty.txt", 0}};
        for (const auto& [name, size] : contents) {
            std::string data(size, '\0');
            for (auto& c : data)
                c = static_cast<char>(random());
            std::string error;
            const std::string path = (local + "/" + name).toStdString();
            QVERIFY2(writeFileAtomic(path, data, error), error.c_str());
            UploadItem item;
            item.localPath = path;
            item.remotePath = name;
            item.executable = std::string(name) == "qnn-run";
            files.push_back(item);
            sha256[name] = sha256Hex(data);
            bytes += size;
        }
        SshBoard b = board();
        std::string error;
        QVERIFY2(b.connect(error), error.c_str());
        uint64_t lastDone = 0, lastTotal = 0;
        QVERIFY2(b.upload("no-tar-1", files,
                          [&](uint64_t done, uint64_t total) {
                              QVERIFY(done >= lastDone);
                              lastDone = done, lastTotal = total;
                          },
                          error),
                 error.c_str());
        QCOMPARE(lastDone, bytes);
        QCOMPARE(lastTotal, bytes);
        const QString deployed = m_sshd.path("board/deployments/no-tar-1/");
        for (const UploadItem& f : files)
            QVERIFY2(fileBytes(QString::fromStdString(f.localPath)) == fileBytes(deployed + QString::fromStdString(f.remotePath)),
                     f.remotePath.c_str());
        QVERIFY(QFileInfo(deployed + "qnn-run").isExecutable());
        QVERIFY(!QFileInfo(deployed + "classes.txt").isExecutable());
        // Complete: the board's SHA-256 agrees, and only then does the upload marker go (a folder cut off
        // before the check keeps it, so that the next deploy removes it).
        const auto names = [&] { return QDir(deployed).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot); };
        QCOMPARE(names().size(), 4);
        QVERIFY(names().contains(".uploading"));
        QVERIFY2(b.verify("no-tar-1", sha256, error), error.c_str());
        QCOMPARE(names().size(), 3);
        QVERIFY(!names().contains(".uploading"));
        QVERIFY2(b.switchCurrent("no-tar-1", error), error.c_str());
        QCOMPARE(QFileInfo(m_sshd.path("board/current")).symLinkTarget(), m_sshd.path("board/deployments/no-tar-1"));
    }

    void cancelStopsTheFileByFileUpload()
    {
        const QString local = m_work.path() + "/big.bin";
        std::string error;
        QVERIFY2(writeFileAtomic(local.toStdString(), std::string(4u << 20, 'x'), error), error.c_str());
        UploadItem item;
        item.localPath = local.toStdString();
        item.remotePath = "big.bin";
        SshBoard b = board();
        QVERIFY2(b.connect(error), error.c_str());
        std::atomic<bool> cancel{false};
        b.setCancelFlag(&cancel);
        QVERIFY(!b.upload("no-tar-cancelled", {item}, [&](uint64_t done, uint64_t) { cancel = done > (1u << 20); },
                          error));
        QVERIFY2(error.find("cancelled during the upload") != std::string::npos, error.c_str());
        // A failed upload removes what it created, as with tar.
        QVERIFY(!QFileInfo::exists(m_sshd.path("board/deployments/no-tar-cancelled")));
    }

    void cleanupTestCase() { m_sshd.stop(); }
};

QTEST_GUILESS_MAIN(TestSshUpload)
#include "tst_ssh_upload.moc"
