#include "widgets/training/run_comparison_view.h"

#include "core/graph/graph_summary.h"
#include "core/run/run_compare.h"
#include "widgets/training/plot_export.h"
#include "widgets/training/plot_style.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QString cell(const nlohmann::json& run, const std::string& key)
{
    const nlohmann::json& v = run[key];
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty()))
        return QStringLiteral("–");
    if (key.find("accuracy") != std::string::npos)
        return QString::number(100 * v.get<double>(), 'f', 2) + " %";
    if (key == "weight_bits")
        return QString::fromStdString(qnn::humanBytes(v.get<double>() / 8));
    if (key == "params" || key == "bops")
        return QString::fromStdString(qnn::humanCount(v.get<double>()));
    if (key == "compression")
        return QString::number(v.get<double>(), 'f', 1) + "×";
    if (key == "wall_s")
        return QString::number(v.get<double>(), 'f', 1) + " s";
    return v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString::fromStdString(v.dump());
}

} // namespace

RunComparisonView::RunComparisonView(QWidget* parent)
    : QWidget(parent)
    , m_a(new QComboBox(this))
    , m_b(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
    , m_table(new QTableWidget(this))
    , m_diff(new QListWidget(this))
    , m_notes(new QLabel(this))
{
    setObjectName("RunComparisonView");
    auto* exportPlot = new QPushButton(tr("Export plot…"), this);
    auto* exportCsv = new QPushButton(tr("Export table (CSV)…"), this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("A:"), this));
    top->addWidget(m_a, 1);
    top->addWidget(new QLabel(tr("B:"), this));
    top->addWidget(m_b, 1);
    top->addWidget(exportPlot);
    top->addWidget(exportCsv);

    m_plot->setMinimumHeight(150);
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("validation accuracy (%)"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("training loss"));
    putLegendBelow(m_plot, 2);
    m_table->setColumnCount(2);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_notes->setWordWrap(true);

    auto* lower = new QWidget(this);
    auto* lowerLayout = new QHBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(m_table, 3);
    auto* diffBox = new QVBoxLayout;
    diffBox->addWidget(new QLabel(tr("Layers that differ:"), this));
    diffBox->addWidget(m_diff, 1);
    diffBox->addWidget(m_notes);
    lowerLayout->addLayout(diffBox, 2);
    auto* split = m_split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_plot);
    split->addWidget(lower);
    // The plot takes the larger share of whatever height the dock has (it
    // stayed at its minimum while the table took the rest).
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({3000, 2000});
    m_table->setMinimumHeight(80);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(m_a, &QComboBox::currentIndexChanged, this, &RunComparisonView::update);
    connect(m_b, &QComboBox::currentIndexChanged, this, &RunComparisonView::update);
    connect(exportPlot, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this); });
    connect(exportCsv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), QString(), tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportTableCsv(m_table, path, &error))
            QMessageBox::warning(this, tr("Export table"), error);
    });
}

QString RunComparisonView::runA() const { return m_a->currentData().toString(); }
QString RunComparisonView::runB() const { return m_b->currentData().toString(); }

const qnn::RunInfo* RunComparisonView::find(const QString& name) const
{
    for (const qnn::RunInfo& r : m_runs)
        if (QString::fromStdString(r.name) == name)
            return &r;
    return nullptr;
}

void RunComparisonView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // A wide, low dock (a bottom dock on a wide screen) puts the table beside
    // the plot, so that the plot has the dock's whole height; a tall one stacks them.
    // At 1280×800 the Analysis tab is about 760×220: stacked, plot and table
    // did not fit and the tab scrolled; side by side the plot has 200 px.
    // The height the dock offers, not this widget's: in a scroll area a
    // stacked layout's minimum made it taller, and it then never turned.
    int offered = height();
    for (QWidget* p = parentWidget(); p; p = p->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(p)) {
            offered = std::min(offered, area->viewport()->height());
            break;
        }
    const Qt::Orientation wanted = width() > 2 * offered ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() != wanted) {
        m_split->setOrientation(wanted);
        // Side by side the table needs the width to show its values
        // unelided (at 1280×800 a 3:2 split cut "97.80 %" to "…").
        if (wanted == Qt::Horizontal)
            m_split->setSizes({2000, 3000});
        else
            m_split->setSizes({3000, 2000});
    }
}

void RunComparisonView::setRuns(const std::vector<qnn::RunInfo>& runs)
{
    const QString a = runA(), b = runB();
    m_runs.clear();
    for (const qnn::RunInfo& r : runs)
        if (r.readable)
            m_runs.push_back(r);
    for (QComboBox* box : {m_a, m_b}) {
        box->blockSignals(true);
        box->clear();
        for (const qnn::RunInfo& r : m_runs) {
            const QString name = QString::fromStdString(r.name);
            box->addItem(name + " (" + QString::fromStdString(r.precision) + ")", name);
        }
        box->blockSignals(false);
    }
    if (find(a) && find(b))
        compare(a, b);
    else if (!m_runs.empty())
        compare(QString::fromStdString(m_runs.front().name));
}

