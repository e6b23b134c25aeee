#pragma once

#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/finn_comparison.h"
#include "core/hw/finn_report.h"
#include "core/hw/overlay.h"
#include "core/hw/peak.h"
#include "core/project/project.h"

#include <QWidget>

class GraphDocument;
class QCustomPlot;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

/** The Hardware dock: device and clock, the folding table (PE/SIMD per
 *  layer, only valid values), resource bars against the device, FPS,
 *  latency, bottleneck, the fit verdict with the model's expected error, the
 *  prebuilt-overlay verdict under the folding, and what the device can do at
 *  each precision against the network's need (a table and a log-scale
 *  chart), recomputed on every edit (`qnnw estimate [--peak]` prints the same figures). Every change it makes
 *  (device, clock, a PE or SIMD, "fit target FPS", "use prebuilt overlay")
 *  is one undo step on the document's stack, stored in the project's
 *  deploy section. It reports hardware-fit problems to the document's
 *  Issues and highlights the bottleneck on the canvas. With FINN's reports
 *  loaded ("Load FINN reports…", the folder remembered in the project), it
 *  shows FINN's estimate and post-synthesis figures next to ours, per layer
 *  and in total (`qnnw finn-report --project` prints the same). */
class HardwarePanel : public QWidget
{
    Q_OBJECT
public:
    explicit HardwarePanel(GraphDocument* document, QWidget* parent = nullptr);

    const qnn::Estimate& estimate() const { return m_estimate; }
    /** The folding the figures use: the project's, completed by the default
     *  (the matching overlay's, else the fastest that fits) for layers it lacks. */
    const qnn::Folding& effectiveFolding() const { return m_folding; }
    /** A figure as shown: lut, bram, uram, dsp, fps, latency, bottleneck,
     *  overlay, provenance, verdict, error (the expected error), need (ops/s). */
    QString figure(const QString& key) const;
    QTableWidget* foldingTable() const { return m_table; }
    QTableWidget* peakTableWidget() const { return m_peakTable; }
    QCustomPlot* peakPlot() const { return m_peakPlot; }
    /** The peak table shown: the device at the project's clock, 70 % fill. */
    const qnn::PeakTable& peak() const { return m_peak; }
    /** The network's need in ops/s: ops per frame × the target FPS. */
    double requiredOps() const { return m_requiredOps; }

    // The dock's actions, one undo step each; false with a sentence when refused.
    bool setDevice(const QString& name, QString* error = nullptr);
    void setClock(double mhz);
    bool setLayerFold(const std::string& layer, const qnn::LayerFold& fold, QString* error = nullptr);
    bool fitTargetFps(double fps, QString* error = nullptr);
    bool usePrebuiltOverlay(QString* error = nullptr);
    bool useFastestThatFits(QString* error = nullptr);
    /** Remembers `folder` (a --finn-build folder, FINN's output_dir or its
     *  report/) in the project as one undo step and shows its figures; false
     *  with the reader's sentence (and no change) when it holds no readable report. */
    bool loadFinnReports(const QString& folder, QString* error = nullptr);
    /** Forgets the folder (one undo step). */
    void forgetFinnReports();

    /** FINN's figures next to ours, as last read; rows empty when none loaded. */
    const qnn::FinnComparison& finnComparison() const { return m_finnComparison; }
    QTableWidget* finnTable() const { return m_finnTable; }

Q_SIGNALS:
    /** After every recomputation. */
    void estimateChanged();

private:
    void recompute();
    void rebuildTable();
    void updateTableValues();
    void updateFigures();
    void updatePeak();
    void updateFinn();
    void chooseFinnFolder();
    void pushDeploy(const qnn::DeployTarget& after, const QString& text);
    qnn::EstimateOptions options() const;
    void showError(const QString& text);

    GraphDocument* m_document;
    qnn::DeviceDatabase m_devices;
    qnn::DeviceChoice m_device;
    qnn::Dataflow m_dataflow;
    qnn::Folding m_folding;
    qnn::Estimate m_estimate;
    qnn::OverlayMatch m_overlay;
    qnn::PeakTable m_peak;
    double m_requiredOps = 0;
    /** The folder last read and what it held, so an edit does not re-read it. */
    std::string m_finnReadFrom;
    bool m_finnRead = false;
    std::string m_finnError;
    qnn::FinnReport m_finnReport;
    qnn::FinnComparison m_finnComparison;
    std::vector<std::string> m_tableLayers;
    bool m_updating = false;

    QComboBox* m_deviceBox;
    QDoubleSpinBox* m_clockBox;
    QDoubleSpinBox* m_targetFps;
    QPushButton* m_fitButton;
    QPushButton* m_overlayButton;
    QPushButton* m_maxButton;
    QTableWidget* m_table;
    QProgressBar* m_lutBar;
    QProgressBar* m_bramBar;
    QProgressBar* m_uramBar;
    QProgressBar* m_dspBar;
    QLabel* m_fpsLabel;
    QLabel* m_latencyLabel;
    QLabel* m_bottleneckLabel;
    QLabel* m_verdictLabel;
    QLabel* m_errorLabel;
    QLabel* m_overlayLabel;
    QLabel* m_peakTitle;
    QLabel* m_needLabel;
    QTableWidget* m_peakTable;
    QCustomPlot* m_peakPlot;
    QLabel* m_provenanceLabel;
    QLabel* m_messageLabel;
    QPushButton* m_finnLoadButton;
    QPushButton* m_finnForgetButton;
    QLabel* m_finnSource;
    QTableWidget* m_finnTable;
    QLabel* m_finnSummary;
};
