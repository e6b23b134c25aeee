// The walls between the floors (docs/ARCHITECTURE.md), read from the sources
// and the build: no Qt in core or qnnw's sources, torch only in core/train
// sources and core/train/detail headers, no torch in the window, and the
// hardware, packing and deploy code never reaching into the trainer. A file
// that breaks a wall is named with its line.
#include <QtTest>

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>

namespace {

const QString kRoot = QStringLiteral(QNN_SOURCE_DIR);

struct Include {
    QString file; ///< relative to the source root
    int line = 0;
    QString target; ///< what is included, without <> or ""
};

// Every #include of the C++ files under `folder` (relative to the root).
QList<Include> includesUnder(const QString& folder)
{
    static const QRegularExpression include(QStringLiteral("^\\s*#\\s*include\\s*[<\"]([^>\"]+)[>\"]"));
    QList<Include> found;
    QDirIterator it(kRoot + "/" + folder, {"*.h", "*.hpp", "*.cpp", "*.cpp.in"}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        int n = 0;
        while (!f.atEnd()) {
            ++n;
            const auto m = include.match(QString::fromUtf8(f.readLine()));
            if (m.hasMatch())
                found.push_back({path.mid(kRoot.size() + 1), n, m.captured(1)});
        }
    }
    return found;
}

bool isQt(const QString& target)
{
    static const QRegularExpression qt(QStringLiteral("^(Q[A-Z]\\w*|Qt\\w*/.*|q\\w+\\.h)$"));
    return qt.match(target).hasMatch();
}

bool isTorch(const QString& target)
{
    return target.startsWith("torch/") || target.startsWith("ATen/") || target.startsWith("c10/") ||
           target.startsWith("caffe2/") || target == "torch.h";
}

// "file:line includes <target> (why)" for each include that `breaks` says breaks the wall.
QStringList violations(const QString& folder, const std::function<bool(const Include&)>& breaks, const QString& why)
{
    QStringList out;
    for (const Include& i : includesUnder(folder))
        if (breaks(i))
            out << QString("%1:%2 includes %3 (%4)").arg(i.file).arg(i.line).arg(i.target, why);
    return out;
}

} // namespace

class TestSourceWalls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scannerSeesTheTree();
    void coreHasNoQt();
    void torchOnlyInTrainSourcesAndDetail();
    void windowHasNoTorch();
    void qnnwHasNoQt();
    void hardwarePackDeployNeverReachTheTrainer();
    void librariesBelowTheTrainerDoNotLinkIt();
};

void TestSourceWalls::scannerSeesTheTree()
{
    // A scan that finds nothing would pass every wall: it must see the known includes.
    const QList<Include> train = includesUnder("core/train");
    QVERIFY(std::any_of(train.begin(), train.end(), [](const Include& i) { return isTorch(i.target); }));
    const QList<Include> widgets = includesUnder("widgets");
    QVERIFY(std::any_of(widgets.begin(), widgets.end(), [](const Include& i) { return isQt(i.target); }));
    QVERIFY(isQt("QWidget") && isQt("QtCore/qglobal.h") && isQt("qcustomplot.h") && !isQt("queue"));
    QVERIFY(isTorch("torch/torch.h") && isTorch("ATen/Parallel.h") && !isTorch("core/train/trainer.h"));
}

void TestSourceWalls::coreHasNoQt()
{
    const QStringList v = violations("core", [](const Include& i) { return isQt(i.target); },
                                     "core is the model library: no Qt");
    QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
}

void TestSourceWalls::torchOnlyInTrainSourcesAndDetail()
{
    QStringList v = violations(
        "core",
        [](const Include& i) {
            if (!isTorch(i.target))
                return false;
            if (i.file.startsWith("core/train/detail/"))
                return false;
            return !(i.file.startsWith("core/train/") && i.file.endsWith(".cpp"));
        },
        "torch only in core/train/*.cpp and core/train/detail/ headers");
    QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
    // A public core/train header that pulls in a detail header brings torch along.
    v = violations(
        "core/train",
        [](const Include& i) {
            return i.file.endsWith(".h") && !i.file.startsWith("core/train/detail/") &&
                   i.target.startsWith("core/train/detail/");
        },
        "public trainer headers stay torch-free");
    QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
}

void TestSourceWalls::windowHasNoTorch()
{
    for (const char* folder : {"widgets", "app/workbench"}) {
        const QStringList v = violations(
            folder, [](const Include& i) { return isTorch(i.target) || i.target.startsWith("core/train/"); },
            "the window trains through qnnw child processes");
        QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
    }
}

void TestSourceWalls::qnnwHasNoQt()
{
    const QStringList v = violations("app/cli", [](const Include& i) { return isQt(i.target); },
                                     "qnnw builds on a headless server without Qt");
    QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
}

void TestSourceWalls::hardwarePackDeployNeverReachTheTrainer()
{
    for (const char* folder : {"core/hw", "core/pack", "core/deploy"}) {
        const QStringList v = violations(
            folder, [](const Include& i) { return i.target.startsWith("core/train/") || isTorch(i.target); },
            "trained weights reach hardware code through the torch-free weight file");
        QVERIFY2(v.isEmpty(), qPrintable(v.join('\n')));
    }
}

void TestSourceWalls::librariesBelowTheTrainerDoNotLinkIt()
{
    // What CMake links qnn_core (core/hw and core/pack are in it) and qnn_deploy with.
    const QStringList core = QString(QNN_CORE_LINKS).split('|', Qt::SkipEmptyParts);
    const QStringList deploy = QString(QNN_DEPLOY_LINKS).split('|', Qt::SkipEmptyParts);
    QVERIFY2(deploy.contains("qnn_core"), QNN_DEPLOY_LINKS); // the list is read, not empty
    for (const QString& lib : core + deploy)
        QVERIFY2(!lib.contains("qnn_train") && !lib.contains("torch", Qt::CaseInsensitive) &&
                     !lib.contains("Qt6"),
                 qPrintable("qnn_core or qnn_deploy links " + lib));
}

QTEST_GUILESS_MAIN(TestSourceWalls)
#include "tst_source_walls.moc"
