#include "widgets/hardware/hardware_panel.h"

#include "widgets/editor/graph_document.h"
#include "widgets/hardware/set_deploy_command.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollBar>
#include <QPushButton>
#include <QTableWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace {

enum Column { ColLayer, ColPe, ColSimd, ColCycles, ColLut, ColBram, ColWeights, ColumnCount };

// FINN's figures next to ours: each resource as ours | FINN's estimate | after synthesis.
enum FinnColumn {
    FinnLayer,
    FinnLutOurs, FinnLutEstimate, FinnLutSynth,
    FinnBramOurs, FinnBramEstimate, FinnBramSynth,
    FinnDspOurs, FinnDspEstimate, FinnDspSynth,
    FinnCyclesOurs, FinnCyclesEstimate,
    FinnColumnCount
};

QString number(double v, int digits = 0) { return QLocale(QLocale::English).toString(v, 'f', digits); }

QProgressBar* makeBar(QWidget* parent)
{
    auto* bar = new QProgressBar(parent);
    bar->setRange(0, 1000);
    bar->setTextVisible(true);
    bar->setMinimumWidth(160);
    return bar;
}

void setBar(QProgressBar* bar, double used, int64_t capacity, const QString& unit)
{
    const double pct = capacity > 0 ? 100.0 * used / double(capacity) : (used > 0 ? 1000.0 : 0.0);
    bar->setValue(int(std::min(1000.0, std::round(pct * 10))));
    bar->setFormat(QStringLiteral("%1 / %2 %3 (%4 %)")
                       .arg(number(used, used == std::floor(used) ? 0 : 1), number(double(capacity)), unit,
                            number(pct, 1)));
    const char* color = pct > 100 ? "#d32f2f" : pct > 85 ? "#ef8f00" : "#2e7d32";
    bar->setStyleSheet(QStringLiteral("QProgressBar { text-align: center; } QProgressBar::chunk { background: %1; }")
                           .arg(color));
}

} // namespace

