// `qnnw estimate` as a user runs it: it answers without changing the project
// (writes only with --save-folding), refuses numbers that are not numbers,
// prints the peak table per precision and the overlay verdict under the folding.
#include <QtTest>

#include <QCryptographicHash>
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

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A copy of an example project in dir.
QString copyExample(const QTemporaryDir& dir, const char* name)
{
    const QString to = dir.filePath(QString(name) + ".qnnproj");
    QFile::copy(QStringLiteral(QNN_SOURCE_DIR "/projects/") + name + ".qnnproj", to);
    QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner);
    return to;
}

} // namespace

class TestEstimateCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersWithoutWriting();
    void savesOnlyWhenAsked();
    void refusesNonFiniteNumbers_data();
    void refusesNonFiniteNumbers();
    void peakTable();
    void peakWithProjectNeed();
    void overlayVerdictFollowsFolding();
    void expectedErrorPrinted();
};

void TestEstimateCli::answersWithoutWriting()
{
    QTemporaryDir dir;
    const QString project = copyExample(dir, "lfc-w1a1-mnist");
    const QByteArray before = fileBytes(project);
    for (const QStringList& extra : {QStringList{"--folding", "bnn-pynq"}, QStringList{"--fps", "1000"},
                                     QStringList{"--folding", "max"}}) {
        const Result r = qnnw(QStringList{"estimate", project} + extra);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("throughput:"));
        QCOMPARE(fileBytes(project), before);
    }
}

