// The download dialog and File > Datasets… through real `qnnw data` child
// processes, against a local HTTP server serving the real MNIST files.
#include "../support/dataset_server.h"

#include "widgets/data/dataset_download_dialog.h"
#include "widgets/data/datasets_dialog.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest>

namespace {

const QString kMnist = QStringLiteral(QNN_DATASETS_DIR "/mnist");

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList labelTexts(const QWidget& w)
{
    QStringList texts;
    for (const QLabel* l : w.findChildren<QLabel*>())
        texts << l->text();
    return texts;
}

} // namespace

class TestDatasetDialog : public QObject
{
    Q_OBJECT

private:
    DatasetServer m_server;
    QTemporaryDir m_home;
    QString m_cwd;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.start({"mnist=" + kMnist}));
        // The child processes inherit this: the user data folder is empty, no proxy, no shared folder above.
        const QProcessEnvironment env = fetchEnvironment(m_home.path());
        for (const QString& k : QProcessEnvironment::systemEnvironment().keys())
            if (!env.contains(k))
                qunsetenv(k.toUtf8().constData());
        for (const QString& k : env.keys())
            qputenv(k.toUtf8().constData(), env.value(k).toUtf8());
        qputenv("QNNW", QNNW_PATH);
        m_cwd = QDir::currentPath();
        QDir::setCurrent(m_home.path());
    }
    void cleanupTestCase() { QDir::setCurrent(m_cwd); }

    void missingDatasetIsOffered()
    {
        qnn::DatasetChoice mnist;
        mnist.name = "mnist";
        const QString project = m_home.filePath("p.qnnproj");
        QVERIFY(DatasetDownloadDialog::isMissing(mnist, project));
        qnn::DatasetChoice own = mnist;
        own.path = "/some/folder"; // a folder the user chose: the run's own error speaks
        QVERIFY(!DatasetDownloadDialog::isMissing(own, project));
        qnn::DatasetChoice synthetic;
        QVERIFY(!DatasetDownloadDialog::isMissing(synthetic, project));
    }

    void failureIsASentenceAndRetryable()
    {
        qputenv("QNN_DATASET_MIRROR", m_server.url("missing/mnist/").toUtf8());
        DatasetDownloadDialog dialog("mnist");
        dialog.show();
        QTest::mouseClick(dialog.downloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.downloadButton()->isEnabled(), 20000);
        QVERIFY2(dialog.status().contains("the server has no such file (HTTP 404 Not Found)"),
                 qPrintable(dialog.status()));
        QCOMPARE(dialog.downloadButton()->text(), QString("&Retry"));
        QVERIFY(dialog.isVisible());
    }

    void cancelStopsTheChild()
    {
        qputenv("QNN_DATASET_MIRROR", m_server.url("slow-200000/mnist/").toUtf8());
        DatasetDownloadDialog dialog("mnist");
        dialog.show();
        QTest::mouseClick(dialog.downloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.progressBar()->value() > 0, 20000);
        QTest::mouseClick(dialog.cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 20000);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        const QString dir = m_home.path() + "/qnn-workbench/datasets/mnist";
        QVERIFY(QFileInfo(dir + "/train-images-idx3-ubyte.gz.part").size() > 0);
        QVERIFY(!QFile::exists(dir + "/train-images-idx3-ubyte.gz"));
    }

    // Names the dataset, size, source and licence; downloads (resuming the
    // part Cancel left) into the user data folder, byte for byte.
    void downloadThroughChildProcess()
    {
        qputenv("QNN_DATASET_MIRROR", m_server.url("mnist/").toUtf8());
        DatasetDownloadDialog dialog("mnist");
        dialog.show();
        const QString texts = labelTexts(dialog).join('\n');
        QVERIFY2(texts.contains("MNIST handwritten digits"), qPrintable(texts));
        QVERIFY2(texts.contains("11.6 MB"), qPrintable(texts));
        QVERIFY2(texts.contains("http://yann.lecun.com/exdb/mnist/"), qPrintable(texts));
        QVERIFY2(texts.contains("Creative Commons Attribution-Share Alike 3.0"), qPrintable(texts));
        QVERIFY2(texts.contains(m_home.path() + "/qnn-workbench/datasets/mnist"), qPrintable(texts));
        dialog.grab().save(QDir::tempPath() + "/qnn-dataset-dialog.png");

        QTest::mouseClick(dialog.downloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 60000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.progressBar()->value(), 1000);
        const QString dir = m_home.path() + "/qnn-workbench/datasets/mnist";
        QCOMPARE(dialog.downloadedDir(), dir);
        for (const QString& f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
            QVERIFY2(readAll(dir + "/" + f) == readAll(kMnist + "/" + f), qPrintable(f));
        QVERIFY(m_server.requests().last().contains("/mnist/t10k-labels-idx1-ubyte.gz"));

        qnn::DatasetChoice mnist;
        mnist.name = "mnist";
        QVERIFY(!DatasetDownloadDialog::isMissing(mnist, m_home.filePath("p.qnnproj")));
    }

    void datasetsDialogLists()
    {
        DatasetsDialog dialog;
        QSignalSpy refreshed(&dialog, &DatasetsDialog::refreshed);
        dialog.show();
        QVERIFY(refreshed.wait(30000));
        QTableWidget* t = dialog.table();
        QCOMPARE(t->rowCount(), 3);
        QCOMPARE(t->item(0, 0)->text(), QString("MNIST handwritten digits"));
        QCOMPARE(t->item(0, 1)->text(), m_home.path() + "/qnn-workbench/datasets/mnist");
        QCOMPARE(t->item(0, 2)->text(), QString("11.6 MB"));
        QCOMPARE(t->item(0, 3)->text(), QString("verified"));
        QCOMPARE(t->item(2, 1)->text(), QString("not found"));
        QCOMPARE(t->item(2, 2)->text(), QString("170.1 MB to download"));
        t->selectRow(0);
        QVERIFY(!dialog.downloadButton()->isEnabled());
        t->selectRow(2);
        QVERIFY(dialog.downloadButton()->isEnabled());
        dialog.grab().save(QDir::tempPath() + "/qnn-datasets-dialog.png");
    }
};

QTEST_MAIN(TestDatasetDialog)
#include "tst_dataset_dialog.moc"