void RunComparisonView::compare(const QString& a, const QString& b)
{
    QString other = b;
    if (other.isEmpty()) {
        // The twin of A by default: the latest FP32 twin when A is quantized, else the latest quantized run.
        const qnn::RunInfo* ra = find(a);
        for (auto it = m_runs.rbegin(); it != m_runs.rend() && other.isEmpty(); ++it)
            if (QString::fromStdString(it->name) != a && ra && it->fp32Twin != ra->fp32Twin)
                other = QString::fromStdString(it->name);
        for (auto it = m_runs.rbegin(); it != m_runs.rend() && other.isEmpty(); ++it)
            if (QString::fromStdString(it->name) != a)
                other = QString::fromStdString(it->name);
    }
    m_a->blockSignals(true);
    m_b->blockSignals(true);
    m_a->setCurrentIndex(m_a->findData(a));
    m_b->setCurrentIndex(m_b->findData(other));
    m_a->blockSignals(false);
    m_b->blockSignals(false);
    update();
}

void RunComparisonView::update()
{
    m_plot->clearGraphs();
    m_table->setRowCount(0);
    m_diff->clear();
    m_notes->clear();
    const qnn::RunInfo* a = find(runA());
    const qnn::RunInfo* b = find(runB());
    if (!a || !b) {
        m_plot->replot();
        return;
    }
    int maxEpoch = 1;
    for (const qnn::RunInfo* r : {a, b}) {
        const QColor c(QString::fromStdString(r->colour.empty() ? "#1f77b4" : r->colour));
        QCPGraph* acc = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
        const QString tag = r == a ? QStringLiteral("A") : QStringLiteral("B");
        acc->setName(tr("%1 (%2) val acc").arg(tag, QString::fromStdString(r->precision)));
        acc->setPen(QPen(c, 2));
        acc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        QCPGraph* loss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        loss->setName(tr("%1 (%2) train loss").arg(tag, QString::fromStdString(r->precision)));
        loss->setPen(QPen(c, 1.5, Qt::DashLine));
        for (const qnn::RunEpoch& e : r->history) {
            acc->addData(e.epoch, 100 * e.valAccuracy);
            loss->addData(e.epoch, e.trainLoss);
            maxEpoch = std::max(maxEpoch, e.epoch);
        }
    }
    m_plot->xAxis->setRange(0.5, maxEpoch + 0.5);
    m_plot->yAxis->rescale();
    m_plot->yAxis2->rescale();
    m_plot->yAxis->scaleRange(1.15);
    m_plot->replot();

    const nlohmann::json c = qnn::compareRuns(*a, *b);
    // Run names are long (a timestamp first): the columns say A and B, the tooltips the names.
    m_table->setHorizontalHeaderLabels({tr("A (%1)").arg(QString::fromStdString(a->precision)),
                                        tr("B (%1)").arg(QString::fromStdString(b->precision))});
    m_table->horizontalHeaderItem(0)->setToolTip(QString::fromStdString(a->name));
    m_table->horizontalHeaderItem(1)->setToolTip(QString::fromStdString(b->name));
    const std::vector<std::pair<QString, std::string>> rows{
        {tr("precision"), "precision"},         {tr("test accuracy"), "test_accuracy"},
        {tr("best val accuracy"), "best_val_accuracy"}, {tr("final val accuracy"), "final_val_accuracy"},
        {tr("parameters"), "params"},           {tr("weight memory"), "weight_bits"},
        {tr("BOPs"), "bops"},                   {tr("compression"), "compression"},
        {tr("training time"), "wall_s"},        {tr("recipe"), "recipe"}};
    m_table->setRowCount(static_cast<int>(rows.size()) + 1);
    QStringList labels;
    int row = 0;
    for (const auto& [label, key] : rows) {
        labels << label;
        for (int col = 0; col < 2; ++col)
            m_table->setItem(row, col, new QTableWidgetItem(cell(c["runs"][col], key)));
        ++row;
    }
    labels << tr("accuracy gap (A − B)");
    const QString gap = c["accuracy_gap_points"].is_null()
                            ? QStringLiteral("–")
                            : QString::number(c["accuracy_gap_points"].get<double>(), 'f', 2) + tr(" points");
    m_table->setItem(row, 0, new QTableWidgetItem(gap));
    m_table->setSpan(row, 0, 1, 2);
    m_table->setVerticalHeaderLabels(labels);

    for (const auto& d : c["graph_diff"])
        m_diff->addItem(QString::fromStdString(d["name"].get<std::string>() + ": " + d["what"].get<std::string>()));
    if (m_diff->count() == 0)
        m_diff->addItem(tr("(the graphs are the same)"));
    QStringList notes;
    for (const auto& n : c["notes"])
        notes << QString::fromStdString(n.get<std::string>());
    if (!notes.isEmpty())
        m_notes->setText(tr("The FP32 twin replaced what 32 bits cannot be: %1.").arg(notes.join("; ")));
}
