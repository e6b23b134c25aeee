// The Hardware dock on real documents, offscreen: its figures follow every
// edit of the graph, bit-widths and folding, each change is one undo step,
// problems reach the Issues list, the bottleneck is highlighted on the canvas.
#include "core/hw/estimate.h"
#include "core/project/project.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/issues_list.h"
#include "widgets/editor/summary_bar.h"
#include "widgets/hardware/hardware_panel.h"
#include "widgets/workbench/main_window.h"

#include <QApplication>
#include <QComboBox>
#include <QTableWidget>
#include <QTest>
#include <QUndoStack>

namespace {

qnn::Project loadExample(const char* name)
{
    qnn::Project p;
    std::string error;
    if (!qnn::loadProject(std::string(QNN_SOURCE_DIR "/projects/") + name, p, error))
        qFatal("cannot load %s: %s", name, error.c_str());
    return p;
}

int rowsOfCategory(IssuesList& issues, const QString& category)
{
    int n = 0;
    for (int i = 0; i < issues.topLevelItemCount(); ++i)
        n += issues.topLevelItem(i)->text(2) == category;
    return n;
}

} // namespace

class TestHardware : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bitWidthChangesLutAndUndoRestores();
    void foldingEditIsAnUndoStep();
    void invalidFoldingIsAnIssue();
    void buttonsAndDevice();
    void mainWindowShowsHardwareFigures();
};

void TestHardware::bitWidthChangesLutAndUndoRestores()
{
    GraphDocument doc;
    doc.setProject(loadExample("lfc-w1a1-mnist.qnnproj"));
    HardwarePanel panel(&doc);
    const QString lut = panel.figure("lut");
    QVERIFY(!lut.isEmpty());
    QCOMPARE(panel.figure("fps"), QString("195,312.5 FPS at 100 MHz"));
    QCOMPARE(panel.figure("overlay"), QString("matches the prebuilt lfcW1A1 overlay: only the weights change"));

    const qnn::NodeId dense2 = doc.graph().findByName("dense2");
    QVERIFY(doc.setBits({dense2}, 2, std::nullopt));
    const QString wider = panel.figure("lut");
    QVERIFY2(wider != lut, qPrintable(wider));
    QVERIFY(panel.estimate().lut > 0);
    QVERIFY(panel.figure("overlay").startsWith("no prebuilt overlay matches; the nearest, lfcW1A1"));

    doc.undoStack()->undo();
    QCOMPARE(panel.figure("lut"), lut);
    doc.undoStack()->redo();
    QCOMPARE(panel.figure("lut"), wider);
}

void TestHardware::foldingEditIsAnUndoStep()
{
    GraphDocument doc;
    doc.setProject(loadExample("cnv-w1a1-cifar10.qnnproj"));
    HardwarePanel panel(&doc);
    QCOMPARE(panel.estimate().bottleneckCycles, int64_t(32768));
    QCOMPARE(doc.highlightedNode(), doc.graph().findByName("dense7"));
    QVERIFY(doc.project().deploy.folding.empty()); // shown, not stored, until the user picks one

    // The table offers only valid values: conv1's SIMD divides its 3 channels.
    QTableWidget* table = panel.foldingTable();
    QCOMPARE(table->rowCount(), 9);
    auto* simd = qobject_cast<QComboBox*>(table->cellWidget(0, 2));
    QVERIFY(simd);
    QCOMPARE(simd->count(), 2);
    QCOMPARE(simd->itemText(1), QString("3"));

    // dense7 1 → 2 PEs: the bottleneck moves to dense8, one undo step.
    const int steps = doc.undoStack()->count();
    auto* pe = table->findChild<QComboBox*>("dense7.pe");
    QVERIFY(pe);
    const int two = pe->findData(2);
    QVERIFY(two >= 0);
    pe->setCurrentIndex(two);
    Q_EMIT pe->activated(two);
    QCOMPARE(doc.undoStack()->count(), steps + 1);
    QCOMPARE(doc.project().deploy.folding.layers.at("dense7"), (qnn::LayerFold{2, 4}));
    QCOMPARE(panel.estimate().bottleneck, std::string("dense8"));
    QCOMPARE(doc.highlightedNode(), doc.graph().findByName("dense8"));
    QVERIFY(doc.isModified());

    doc.undoStack()->undo();
    QVERIFY(doc.project().deploy.folding.empty());
    QCOMPARE(panel.estimate().bottleneck, std::string("dense7"));
    QCOMPARE(pe->currentData().toInt(), 1);
}