void TestEstimateCli::savesOnlyWhenAsked()
{
    QTemporaryDir dir;
    const QString project = copyExample(dir, "lfc-w1a1-mnist");
    const QByteArray before = fileBytes(project);
    // To a file: the project stays as it was.
    const QString file = dir.filePath("fold.json");
    Result r = qnnw({"estimate", project, "--fps", "1000", "--save-folding", file});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(fileBytes(project), before);
    const QJsonObject saved = QJsonDocument::fromJson(fileBytes(file)).object();
    QCOMPARE(saved["source"].toString(), QString("fps 1000"));
    // Without a FILE: into the project's deploy section.
    r = qnnw({"estimate", project, "--fps", "1000", "--save-folding"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject deploy = QJsonDocument::fromJson(fileBytes(project)).object()["deploy"].toObject();
    QCOMPARE(deploy["folding"].toObject()["layers"].toObject(), saved["layers"].toObject());
}

void TestEstimateCli::refusesNonFiniteNumbers_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    const QString clock = "--clock: must be a number of MHz from 1 to 2000, got \"%1\"";
    const QString fps = "--fps: must be a finite number of frames per second above 0, got \"%1\"";
    QTest::newRow("clock nan") << QStringList{"--clock", "nan"} << clock.arg("nan");
    QTest::newRow("clock inf") << QStringList{"--clock", "inf"} << clock.arg("inf");
    QTest::newRow("clock negative") << QStringList{"--clock=-100"} << clock.arg("-100");
    QTest::newRow("fps nan") << QStringList{"--fps", "nan"} << fps.arg("nan");
    QTest::newRow("fps inf") << QStringList{"--fps", "inf"} << fps.arg("inf");
    QTest::newRow("fill nan") << QStringList{"--peak", "--device", "xcku115", "--fill", "nan"}
                              << "--fill: must be a fraction above 0 and at most 1, got \"nan\"";
}

void TestEstimateCli::refusesNonFiniteNumbers()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const QString project = copyExample(dir, "lfc-w1a1-mnist");
    const Result r = qnnw(QStringList{"estimate", project} + args);
    QVERIFY(r.exitCode != 0);
    QVERIFY2(QString::fromUtf8(r.err).contains(error), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestEstimateCli::peakTable()
{
    const Result r = qnnw({"estimate", "--peak", "--device", "xcku115", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["part"].toString(), QString("xcku115"));
    QCOMPARE(j["clock_mhz"].toDouble(), 250.0); // the seed's clock for the KU115
    QCOMPARE(j["fill"].toDouble(), 0.7);
    const QJsonArray rows = j["rows"].toArray();
    QCOMPARE(rows.size(), 6);
    QList<int> bits;
    for (const QJsonValue& v : rows)
        bits << v.toObject()["bits"].toInt();
    QCOMPARE(bits, (QList<int>{1, 2, 4, 8, 16, 32}));
    // 1 bit: 0.7 × 663,360 LUT / 2.5 per op × 250 MHz.
    QCOMPARE(rows[0].toObject()["ops_per_second"].toDouble(), 0.7 * 663360 / 2.5 * 250e6);
    // 16 bits: the DSPs run out first: 0.7 × 5,520 / 0.5 per op.
    QCOMPARE(rows[4].toObject()["limited_by"].toString(), QString("DSP"));
    QCOMPARE(rows[4].toObject()["ops_per_second"].toDouble(), 0.7 * 5520 / 0.5 * 250e6);
    // --clock and --fill change it; the text form says what it assumed.
    const Result t = qnnw({"estimate", "--peak", "--device", "xcku115", "--clock", "100", "--fill", "0.5"});
    QCOMPARE(t.exitCode, 0);
    QVERIFY2(t.out.contains("50 % of its LUTs and DSPs as multiply-accumulate units at 100 MHz"), t.out.constData());
    QVERIFY(t.out.contains("13.3 Top/s")); // 0.5 × 663,360 / 2.5 × 100 MHz
    const Result none = qnnw({"estimate", "--peak"});
    QCOMPARE(none.exitCode, 2);
    QVERIFY(none.err.contains("--peak needs a device"));
}

void TestEstimateCli::peakWithProjectNeed()
{
    QTemporaryDir dir;
    const QString project = copyExample(dir, "lfc-w1a1-mnist");
    const Result r = qnnw({"estimate", project, "--peak", "--device", "xcvu9p", "--fps", "10000", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject need = QJsonDocument::fromJson(r.out).object()["required"].toObject();
    // 2 ops per MAC: 784·1024 + 1024·1024·2 + 1024·10 MACs per frame.
    const double ops = 2.0 * (784 * 1024 + 1024 * 1024 * 2 + 1024 * 10);
    QCOMPARE(need["ops_per_frame"].toDouble(), ops);
    QCOMPARE(need["ops_per_second"].toDouble(), ops * 10000);
}

void TestEstimateCli::overlayVerdictFollowsFolding()
{
    QTemporaryDir dir;
    const QString project = copyExample(dir, "lfc-w1a1-mnist");
    Result r = qnnw({"estimate", project, "--folding", "bnn-pynq", "--json"});
    QJsonObject overlay = QJsonDocument::fromJson(r.out).object()["overlay"].toObject();
    QVERIFY(overlay["matches"].toBool());
    QVERIFY(overlay["folding_matches"].toBool());
    QCOMPARE(overlay["verdict"].toString(), QString("matches the prebuilt lfcW1A1 overlay: only the weights change"));
    r = qnnw({"estimate", project, "--fps", "1000", "--json"});
    overlay = QJsonDocument::fromJson(r.out).object()["overlay"].toObject();
    QVERIFY(overlay["matches"].toBool()); // the shapes still match…
    QVERIFY(!overlay["folding_matches"].toBool());
    QVERIFY2(overlay["verdict"].toString().contains("needs a rebuild"), qPrintable(overlay["verdict"].toString()));
    QVERIFY(!overlay["verdict"].toString().contains("only the weights change:"));
}

void TestEstimateCli::expectedErrorPrinted()
{
    QTemporaryDir dir;
    const QString project = copyExample(dir, "cnv-w2a2-cifar10");
    const Result r = qnnw({"estimate", project, "--folding", "bnn-pynq", "--device", "pynq-z2"});
    QCOMPARE(r.exitCode, 0); // cnvW2A2 runs on this part
    QVERIFY2(r.out.contains("expected error: LUT ±2 %, BRAM36 ±5 %"), r.out.constData());
    QVERIFY(r.out.contains("  fits\n"));
    const Result j = qnnw({"estimate", project, "--folding", "bnn-pynq", "--device", "pynq-z2", "--json"});
    const QJsonObject o = QJsonDocument::fromJson(j.out).object();
    QCOMPARE(o["expected_error"].toObject()["bram36_percent"].toDouble(), 5.0);
    QCOMPARE(o["verdict"].toString(), QString("fits"));
}

QTEST_APPLESS_MAIN(TestEstimateCli)
#include "tst_estimate_cli.moc"
