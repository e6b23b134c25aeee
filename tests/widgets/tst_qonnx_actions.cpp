// File > Export / Import > QONNX: the menu entries and the qnnw child processes behind them.
#include <QtTest>

#include "widgets/onnx/qonnx_actions.h"

#include "support/qnnw_runner.h"

#include <QDir>
#include <QMenu>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

class TestQonnxActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void menuEntriesBeforeQuit()
    {
        QWidget window;
        QMenu file;
        file.addAction("Save");
        QAction* quit = file.addAction("Quit");
        installQonnxActions(&window, &file, quit, [] { return QString(); }, [](const QString&) {});
        QStringList texts;
        for (QAction* a : file.actions())
            texts << (a->isSeparator() ? QString("--") : a->text());
        QCOMPARE(texts, (QStringList{"Save", "&Import", "E&xport", "--", "Quit"}));
        QMenu* import = file.actions().at(1)->menu();
        QMenu* exportMenu = file.actions().at(2)->menu();
        QVERIFY(import && exportMenu);
        QCOMPARE(import->actions().first()->text(), QString("&QONNX (Brevitas, FINN)…"));
        QCOMPARE(exportMenu->actions().first()->text(), QString("&QONNX (for FINN)…"));
    }

    void exportThenImportThroughQnnw()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString project = dir.filePath("digits.qnnproj");
        QVERIFY(QFile::copy(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj", project));
        const auto train = qnn::test::runQnnw(
            {"train", project, "--epochs", "1", "--train-limit", "2000", "--threads", "2", "--json"});
        QVERIFY2(train.exitCode == 0, train.err.constData());
        const QStringList runs = QDir(dir.filePath("runs")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(runs.size(), 1);

        QWidget window;
        QString opened;
        QonnxActions actions(&window, [&] { return project; }, [&](const QString& p) { opened = p; });
        QSignalSpy done(&actions, &QonnxActions::finished);

        const QString file = dir.filePath("out/digits.onnx");
        QVERIFY(actions.startExport(project, runs.first(), file));
        QVERIFY(!actions.startExport(project, runs.first(), file)); // one at a time
        QVERIFY(done.wait(120000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(1).toString()));
        QVERIFY(QFileInfo(file).size() > 100000);
        QVERIFY(QFileInfo::exists(dir.filePath("out/folding_config.json")));
        QVERIFY(opened.isEmpty());

        const QString imported = dir.filePath("imported/digits.qnnproj");
        QVERIFY(actions.startImport(file, imported));
        QVERIFY(done.wait(120000));
        QVERIFY2(done.at(1).at(0).toBool(), qPrintable(done.at(1).at(1).toString()));
        QCOMPARE(opened, imported);
        QVERIFY(QFileInfo::exists(imported));
        QCOMPARE(QDir(dir.filePath("imported/runs")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1);

        // A file that is not ONNX: qnnw's sentence, and nothing opens.
        opened.clear();
        QFile bad(dir.filePath("bad.onnx"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not a network");
        bad.close();
        QVERIFY(actions.startImport(bad.fileName(), dir.filePath("bad/bad.qnnproj")));
        QVERIFY(done.wait(60000));
        QCOMPARE(done.at(2).at(0).toBool(), false);
        QVERIFY2(done.at(2).at(1).toString().contains("is not an ONNX model"), qPrintable(done.at(2).at(1).toString()));
        QVERIFY(opened.isEmpty());
    }
};

QTEST_MAIN(TestQonnxActions)
#include "tst_qonnx_actions.moc"