void TestHardware::invalidFoldingIsAnIssue()
{
    GraphDocument doc;
    doc.setProject(loadExample("lfc-w1a1-mnist.qnnproj"));
    HardwarePanel panel(&doc);
    IssuesList issues(&doc);
    QCOMPARE(rowsOfCategory(issues, "hardware-fit"), 0);
    QVERIFY(panel.usePrebuiltOverlay());
    // dense1 with 1000 units: its PE 32 no longer divides its rows, nor dense2's SIMD 32 its columns.
    const qnn::NodeId dense1 = doc.graph().findByName("dense1");
    QVERIFY(doc.setAttribute({dense1}, "units", int64_t(1000)));
    QVERIFY(!panel.estimate().ok);
    QCOMPARE(rowsOfCategory(issues, "hardware-fit"), 2);
    const int last = issues.topLevelItemCount() - 1;
    QCOMPARE(issues.topLevelItem(last - 1)->text(1), QString("dense1"));
    QVERIFY(issues.topLevelItem(last - 1)->text(3).startsWith("dense1: PE 32 does not divide its 1000 rows (MH)"));
    QCOMPARE(issues.topLevelItem(last)->text(1), QString("dense2"));
    QVERIFY(issues.topLevelItem(last)->text(3).startsWith("dense2: SIMD 32 does not divide its 1000 columns (MW)"));
    QCOMPARE(doc.highlightedNode(), qnn::kInvalidNode);
    doc.undoStack()->undo();
    QCOMPARE(rowsOfCategory(issues, "hardware-fit"), 0);

    // Too large for the device: an error naming the largest unit.
    QVERIFY(panel.setLayerFold("dense2", {256, 64}));
    QVERIFY(panel.estimate().ok);
    QVERIFY(!panel.estimate().fits);
    // LUT and BRAM both overflow; the LUT row names dense2.
    QCOMPARE(rowsOfCategory(issues, "hardware-fit"), 2);
    const QString lutRow = issues.topLevelItem(issues.topLevelItemCount() - 2)->text(3);
    QVERIFY2(lutRow.contains("% of the xc7z020's LUT; the largest user is dense2"), qPrintable(lutRow));
    QCOMPARE(issues.topLevelItem(issues.topLevelItemCount() - 2)->text(1), QString("dense2"));
}

void TestHardware::buttonsAndDevice()
{
    GraphDocument doc;
    doc.setProject(loadExample("cnv-w1a1-cifar10.qnnproj"));
    HardwarePanel panel(&doc);
    QVERIFY(panel.fitTargetFps(1500));
    QCOMPARE(doc.project().deploy.folding.source, std::string("fps 1500"));
    QVERIFY(panel.estimate().fps >= 1500);
    QVERIFY(panel.estimate().lut < 26072);
    QString error;
    QVERIFY(!panel.fitTargetFps(1e7, &error));
    QVERIFY(error.startsWith("no folding reaches 10000000 FPS"));

    QVERIFY(panel.setDevice("ultra96"));
    QCOMPARE(doc.project().deploy.part, std::string("xczu3eg"));
    QCOMPARE(doc.project().deploy.clockMhz, 300.0);
    QCOMPARE(panel.estimate().part, std::string("xczu3eg"));
    QVERIFY(!panel.setDevice("xc9000", &error));
    QVERIFY(error.startsWith("unknown device \"xc9000\""));
    doc.undoStack()->undo();
    QCOMPARE(doc.project().deploy.clockMhz, 100.0);
    QCOMPARE(panel.estimate().part, std::string("xc7z020"));
}

void TestHardware::mainWindowShowsHardwareFigures()
{
    MainWindow window;
    window.document()->setProject(loadExample("cnv-w1a1-cifar10.qnnproj"));
    QVERIFY(window.hardware());
    QCOMPARE(window.summaryBar()->figure("fps"), QString("3,052"));
    QVERIFY(window.summaryBar()->figure("lut%").endsWith(" %"));
    QVERIFY(window.summaryBar()->figure("bram%").endsWith(" %"));
}

QTEST_MAIN(TestHardware)
#include "tst_hardware.moc"
