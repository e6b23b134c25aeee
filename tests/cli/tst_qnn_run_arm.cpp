// qnn-run cross-built for the boards (aarch64: Ultra96, ZCU104, Kria; armhf:
// PYNQ-Z1/Z2), run under qemu-user on Xilinx's packed LFC W1A1 and W1A2 (MNIST
// test images) and CNV W1A1 (20 random CIFAR-10 records): every prediction
// must equal the host engine's. Skips with a sentence where the cross
// compilers, qemu-user or ../shared are missing.
#include "core/data/cifar10_reader.h"
#include "core/data/idx_reader.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/util/atomic_file.h"

#include <QtTest>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <random>

using namespace qnn;

namespace {

const std::string kShared = QNN_SOURCE_DIR "/../shared";

QString crossBinary(const QString& arch) { return QFileInfo(QNNW_PATH).absolutePath() + "/qnn-run-" + arch; }

} // namespace

class TestQnnRunArm : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_mnist, m_cifar;
    ImageSet m_mnistImages, m_cifarImages;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The board builds read plain files (no zlib for the cross targets): gunzip MNIST's test split.
        std::string error, bytes;
        const std::string mnist = kShared + "/datasets/mnist/";
        m_mnist = m_dir.filePath("mnist");
        QDir().mkpath(m_mnist);
        for (const char* name : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            QProcess gunzip;
            gunzip.start("gzip", {"-dc", QString::fromStdString(mnist + name + ".gz")});
            if (gunzip.waitForFinished(60000) && gunzip.exitCode() == 0) {
                bytes = gunzip.readAllStandardOutput().toStdString();
                QVERIFY(writeFileAtomic((m_mnist + "/" + name).toStdString(), bytes, error));
            }
        }
        if (!readIdxPair((m_mnist + "/t10k-images-idx3-ubyte").toStdString(),
                         (m_mnist + "/t10k-labels-idx1-ubyte").toStdString(), 10, m_mnistImages, error))
            m_mnistImages = ImageSet{};
        // 20 random CIFAR-10 records: a test batch of its own.
        m_cifar = m_dir.filePath("cifar");
        QDir().mkpath(m_cifar);
        std::mt19937 rng(7);
        std::string records;
        for (int i = 0; i < 20; ++i) {
            records += char(rng() % 10);
            for (size_t p = 0; p < 3072; ++p)
                records += char(rng() & 0xff);
        }
        const std::string batch = (m_cifar + "/test_batch.bin").toStdString();
        QVERIFY(writeFileAtomic(batch, records, error));
        QVERIFY2(readCifarBatch(batch, m_cifarImages, error), error.c_str());
    }

    void predictionsEqualTheHostEngine_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("qemu");
        QTest::addColumn<QString>("network");
        QTest::addColumn<int>("limit");
        for (const auto& [arch, qemu] : {std::pair{"aarch64", "qemu-aarch64"}, std::pair{"armhf", "qemu-arm"}}) {
            QTest::addRow("%s lfcW1A1", arch) << arch << qemu << "lfcW1A1" << 500;
            QTest::addRow("%s lfcW1A2", arch) << arch << qemu << "lfcW1A2" << 300;
            QTest::addRow("%s cnvW1A1", arch) << arch << qemu << "cnvW1A1" << 20;
        }
    }

    void predictionsEqualTheHostEngine()
    {
        QFETCH(QString, arch);
        QFETCH(QString, qemu);
        QFETCH(QString, network);
        QFETCH(int, limit);
        if (!QFileInfo::exists(crossBinary(arch)))
            QSKIP(qPrintable("qnn-run for " + arch + " was not built: its cross compiler (" +
                             (arch == "armhf" ? "g++-arm-linux-gnueabihf" : "g++-aarch64-linux-gnu") +
                             ") is not installed"));
        const QString emulator = QStandardPaths::findExecutable(qemu);
        if (emulator.isEmpty())
            QSKIP(qPrintable(qemu + " is not installed (Debian's qemu-user): the " + arch + " build cannot run here"));
        const bool lfc = network.startsWith("lfc");
        const std::string folder = kShared + "/bnn-pynq-params/" + (lfc ? "mnist/" : "cifar10/") + network.toStdString();
        if (!QFileInfo::exists(QString::fromStdString(folder)))
            QSKIP("../shared/bnn-pynq-params is absent");
        if (lfc && m_mnistImages.size() == 0)
            QSKIP("the MNIST test set is not in ../shared/datasets/mnist");

        // The host engine on the same images.
        pack::PackedNet net;
        std::string error;
        QVERIFY2(pack::readPackedFolder(folder, "", net, error), error.c_str());
        pack::IntegerEngine engine;
        QVERIFY2(engine.load(net, error), error.c_str());
        ImageSet images = lfc ? m_mnistImages : m_cifarImages;
        images.truncate(size_t(limit));
        const std::vector<int> expected = engine.classifyAll(images);

        QProcess p;
        p.start(emulator, {crossBinary(arch), QString::fromStdString(folder), "--data", lfc ? m_mnist : m_cifar, "--limit",
                           QString::number(limit), "--predictions", "--json", "--threads", "2"});
        QVERIFY2(p.waitForFinished(300000), "qnn-run under qemu did not finish in 5 minutes");
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, err.constData());
        const QJsonObject result = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(result["event"].toString(), QString("result"));
        QCOMPARE(result["images"].toInt(), limit);
        const QString kernel = result["popcount"].toString();
        QVERIFY2(kernel == "neon" || kernel == "portable", qPrintable(kernel));
        const QJsonArray got = result["predictions"].toArray();
        QCOMPARE(got.size(), int(expected.size()));
        int differ = 0;
        for (int i = 0; i < got.size(); ++i)
            differ += got[i].toInt() != expected[size_t(i)];
        QVERIFY2(differ == 0, qPrintable(QString("%1 of %2 predictions differ").arg(differ).arg(got.size())));
        qInfo("%s %s: %d images, %s kernel, %.0f images/s under qemu", qPrintable(arch), qPrintable(network), limit,
              qPrintable(kernel), result["images_per_second"].toDouble());
    }
};

QTEST_GUILESS_MAIN(TestQnnRunArm)
#include "tst_qnn_run_arm.moc"
