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
#include <QFile>
#include <QDir>
#include <QPushButton>
#include <QTemporaryDir>
#include <QLabel>
#include <qcustomplot.h>
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
    void expectedErrorAndVerdictShown();
    void peakTableAndChart();
    void overlayVerdictFollowsFolding();
    void summaryBarAgreesWithIssues();
    void finnReportsBesideOurs();
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

void TestHardware::expectedErrorAndVerdictShown()
{
    GraphDocument doc;
    doc.setProject(loadExample("cnv-w2a2-cifar10.qnnproj"));
    HardwarePanel panel(&doc);
    QVERIFY(panel.usePrebuiltOverlay());
    // cnvW2A2 runs on the xc7z020: the dock must not say otherwise.
    QCOMPARE(panel.figure("verdict"), QString("On the xc7z020: fits"));
    QCOMPARE(panel.figure("error"),
             QString("Expected error: LUT ±2 %, BRAM36 ±5 % (largest residual on lfcW1A1, cnvW1A1, cnvW2A2)"));
    QVERIFY(panel.estimate().bram36 <= 140);
    // Much too large: does not fit.
    QVERIFY(panel.setLayerFold("conv2", {64, 32}));
    QCOMPARE(panel.figure("verdict"), QString("On the xc7z020: does not fit"));
}

void TestHardware::peakTableAndChart()
{
    GraphDocument doc;
    doc.setProject(loadExample("lfc-w1a1-mnist.qnnproj"));
    HardwarePanel panel(&doc);
    QVERIFY(panel.setDevice("xcku115"));
    panel.setClock(250);
    // The table: six precisions, the device's peak as qnn::peakTable computes it.
    QTableWidget* table = panel.peakTableWidget();
    QCOMPARE(table->rowCount(), 6);
    QCOMPARE(table->item(0, 0)->text(), QString("1"));
    QCOMPARE(table->item(0, 3)->text(), QString("46.4 Top/s")); // 0.7 × 663,360 / 2.5 × 250 MHz
    QCOMPARE(table->item(4, 4)->text(), QString("DSP"));
    QCOMPARE(table->item(1, 1)->text(), QString("6.4*"));
    QVERIFY(table->item(0, 0)->font().bold()); // LFC W1A1 is a 1-bit network
    QVERIFY(!table->item(1, 0)->font().bold());
    // The chart: the device's bars on a log axis and the need as a line.
    QCustomPlot* plot = panel.peakPlot();
    QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLogarithmic);
    auto* bars = static_cast<QCPBars*>(plot->plottable(0));
    auto* own = static_cast<QCPBars*>(plot->plottable(1));
    QCOMPARE(bars->data()->size() + own->data()->size(), 6);
    QCOMPARE(own->data()->at(0)->value, 0.7 * 663360 / 2.5 * 250e6);
    // The need: ops per frame × target FPS (1,000 by default), then 1e6 FPS.
    const double perFrame = 2.0 * (784 * 1024 + 1024 * 1024 * 2 + 1024 * 10);
    QCOMPARE(panel.requiredOps(), perFrame * 1000);
    QCOMPARE(plot->graph(0)->data()->at(0)->value, perFrame * 1000);
    auto* fps = panel.findChild<QDoubleSpinBox*>("targetFps");
    fps->setValue(1e6);
    QCOMPARE(panel.requiredOps(), perFrame * 1e6);
    QCOMPARE(plot->graph(0)->data()->at(1)->value, perFrame * 1e6);
    QVERIFY2(panel.figure("need").startsWith("This network needs 5.82 Top/s"), qPrintable(panel.figure("need")));
    panel.resize(480, panel.sizeHint().height()); // as in the dock's scroll area
    const QImage shot = panel.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("QNN_GRAB_DIR"))
        shot.save(qEnvironmentVariable("QNN_GRAB_DIR") + "/hardware-peak.png");
}

void TestHardware::overlayVerdictFollowsFolding()
{
    GraphDocument doc;
    doc.setProject(loadExample("lfc-w1a1-mnist.qnnproj"));
    HardwarePanel panel(&doc);
    QCOMPARE(panel.figure("overlay"), QString("matches the prebuilt lfcW1A1 overlay: only the weights change"));
    QVERIFY(panel.setLayerFold("dense2", {128, 32}));
    QVERIFY2(panel.figure("overlay").contains("dense2 PE 128 SIMD 32, the overlay's 64 × 32): this folding needs a rebuild"),
             qPrintable(panel.figure("overlay")));
    doc.undoStack()->undo();
    QCOMPARE(panel.figure("overlay"), QString("matches the prebuilt lfcW1A1 overlay: only the weights change"));
    QVERIFY(panel.fitTargetFps(1000));
    QVERIFY(panel.figure("overlay").contains("needs a rebuild"));
    QVERIFY(panel.usePrebuiltOverlay());
    QCOMPARE(panel.figure("overlay"), QString("matches the prebuilt lfcW1A1 overlay: only the weights change"));
}