HardwarePanel::HardwarePanel(GraphDocument* document, QWidget* parent) : QWidget(parent), m_document(document)
{
    std::string error;
    if (!qnn::DeviceDatabase::standard(m_devices, error))
        m_devices = qnn::DeviceDatabase::builtIn(); // the user's file is broken: say so below, go on with ours

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* target = new QFormLayout;
    m_deviceBox = new QComboBox(this);
    m_deviceBox->setObjectName("device");
    for (const qnn::Device& d : m_devices.devices()) {
        for (const qnn::DeviceBoard& b : d.boards)
            m_deviceBox->addItem(QStringLiteral("%1 (%2)").arg(QString::fromStdString(b.name), QString::fromStdString(d.part)),
                                 QString::fromStdString(b.name));
        m_deviceBox->addItem(QString::fromStdString(d.part), QString::fromStdString(d.part));
    }
    target->addRow(tr("Device"), m_deviceBox);
    m_clockBox = new QDoubleSpinBox(this);
    m_clockBox->setObjectName("clock");
    m_clockBox->setRange(1, 2000);
    m_clockBox->setDecimals(1);
    m_clockBox->setSuffix(tr(" MHz"));
    m_clockBox->setKeyboardTracking(false);
    target->addRow(tr("Clock"), m_clockBox);
    layout->addLayout(target);

    auto* buttons = new QHBoxLayout;
    m_targetFps = new QDoubleSpinBox(this);
    m_targetFps->setObjectName("targetFps");
    m_targetFps->setRange(1, 1e9);
    m_targetFps->setDecimals(0);
    m_targetFps->setValue(1000);
    m_targetFps->setSuffix(tr(" FPS"));
    m_fitButton = new QPushButton(tr("Fit target FPS"), this);
    m_fitButton->setToolTip(tr("The cheapest folding that reaches the target frame rate"));
    m_overlayButton = new QPushButton(tr("Use prebuilt overlay"), this);
    m_overlayButton->setToolTip(tr("The folding of the matching BNN-PYNQ overlay: only the weights change"));
    m_maxButton = new QPushButton(tr("Fastest that fits"), this);
    buttons->addWidget(m_targetFps);
    buttons->addWidget(m_fitButton);
    buttons->addWidget(m_overlayButton);
    buttons->addWidget(m_maxButton);
    layout->addLayout(buttons);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName("folding");
    m_table->setHorizontalHeaderLabels({tr("Layer"), tr("PE"), tr("SIMD"), tr("Cycles"), tr("LUT"), tr("BRAM36"),
                                        tr("Weights")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // At least six layers in view: the folding table is what the dock is for,
    // and in a shared dock area it would otherwise shrink to two rows.
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() +
                              6 * m_table->verticalHeader()->defaultSectionSize() + 2 * m_table->frameWidth());
    layout->addWidget(m_table, 1);

    auto* resources = new QGridLayout;
    m_lutBar = makeBar(this);
    m_bramBar = makeBar(this);
    m_uramBar = makeBar(this);
    m_dspBar = makeBar(this);
    int row = 0;
    for (auto [name, bar] : {std::pair<const char*, QProgressBar*>{"LUT", m_lutBar},
                             {"BRAM", m_bramBar},
                             {"URAM", m_uramBar},
                             {"DSP", m_dspBar}}) {
        resources->addWidget(new QLabel(tr(name), this), row, 0);
        resources->addWidget(bar, row, 1);
        ++row;
    }
    layout->addLayout(resources);
    m_verdictLabel = new QLabel(this);
    m_verdictLabel->setObjectName("verdict");
    m_verdictLabel->setWordWrap(true);
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName("expectedError");
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet("color: #616e7c;");
    layout->addWidget(m_verdictLabel);
    layout->addWidget(m_errorLabel);

    auto* figures = new QFormLayout;
    m_fpsLabel = new QLabel(this);
    m_latencyLabel = new QLabel(this);
    m_bottleneckLabel = new QLabel(this);
    m_fpsLabel->setStyleSheet("font-weight: bold;");
    figures->addRow(tr("Throughput"), m_fpsLabel);
    figures->addRow(tr("Latency"), m_latencyLabel);
    figures->addRow(tr("Bottleneck"), m_bottleneckLabel);
    layout->addLayout(figures);
    m_overlayLabel = new QLabel(this);
    m_overlayLabel->setWordWrap(true);
    m_provenanceLabel = new QLabel(this);
    m_provenanceLabel->setWordWrap(true);
    m_provenanceLabel->setStyleSheet("color: #616e7c;");
    m_messageLabel = new QLabel(this);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setStyleSheet("color: #c62828;");
    if (!error.empty())
        m_messageLabel->setText(QString::fromStdString(error));
    layout->addWidget(m_overlayLabel);
    layout->addWidget(m_provenanceLabel);
    layout->addWidget(m_messageLabel);

    // FINN's own figures for this network, once its build has run on the
    // folder `qnnw export --finn-build` wrote.
    auto* finnBox = new QGroupBox(tr("FINN's figures next to ours"), this);
    auto* finnLayout = new QVBoxLayout(finnBox);
    auto* finnButtons = new QHBoxLayout;
    m_finnLoadButton = new QPushButton(tr("Load FINN reports…"), finnBox);
    m_finnLoadButton->setObjectName("loadFinnReports");
    m_finnLoadButton->setToolTip(tr("A folder written by qnnw export --finn-build after FINN's build ran on it, FINN's "
                                    "output_dir or its report/ folder: estimate_layer_resources.json, "
                                    "estimate_network_performance.json, post_synth_resources.json"));
    m_finnForgetButton = new QPushButton(tr("Forget"), finnBox);
    m_finnForgetButton->setObjectName("forgetFinnReports");
    finnButtons->addWidget(m_finnLoadButton);
    finnButtons->addWidget(m_finnForgetButton);
    finnButtons->addStretch(1);
    finnLayout->addLayout(finnButtons);
    m_finnSource = new QLabel(finnBox);
    m_finnSource->setObjectName("finnSource");
    m_finnSource->setWordWrap(true);
    m_finnSource->setStyleSheet("color: #616e7c;");
    finnLayout->addWidget(m_finnSource);
    m_finnTable = new QTableWidget(0, FinnColumnCount, finnBox);
    m_finnTable->setObjectName("finnTable");
    m_finnTable->setHorizontalHeaderLabels({tr("Layer"), tr("LUT\nours"), tr("LUT\nFINN"), tr("LUT\nsynth"),
                                            tr("BRAM18\nours"), tr("BRAM18\nFINN"), tr("BRAM18\nsynth"),
                                            tr("DSP\nours"), tr("DSP\nFINN"), tr("DSP\nsynth"), tr("Cycles\nours"),
                                            tr("Cycles\nFINN")});
    m_finnTable->horizontalHeaderItem(FinnLutEstimate)->setToolTip(tr("FINN's estimate (estimate_layer_resources.json)"));
    m_finnTable->horizontalHeaderItem(FinnLutSynth)->setToolTip(tr("After synthesis (post_synth_resources.json)"));
    m_finnTable->verticalHeader()->hide();
    m_finnTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_finnTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_finnTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_finnTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    finnLayout->addWidget(m_finnTable);
    m_finnSummary = new QLabel(finnBox);
    m_finnSummary->setObjectName("finnSummary");
    m_finnSummary->setWordWrap(true);
    finnLayout->addWidget(m_finnSummary);
    layout->addWidget(finnBox);

    // What the device can do at each precision (the seed's view), with this
    // network's need drawn on it: ops per frame × the target FPS.
    auto* peakBox = new QGroupBox(tr("Peak operations per second by precision"), this);
    auto* peakLayout = new QVBoxLayout(peakBox);
    m_peakTitle = new QLabel(peakBox);
    m_peakTitle->setWordWrap(true);
    m_peakTitle->setStyleSheet("color: #616e7c;");
    peakLayout->addWidget(m_peakTitle);
    m_peakTable = new QTableWidget(0, 5, peakBox);
    m_peakTable->setObjectName("peak");
    m_peakTable->setHorizontalHeaderLabels({tr("Bits"), tr("LUT/op"), tr("DSP/op"), tr("Peak"), tr("Limited by")});
    m_peakTable->verticalHeader()->hide();
    m_peakTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_peakTable->horizontalHeader()->setStretchLastSection(true);
    m_peakTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_peakTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_peakTable->setRowCount(int(qnn::precisionCosts().size()));
    // All six rows in view, no scrolling: the table is small and fixed.
    const int rowHeight = fontMetrics().height() + 8;
    m_peakTable->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_peakTable->setFixedHeight((int(qnn::precisionCosts().size()) + 1) * rowHeight + 2 * m_peakTable->frameWidth() + 6);
    peakLayout->addWidget(m_peakTable);
    m_peakPlot = new QCustomPlot(peakBox);
    m_peakPlot->setObjectName("peakPlot");
    m_peakPlot->setMinimumHeight(220);
    m_peakPlot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_peakPlot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_peakPlot->yAxis->setNumberFormat("eb");
    m_peakPlot->yAxis->setNumberPrecision(0);
    m_peakPlot->yAxis->setLabel(tr("ops/s"));
    m_peakPlot->xAxis->setLabel(tr("bits per operand"));
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    for (int i = 0; i < int(qnn::precisionCosts().size()); ++i)
        ticker->addTick(i, QString::number(qnn::precisionCosts()[size_t(i)].bits));
    m_peakPlot->xAxis->setTicker(ticker);
    m_peakPlot->xAxis->setRange(-0.6, double(qnn::precisionCosts().size()) - 0.4);
    auto* bars = new QCPBars(m_peakPlot->xAxis, m_peakPlot->yAxis);
    bars->setName(tr("device peak"));
    bars->setPen(QPen(QColor("#1f5f99")));
    bars->setBrush(QColor("#6fa8dc"));
    bars->setWidth(0.6);
    auto* own = new QCPBars(m_peakPlot->xAxis, m_peakPlot->yAxis);
    own->setName(tr("this network's precision"));
    own->setPen(QPen(QColor("#1f5f99")));
    own->setBrush(QColor("#1f5f99"));
    own->setWidth(0.6);
    QCPGraph* need = m_peakPlot->addGraph();
    need->setName(tr("network's need"));
    need->setPen(QPen(QColor("#c62828"), 2, Qt::DashLine));
    m_peakPlot->legend->setVisible(true);
    m_peakPlot->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    m_peakPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    peakLayout->addWidget(m_peakPlot, 1);
    m_needLabel = new QLabel(peakBox);
    m_needLabel->setObjectName("need");
    m_needLabel->setWordWrap(true);
    peakLayout->addWidget(m_needLabel);
    layout->addWidget(peakBox);

    connect(m_deviceBox, &QComboBox::activated, this, [this](int index) {
        if (!m_updating)
            setDevice(m_deviceBox->itemData(index).toString());
    });
    connect(m_clockBox, &QDoubleSpinBox::valueChanged, this, [this](double mhz) {
        if (!m_updating)
            setClock(mhz);
    });
    connect(m_fitButton, &QPushButton::clicked, this, [this] {
        QString e;
        if (!fitTargetFps(m_targetFps->value(), &e))
            showError(e);
    });
    connect(m_overlayButton, &QPushButton::clicked, this, [this] {
        QString e;
        if (!usePrebuiltOverlay(&e))
            showError(e);
    });
    connect(m_maxButton, &QPushButton::clicked, this, [this] {
        QString e;
        if (!useFastestThatFits(&e))
            showError(e);
    });
    connect(m_finnLoadButton, &QPushButton::clicked, this, &HardwarePanel::chooseFinnFolder);
    connect(m_finnForgetButton, &QPushButton::clicked, this, &HardwarePanel::forgetFinnReports);
    connect(m_targetFps, &QDoubleSpinBox::valueChanged, this, [this] { updatePeak(); });
    connect(document, &GraphDocument::analysisChanged, this, &HardwarePanel::recompute);
    connect(document, &GraphDocument::graphReset, this, &HardwarePanel::recompute);
    connect(document, &GraphDocument::deployChanged, this, &HardwarePanel::recompute);
    recompute();
}

qnn::EstimateOptions HardwarePanel::options() const
{
    qnn::EstimateOptions o;
    o.device = m_device.device;
    o.clockMhz = m_document->project().deploy.clockMhz > 0 ? m_document->project().deploy.clockMhz : 100;
    return o;
}

void HardwarePanel::showError(const QString& text) { m_messageLabel->setText(text); }

void HardwarePanel::recompute()
{
    const qnn::Project& p = m_document->project();
    std::string error;
    const std::string name = !p.deploy.board.empty() && m_devices.find(p.deploy.board, m_device, error)
                                 ? p.deploy.board
                                 : p.deploy.part;
    if (name != p.deploy.board && !m_devices.find(name, m_device, error))
        m_device = qnn::DeviceChoice{};
    m_dataflow = qnn::buildDataflow(m_document->graph(), m_document->analysis());
    m_overlay = qnn::matchOverlay(m_dataflow);

    // The project's folding, completed for the layers it does not name.
    m_folding = p.deploy.folding;
    if (m_dataflow.ok()) {
        bool complete = true;
        for (const qnn::MatrixLayer& l : m_dataflow.layers)
            complete = complete && m_folding.find(l.name);
        if (!complete) {
            qnn::Folding fallback;
            if (!(m_overlay.matches && qnn::bnnPynqFolding(m_dataflow, fallback, error)) &&
                !qnn::foldForMax(m_dataflow, options(), fallback, error)) {
                fallback = {};
                for (const qnn::MatrixLayer& l : m_dataflow.layers)
                    fallback.layers[l.name] = {1, 1};
                fallback.source = "PE = SIMD = 1";
            }
            for (const auto& [layer, fold] : fallback.layers)
                if (!m_folding.find(layer))
                    m_folding.layers[layer] = fold;
            m_folding.source = m_folding.source.empty() ? "default: " + fallback.source
                                                        : m_folding.source + " + default " + fallback.source;
        }
    }
    m_estimate = qnn::estimateDesign(m_dataflow, m_folding, options());

    // Issues: a graph the dataflow cannot take is a warning (it still trains);
    // an invalid folding or a design that does not fit is an error.
    std::vector<qnn::Diagnostic> issues;
    if (!m_document->analysis().hasErrors() && !m_document->graph().empty()) {
        for (qnn::Diagnostic d : m_estimate.problems) {
            const bool dataflowProblem = !m_dataflow.ok();
            if (dataflowProblem)
                d.severity = qnn::Severity::Warning;
            issues.push_back(d);
        }
        const std::vector<qnn::Diagnostic> fit = qnn::fitProblems(m_estimate);
        issues.insert(issues.end(), fit.begin(), fit.end());
    }
    m_document->setExternalDiagnostics("hardware", issues);
    m_document->setHighlightedNode(m_estimate.ok ? m_estimate.bottleneckNode : qnn::kInvalidNode,
                                   m_estimate.ok ? tr("bottleneck") : QString());

    std::vector<std::string> layers;
    for (const qnn::MatrixLayer& l : m_dataflow.layers)
        layers.push_back(l.name);
    if (layers != m_tableLayers || m_table->rowCount() != int(layers.size()))
        rebuildTable();
    else
        updateTableValues();
    updateFigures();
    updateFinn();
    updatePeak();
    Q_EMIT estimateChanged();
}

void HardwarePanel::rebuildTable()
{
    m_updating = true;
    m_tableLayers.clear();
    m_table->setRowCount(int(m_dataflow.layers.size()));
    for (int row = 0; row < int(m_dataflow.layers.size()); ++row) {
        const qnn::MatrixLayer& l = m_dataflow.layers[size_t(row)];
        m_tableLayers.push_back(l.name);
        auto* name = new QTableWidgetItem(QString::fromStdString(l.name));
        name->setToolTip(tr("%1 × %2 matrix, W%3A%4").arg(l.mh).arg(l.mw).arg(l.weightBits).arg(l.inputBits));
        m_table->setItem(row, ColLayer, name);
        for (int col : {ColPe, ColSimd}) {
            auto* box = new QComboBox(m_table);
            box->setObjectName(QString::fromStdString(l.name) + (col == ColPe ? ".pe" : ".simd"));
            for (int v : col == ColPe ? qnn::validPe(l) : qnn::validSimd(l))
                box->addItem(QString::number(v), v);
            const std::string layer = l.name;
            connect(box, &QComboBox::activated, this, [this, box, layer, col](int index) {
                if (m_updating)
                    return;
                qnn::LayerFold fold = m_folding.find(layer) ? *m_folding.find(layer) : qnn::LayerFold{};
                (col == ColPe ? fold.pe : fold.simd) = box->itemData(index).toInt();
                QString e;
                if (!setLayerFold(layer, fold, &e))
                    showError(e);
            });
            m_table->setCellWidget(row, col, box);
        }
        for (int col : {ColCycles, ColLut, ColBram, ColWeights}) {
            auto* item = new QTableWidgetItem;
            item->setTextAlignment(col == ColWeights ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, col, item);
        }
    }
    m_updating = false;
    updateTableValues();
}

void HardwarePanel::updateTableValues()
{
    m_updating = true;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const std::string& layer = m_tableLayers[size_t(row)];
        const qnn::LayerFold* fold = m_folding.find(layer);
        for (int col : {ColPe, ColSimd}) {
            auto* box = qobject_cast<QComboBox*>(m_table->cellWidget(row, col));
            const int value = fold ? (col == ColPe ? fold->pe : fold->simd) : 1;
            int index = box->findData(value);
            if (index < 0) {
                // An invalid value (from a file, or the graph changed under it): show it, marked.
                box->addItem(QString::number(value) + " ✗", value);
                index = box->count() - 1;
            }
            box->setCurrentIndex(index);
        }
        // The layer's own units: its window and matrix unit.
        double lut = 0, bram = 0;
        int64_t cycles = 0;
        QString weights;
        for (const qnn::UnitEstimate& u : m_estimate.units) {
            if (u.name != layer && u.name != layer + " window")
                continue;
            lut += u.lut;
            bram += u.bram36;
            cycles = std::max(cycles, u.cycles);
            if (u.kind == qnn::UnitEstimate::Kind::Mvtu)
                weights = QString::fromStdString(u.weightsIn);
        }
        const bool known = m_estimate.ok;
        m_table->item(row, ColCycles)->setText(known ? number(double(cycles)) : QString());
        m_table->item(row, ColLut)->setText(known ? number(lut) : QString());
        m_table->item(row, ColBram)->setText(known ? number(bram, bram == std::floor(bram) ? 0 : 1) : QString());
        m_table->item(row, ColWeights)->setText(known ? weights : QString());
        const bool bottleneck = known && layer == m_estimate.bottleneck;
        QFont f = m_table->item(row, ColLayer)->font();
        f.setBold(bottleneck);
        for (int col : {ColLayer, ColCycles})
            m_table->item(row, col)->setFont(f);
        m_table->item(row, ColCycles)->setForeground(bottleneck ? QColor("#b45309") : QColor("#1f2933"));
    }
    m_updating = false;
}