void TestHardware::summaryBarAgreesWithIssues()
{
    MainWindow window;
    window.document()->setProject(loadExample("lfc-w1a1-mnist.qnnproj"));
    QCOMPARE(window.summaryBar()->figure("status"), QString("✓ no problems"));
    // PE 128 on dense2: BRAM and LUT over, a hardware-fit error in Issues, and in the summary bar.
    QVERIFY(window.hardware()->setLayerFold("dense2", {256, 64}));
    QVERIFY(window.hardware()->estimate().verdict == qnn::FitVerdict::DoesNotFit);
    const std::vector<qnn::Diagnostic> issues = window.document()->externalDiagnostics();
    const auto errors = std::count_if(issues.begin(), issues.end(),
                                      [](const qnn::Diagnostic& d) { return d.severity == qnn::Severity::Error; });
    QVERIFY(errors > 0);
    QCOMPARE(window.summaryBar()->figure("status"), QString("%1 error(s)").arg(errors)); // tr("%n error(s)") untranslated
    window.document()->undoStack()->undo();
    QCOMPARE(window.summaryBar()->figure("status"), QString("✓ no problems"));
}

// FINN's reports, in the files and names its build writes (FINN 0.10: MVAU_hls_N;
// post-synthesis names carry the dataflow partition, Vivado's BRAM_36K and DSP48E1).
void TestHardware::finnReportsBesideOurs()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    GraphDocument doc;
    const QString projectFile = tmp.filePath("lfc.qnnproj");
    doc.setProject(loadExample("lfc-w1a1-mnist.qnnproj"), projectFile);
    HardwarePanel panel(&doc);
    QCOMPARE(panel.finnTable()->rowCount(), 0);
    QVERIFY(!panel.findChild<QPushButton*>("forgetFinnReports")->isEnabled());

    const QString build = tmp.filePath("finn-build");
    QVERIFY(QDir().mkpath(build + "/output/report"));
    auto write = [&](const QString& name, const QByteArray& text) {
        QFile f(build + "/output/report/" + name);
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    };
    // Before FINN ran: a sentence, and nothing changes.
    QString error;
    QVERIFY(!panel.loadFinnReports(build, &error));
    QVERIFY2(error.startsWith("no FINN report in " + build), qPrintable(error));
    QCOMPARE(doc.undoStack()->count(), 0);

    QVERIFY(write("estimate_layer_resources.json",
                  R"({"MVAU_hls_0": {"BRAM_18K": 28, "BRAM_efficiency": 0.93, "LUT": 9112, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                      "MVAU_hls_1": {"BRAM_18K": 8, "BRAM_efficiency": 0.5, "LUT": 5031, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                      "MVAU_hls_2": {"BRAM_18K": 8, "BRAM_efficiency": 0.5, "LUT": 5031, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                      "MVAU_hls_3": {"BRAM_18K": 1, "BRAM_efficiency": 0.1, "LUT": 1308, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                      "StreamingFIFO_rtl_0": {"BRAM_18K": 0, "LUT": 40, "URAM": 0, "DSP": 0},
                      "total": {"BRAM_18K": 45.0, "LUT": 20522.0, "URAM": 0.0, "DSP": 0.0}})"));
    QVERIFY(write("estimate_layer_cycles.json",
                  R"({"MVAU_hls_0": 512, "MVAU_hls_1": 512, "MVAU_hls_2": 512, "MVAU_hls_3": 160, "StreamingFIFO_rtl_0": 2})"));
    QVERIFY(write("estimate_network_performance.json",
                  R"({"critical_path_cycles": 1698, "max_cycles": 512, "max_cycles_node_name": "MVAU_hls_1",
                      "estimated_throughput_fps": 195312.5, "estimated_latency_ns": 16980.0})"));
    QVERIFY(write("post_synth_resources.json",
                  R"({"StreamingDataflowPartition_1_MVAU_hls_0": {"LUT": 8020, "FF": 6100, "BRAM_36K": 13, "BRAM_18K": 1, "DSP48E1": 0},
                      "StreamingDataflowPartition_1_MVAU_hls_3": {"LUT": 1290, "FF": 900, "BRAM_36K": 0, "BRAM_18K": 1, "DSP48E1": 2}})"));

    QVERIFY2(panel.loadFinnReports(build, &error), qPrintable(error));
    QCOMPARE(doc.undoStack()->count(), 1);
    // Inside the project's folder: stored relative, so the two move together.
    QCOMPARE(doc.project().deploy.finnReports, std::string("finn-build"));
    QVERIFY(panel.findChild<QPushButton*>("forgetFinnReports")->isEnabled());
    QTableWidget* t = panel.finnTable();
    // Four matrix layers, the other units (our infrastructure, FINN's FIFO), the total.
    QCOMPARE(t->rowCount(), 6);
    QCOMPARE(t->item(0, 0)->text(), QString("dense1"));
    QCOMPARE(t->item(0, 2)->text(), QString("9,112"));   // LUT, FINN's estimate
    QCOMPARE(t->item(0, 3)->text(), QString("8,020"));   // LUT after synthesis
    QCOMPARE(t->item(0, 5)->text(), QString("28"));      // BRAM18, FINN's estimate
    QCOMPARE(t->item(0, 6)->text(), QString("27"));      // 13 BRAM36 + 1 BRAM18 after synthesis
    QCOMPARE(t->item(3, 9)->text(), QString("2"));       // DSP48E1 after synthesis
    QCOMPARE(t->item(1, 11)->text(), QString("512"));    // cycles, FINN's estimate
    QCOMPARE(t->item(2, 3)->text(), QString("–"));       // dense3 was not in the synthesis report
    QCOMPARE(t->item(4, 0)->text(), QString("other units"));
    QCOMPARE(t->item(4, 2)->text(), QString("40"));
    QCOMPARE(t->item(5, 0)->text(), QString("total"));
    QCOMPARE(t->item(5, 2)->text(), QString("20,522"));
    QCOMPARE(t->item(5, 3)->text(), QString("9,310"));   // the synthesis layers summed
    QVERIFY(!t->isColumnHidden(3));
    // Ours in the same rows: what the folding table shows for the layer and the estimate's total.
    QCOMPARE(t->item(0, 1)->text(), panel.foldingTable()->item(0, 4)->text());
    QCOMPARE(t->item(0, 10)->text(), panel.foldingTable()->item(0, 3)->text());
    QCOMPARE(t->item(5, 1)->text(), panel.figure("lut"));
    QCOMPARE(panel.finnComparison().finnBottleneck, std::string("dense2"));
    QVERIFY2(panel.figure("finn").startsWith("Throughput: ours 195,313 FPS, FINN's estimate 195,313 FPS. Latency: ours "),
             qPrintable(panel.figure("finn")));
    QVERIFY2(panel.figure("finnSource").contains("estimate_layer_resources.json, estimate_layer_cycles.json, "
                                                 "estimate_network_performance.json, post_synth_resources.json"),
             qPrintable(panel.figure("finnSource")));

    // The folder is in the project file; a copy of the project opened elsewhere reads it again.
    QString saveError;
    QVERIFY2(doc.save(projectFile, &saveError), qPrintable(saveError));
    QFile saved(projectFile);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll().contains(R"("finn_reports": "finn-build")"));
    GraphDocument reopened;
    QVERIFY(reopened.load(projectFile, &saveError));
    HardwarePanel other(&reopened);
    QCOMPARE(other.finnTable()->rowCount(), 6);
    QCOMPARE(other.finnTable()->item(5, 2)->text(), QString("20,522"));

    if (qEnvironmentVariableIsSet("QNN_GRAB_DIR")) {
        panel.resize(720, panel.sizeHint().height());
        panel.grab().save(qEnvironmentVariable("QNN_GRAB_DIR") + "/hardware-finn.png");
    }

    // Without synthesis, its columns go; one undo forgets the folder, redo brings it back.
    QVERIFY(QFile::remove(build + "/output/report/post_synth_resources.json"));
    QVERIFY(panel.loadFinnReports(build));
    QVERIFY(t->isColumnHidden(3));
    QCOMPARE(doc.undoStack()->count(), 1); // the same folder: read again, no new step
    doc.undoStack()->undo();
    QCOMPARE(doc.project().deploy.finnReports, std::string());
    QCOMPARE(t->rowCount(), 0);
    QVERIFY(panel.figure("finn").isEmpty());
    doc.undoStack()->redo();
    QCOMPARE(t->rowCount(), 6);

    // A folder whose report went bad since: the reader's sentence in the dock, no crash.
    QVERIFY(write("estimate_network_performance.json", R"({"estimated_throughput_fps": "fast"})"));
    panel.forgetFinnReports();
    QVERIFY(!panel.loadFinnReports(build, &error));
    QVERIFY2(error.contains("estimate_network_performance.json: \"estimated_throughput_fps\" is not a number"),
             qPrintable(error));
}

QTEST_MAIN(TestHardware)
#include "tst_hardware.moc"