void HardwarePanel::updatePeak()
{
    const qnn::Device* d = m_device.device;
    const double clock = options().clockMhz;
    const double fill = 0.7;
    m_peak = d ? qnn::peakTable(*d, clock, fill) : qnn::PeakTable{};
    m_requiredOps = m_dataflow.ok() ? qnn::opsPerFrame(m_dataflow) * m_targetFps->value() : 0;
    m_peakTitle->setText(d ? tr("The %1 at %2 MHz with %3 % of its LUTs and DSPs as multiply-accumulate units "
                                "(the seed's LUT and DSP cost per operation)")
                                 .arg(QString::fromStdString(d->part), number(clock, 0), number(fill * 100, 0))
                           : tr("Choose a device to see what it can do."));
    // The network's precision: its widest operand, rounded up to a row of the table.
    int networkBits = 0;
    for (const qnn::MatrixLayer& l : m_dataflow.layers)
        networkBits = std::max({networkBits, l.weightBits, l.inputBits});
    int ownRow = -1;
    QVector<double> keys, values, ownKeys, ownValues;
    for (int row = 0; row < int(m_peak.rows.size()); ++row) {
        const qnn::PeakRow& r = m_peak.rows[size_t(row)];
        const bool own = ownRow < 0 && networkBits > 0 && r.cost.bits >= networkBits;
        if (own)
            ownRow = row;
        const QStringList cells{QString::number(r.cost.bits),
                                number(r.cost.lutPerOp, r.cost.lutPerOp == std::floor(r.cost.lutPerOp) ? 0 : 1) +
                                    (r.cost.source == "seed" ? QString() : QStringLiteral("*")),
                                r.cost.dspPerOp > 0 ? number(r.cost.dspPerOp, 1) : QStringLiteral("–"),
                                QString::fromStdString(qnn::formatOps(r.opsPerSecond)),
                                QString::fromStdString(r.limitedBy)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = m_peakTable->item(row, col);
            if (!item) {
                item = new QTableWidgetItem;
                item->setTextAlignment(col == 4 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
                m_peakTable->setItem(row, col, item);
            }
            item->setText(cells[col]);
            QFont f = item->font();
            f.setBold(own);
            item->setFont(f);
            if (col == 1 && r.cost.source != "seed")
                item->setToolTip(tr("Not among the seed's figures: interpolated with a·b² + c·b through 4 and 8 bits"));
        }
        (own ? ownKeys : keys).push_back(row);
        (own ? ownValues : values).push_back(r.opsPerSecond);
    }
    static_cast<QCPBars*>(m_peakPlot->plottable(0))->setData(keys, values);
    static_cast<QCPBars*>(m_peakPlot->plottable(1))->setData(ownKeys, ownValues);
    QCPGraph* need = m_peakPlot->graph(0);
    double lo = 1e300, hi = 0;
    for (const qnn::PeakRow& r : m_peak.rows) {
        lo = std::min(lo, r.opsPerSecond);
        hi = std::max(hi, r.opsPerSecond);
    }
    if (m_requiredOps > 0) {
        need->setData({-0.6, double(m_peak.rows.size()) - 0.4}, {m_requiredOps, m_requiredOps});
        lo = std::min(lo, m_requiredOps);
        hi = std::max(hi, m_requiredOps);
        int reaching = 0;
        for (const qnn::PeakRow& r : m_peak.rows)
            reaching += r.opsPerSecond >= m_requiredOps;
        m_needLabel->setText(
            tr("This network needs %1 (%2 ops per frame × %3 FPS); the device's peak reaches that at %4 of 6 precisions.")
                .arg(QString::fromStdString(qnn::formatOps(m_requiredOps)), number(qnn::opsPerFrame(m_dataflow)),
                     number(m_targetFps->value()), QString::number(reaching)));
    } else {
        need->data()->clear();
        m_needLabel->setText(m_dataflow.ok() ? QString() : tr("The graph is not a dataflow yet, so it has no need to draw."));
    }
    // Room above the tallest bar for the legend.
    if (hi > 0)
        m_peakPlot->yAxis->setRange(lo / 4, hi * 60);
    m_peakPlot->replot();
}

void HardwarePanel::updateFigures()
{
    m_updating = true;
    const qnn::Project& p = m_document->project();
    const int deviceIndex = m_deviceBox->findData(QString::fromStdString(m_device.board.empty() || p.deploy.board.empty()
                                                                              ? (m_device.device ? m_device.device->part : "")
                                                                              : m_device.board));
    m_deviceBox->setCurrentIndex(deviceIndex);
    m_clockBox->setValue(p.deploy.clockMhz);
    m_updating = false;

    const qnn::Estimate& e = m_estimate;
    const qnn::Device* d = m_device.device;
    setBar(m_lutBar, e.ok ? e.lut : 0, d ? d->lut : 0, tr("LUT"));
    setBar(m_bramBar, e.ok ? e.bram36 : 0, d ? d->bram36 : 0, tr("BRAM36"));
    setBar(m_uramBar, e.ok ? double(e.uram) : 0, d ? d->uram : 0, tr("URAM"));
    setBar(m_dspBar, e.ok ? double(e.dsp) : 0, d ? d->dsp : 0, tr("DSP"));
    if (e.ok) {
        m_fpsLabel->setText(tr("%1 FPS at %2 MHz").arg(number(e.fps, 1), number(e.clockMhz, 0)));
        m_latencyLabel->setText(tr("%1 µs").arg(number(e.latencyUs, 1)));
        m_bottleneckLabel->setText(tr("%1 — %2 cycles per frame")
                                       .arg(QString::fromStdString(e.bottleneck), number(double(e.bottleneckCycles))));
        m_messageLabel->clear();
    } else {
        m_fpsLabel->setText(tr("—"));
        m_latencyLabel->setText(tr("—"));
        m_bottleneckLabel->setText(tr("—"));
        m_messageLabel->setText(e.problems.empty() ? QString() : QString::fromStdString(e.problems.front().message));
    }
    const bool foldingMatches = m_overlay.matches && e.ok &&
                                qnn::overlayFoldingMatches(m_dataflow, *m_overlay.overlay, m_folding);
    m_overlayLabel->setText(QString::fromStdString(e.ok ? qnn::overlayVerdict(m_overlay, m_dataflow, m_folding)
                                                        : m_overlay.verdict));
    m_overlayLabel->setStyleSheet(foldingMatches ? "color: #2e7d32;" : m_overlay.matches ? "color: #b26a00;" : "color: #52606d;");
    if (e.ok && !e.part.empty()) {
        const QString verdict = QString::fromStdString(qnn::verdictText(e));
        m_verdictLabel->setText(tr("On the %1: %2").arg(QString::fromStdString(e.part), verdict));
        m_verdictLabel->setStyleSheet(e.verdict == qnn::FitVerdict::Fits        ? "color: #2e7d32; font-weight: bold;"
                                      : e.verdict == qnn::FitVerdict::MayNotFit ? "color: #b26a00; font-weight: bold;"
                                                                                : "color: #c62828; font-weight: bold;");
    } else {
        m_verdictLabel->clear();
    }
    m_errorLabel->setText(tr("Expected error: %1").arg(QString::fromStdString(qnn::expectedErrorText(e.error))));
    m_overlayButton->setEnabled(m_overlay.matches);
    m_provenanceLabel->setText(QString::fromStdString(e.provenance()));
}

QString HardwarePanel::figure(const QString& key) const
{
    const qnn::Estimate& e = m_estimate;
    if (key == "lut")
        return e.ok ? number(e.lut) : QString();
    if (key == "bram")
        return e.ok ? number(e.bram36, 1) : QString();
    if (key == "uram")
        return e.ok ? number(double(e.uram)) : QString();
    if (key == "dsp")
        return e.ok ? number(double(e.dsp)) : QString();
    if (key == "lut%")
        return e.ok && !e.part.empty() ? number(e.lutPercent, 0) + " %" : QString();
    if (key == "bram%")
        return e.ok && !e.part.empty() ? number(e.bramPercent, 0) + " %" : QString();
    if (key == "fps")
        return m_fpsLabel->text();
    if (key == "latency")
        return m_latencyLabel->text();
    if (key == "bottleneck")
        return m_bottleneckLabel->text();
    if (key == "overlay")
        return m_overlayLabel->text();
    if (key == "provenance")
        return m_provenanceLabel->text();
    if (key == "verdict")
        return m_verdictLabel->text();
    if (key == "error")
        return m_errorLabel->text();
    if (key == "need")
        return m_needLabel->text();
    if (key == "finn")
        return m_finnSummary->text();
    if (key == "finnSource")
        return m_finnSource->text();
    return {};
}

void HardwarePanel::pushDeploy(const qnn::DeployTarget& after, const QString& text)
{
    const qnn::DeployTarget& before = m_document->project().deploy;
    if (after == before)
        return;
    m_document->undoStack()->push(new SetDeployCommand(m_document, before, after, text));
}

bool HardwarePanel::setDevice(const QString& name, QString* error)
{
    qnn::DeviceChoice c;
    std::string e;
    if (!m_devices.find(name.toStdString(), c, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    const bool isBoard = c.board == name.toLower().toStdString();
    after.board = isBoard ? c.board : std::string();
    after.part = c.device->part;
    after.clockMhz = isBoard ? c.clockMhz : c.device->defaultClockMhz;
    pushDeploy(after, tr("Set device to %1").arg(name));
    return true;
}

void HardwarePanel::setClock(double mhz)
{
    qnn::DeployTarget after = m_document->project().deploy;
    after.clockMhz = mhz;
    pushDeploy(after, tr("Set clock to %1 MHz").arg(mhz));
}

bool HardwarePanel::setLayerFold(const std::string& layer, const qnn::LayerFold& fold, QString* error)
{
    const qnn::MatrixLayer* l = m_dataflow.find(layer);
    if (!l) {
        if (error)
            *error = tr("%1 is not a Dense or Conv2D layer").arg(QString::fromStdString(layer));
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    after.folding = m_folding; // the completed folding becomes the project's
    after.folding.layers[layer] = fold;
    after.folding.source = "edited";
    pushDeploy(after, tr("Set %1 to PE %2, SIMD %3").arg(QString::fromStdString(layer)).arg(fold.pe).arg(fold.simd));
    return true;
}

bool HardwarePanel::fitTargetFps(double fps, QString* error)
{
    qnn::Folding f;
    std::string e;
    if (!qnn::foldForFps(m_dataflow, fps, options(), f, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    after.folding = f;
    pushDeploy(after, tr("Fold for %1 FPS").arg(number(fps)));
    return true;
}

bool HardwarePanel::usePrebuiltOverlay(QString* error)
{
    qnn::Folding f;
    std::string e;
    if (!qnn::bnnPynqFolding(m_dataflow, f, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    after.folding = f;
    pushDeploy(after, tr("Use the %1 overlay's folding").arg(QString::fromStdString(m_overlay.overlay->name)));
    return true;
}

bool HardwarePanel::useFastestThatFits(QString* error)
{
    qnn::Folding f;
    std::string e;
    if (!qnn::foldForMax(m_dataflow, options(), f, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    after.folding = f;
    pushDeploy(after, tr("Use the fastest folding that fits"));
    return true;
}

void HardwarePanel::updateFinn()
{
    const std::string stored = m_document->project().deploy.finnReports;
    const std::string folder = qnn::finnReportsPath(m_document->fileName().toStdString(), stored);
    if (folder != m_finnReadFrom) {
        m_finnReadFrom = folder;
        m_finnError.clear();
        m_finnRead = !folder.empty() && qnn::readFinnReport(folder, m_finnReport, m_finnError);
    }
    m_finnForgetButton->setEnabled(!stored.empty());
    m_finnComparison = m_finnRead ? qnn::compareWithFinn(m_dataflow, m_estimate, m_finnReport) : qnn::FinnComparison{};
    const qnn::FinnComparison& c = m_finnComparison;
    if (stored.empty()) {
        m_finnSource->setText(tr("Export the network with qnnw export --finn-build, run FINN's build on the folder, then "
                                 "load its reports here."));
        m_finnSource->setStyleSheet("color: #616e7c;");
    } else if (!m_finnRead) {
        m_finnSource->setText(QString::fromStdString(m_finnError));
        m_finnSource->setStyleSheet("color: #c62828;");
    } else {
        QStringList names;
        for (const std::string& f : m_finnReport.files)
            names << QFileInfo(QString::fromStdString(f)).fileName();
        m_finnSource->setText(tr("From %1: %2").arg(QDir::toNativeSeparators(QString::fromStdString(m_finnReport.folder)),
                                                    names.join(", ")));
        m_finnSource->setStyleSheet("color: #616e7c;");
    }
    m_finnTable->setVisible(m_finnRead);
    m_finnSummary->setVisible(m_finnRead);
    for (int col : {FinnLutSynth, FinnBramSynth, FinnDspSynth})
        m_finnTable->setColumnHidden(col, !c.hasSynthesis);
    m_finnTable->setRowCount(m_finnRead ? int(c.rows.size()) + 1 : 0);
    auto text = [](const qnn::ResourceFigures& f, double v, int digits = 0) {
        return f.present ? number(v, digits) : QStringLiteral("–");
    };
    auto bramText = [&](const qnn::ResourceFigures& f) { return text(f, f.bram18, f.bram18 == std::floor(f.bram18) ? 0 : 1); };
    auto cyclesText = [&](const qnn::ResourceFigures& f) { return f.present && f.cycles >= 0 ? number(f.cycles) : QStringLiteral("–"); };
    for (int row = 0; row < m_finnTable->rowCount(); ++row) {
        const bool total = row == int(c.rows.size());
        const qnn::FinnComparisonRow& r = total ? c.total : c.rows[size_t(row)];
        const QStringList cells{QString::fromStdString(r.layer),
                                text(r.ours, r.ours.lut), text(r.estimate, r.estimate.lut), text(r.synthesis, r.synthesis.lut),
                                bramText(r.ours), bramText(r.estimate), bramText(r.synthesis),
                                text(r.ours, r.ours.dsp), text(r.estimate, r.estimate.dsp), text(r.synthesis, r.synthesis.dsp),
                                cyclesText(r.ours), cyclesText(r.estimate)};
        QStringList units;
        for (const std::string& u : r.finnUnits)
            units << QString::fromStdString(u);
        for (int col = 0; col < FinnColumnCount; ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            item->setTextAlignment(col == FinnLayer ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
            if (!units.isEmpty())
                item->setToolTip(tr("FINN: %1").arg(units.join(", ")));
            QFont f = item->font();
            f.setBold(total);
            item->setFont(f);
            // FINN's columns in its own shade, so the eye pairs ours with theirs.
            if (col != FinnLayer && col != FinnLutOurs && col != FinnBramOurs && col != FinnDspOurs && col != FinnCyclesOurs)
                item->setBackground(QColor("#eef4fb"));
            m_finnTable->setItem(row, col, item);
        }
    }
    // Every row in view, the total included: the table is short and what it is for.
    m_finnTable->setFixedHeight(m_finnTable->horizontalHeader()->sizeHint().height() +
                                m_finnTable->rowCount() * m_finnTable->verticalHeader()->defaultSectionSize() +
                                2 * m_finnTable->frameWidth() + m_finnTable->horizontalScrollBar()->sizeHint().height());
    if (!m_finnRead) {
        m_finnSummary->clear();
        return;
    }
    QString summary;
    if (c.hasPerformance)
        summary = tr("Throughput: ours %1 FPS, FINN's estimate %2 FPS. Latency: ours %3 µs, FINN's %4 µs. "
                     "Slowest layer: ours %5 (%6 cycles), FINN's %7 (%8 cycles).")
                      .arg(number(c.oursFps), number(c.finnFps), number(c.oursLatencyUs, 1), number(c.finnLatencyUs, 1),
                           QString::fromStdString(c.oursBottleneck), number(c.oursMaxCycles),
                           QString::fromStdString(c.finnBottleneck), number(c.finnMaxCycles));
    else
        summary = tr("No estimate_network_performance.json: FINN's throughput is not known.");
    if (c.hasEstimate && c.total.ours.present && c.total.estimate.lut > 0)
        summary += QLatin1Char(' ') + tr("LUT ours / FINN's estimate: %1×.").arg(number(c.total.ours.lut / c.total.estimate.lut, 2));
    if (c.hasSynthesis && c.total.ours.present && c.total.synthesis.lut > 0)
        summary += QLatin1Char(' ') + tr("Ours / synthesis: %1×.").arg(number(c.total.ours.lut / c.total.synthesis.lut, 2));
    m_finnSummary->setText(summary);
}

void HardwarePanel::chooseFinnFolder()
{
    const QString start = m_finnReadFrom.empty() ? QFileInfo(m_document->fileName()).path()
                                                 : QString::fromStdString(m_finnReadFrom);
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Load FINN reports"), start);
    if (folder.isEmpty())
        return;
    QString e;
    if (!loadFinnReports(folder, &e))
        showError(e);
}

bool HardwarePanel::loadFinnReports(const QString& folder, QString* error)
{
    qnn::FinnReport report;
    std::string e;
    if (!qnn::readFinnReport(folder.toStdString(), report, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    qnn::DeployTarget after = m_document->project().deploy;
    after.finnReports = qnn::finnReportsToStore(m_document->fileName().toStdString(), folder.toStdString());
    // Read again even when the folder is the one shown: FINN may have run since.
    m_finnReadFrom.clear();
    if (after == m_document->project().deploy)
        recompute();
    else
        pushDeploy(after, tr("Load FINN reports from %1").arg(QDir::toNativeSeparators(folder)));
    return true;
}

void HardwarePanel::forgetFinnReports()
{
    qnn::DeployTarget after = m_document->project().deploy;
    after.finnReports.clear();
    pushDeploy(after, tr("Forget FINN reports"));
}
