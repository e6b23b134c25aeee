#include "widgets/training/pareto_view.h"

#include "core/run/pareto.h"
#include "widgets/training/plot_export.h"
#include "widgets/training/plot_style.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QVBoxLayout>

ParetoView::ParetoView(QWidget* parent)
    : QWidget(parent)
    , m_axis(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
{
    setObjectName("ParetoView");
    m_axis->addItem(tr("weight memory (KiB)"));
    m_axis->addItem(tr("BOPs"));
    auto* exportPlot = new QPushButton(tr("Export plot…"), this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Test accuracy against"), this));
    top->addWidget(m_axis);
    top->addStretch(1);
    top->addWidget(exportPlot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    m_plot->yAxis->setLabel(tr("test accuracy (%)"));
    m_plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    putLegendBelow(m_plot, 1);
    m_plot->setInteractions(QCP::iSelectPlottables);
    connect(m_axis, &QComboBox::currentIndexChanged, this, &ParetoView::update);
    connect(exportPlot, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this); });
    // Hit-tested here rather than through plottableClick: the front's line is
    // drawn over the points it joins and took their clicks.
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton)
            return;
        const QString name = runAt(e->position().toPoint());
        if (!name.isEmpty())
            Q_EMIT runClicked(name);
    });
}

QString ParetoView::runAt(const QPoint& pixel) const
{
    QString best;
    double bestDistance = 12 * 12; // the disc is 10 px across; a little slack around it
    for (const Point& p : m_points) {
        const QPoint at = pixelOf(p.run);
        const double dx = at.x() - pixel.x(), dy = at.y() - pixel.y();
        if (dx * dx + dy * dy <= bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = p.run;
        }
    }
    return best;
}

QPoint ParetoView::pixelOf(const QString& run) const
{
    for (const Point& p : m_points)
        if (p.run == run)
            return QPointF(m_plot->xAxis->coordToPixel(p.cost), m_plot->yAxis->coordToPixel(p.accuracy)).toPoint();
    return {-1, -1};
}

void ParetoView::setAxis(int index) { m_axis->setCurrentIndex(index); }

void ParetoView::setHardware(const QMap<QString, Hardware>& byRun, const Hardware& capacity, double targetFps)
{
    m_hardware = byRun;
    m_capacity = capacity;
    m_targetFps = targetFps;
    if (m_axis->count() == 2) {
        m_axis->addItem(tr("LUT"));
        m_axis->addItem(tr("BRAM36"));
        m_axis->addItem(tr("FPS"));
    }
    update();
}

void ParetoView::setRuns(const std::vector<qnn::RunInfo>& runs)
{
    m_runs.clear();
    for (const qnn::RunInfo& r : runs)
        if (r.readable && r.status == "completed" && r.testAccuracy >= 0)
            m_runs.push_back(r);
    update();
}

void ParetoView::update()
{
    m_plot->clearGraphs();
    m_front.clear();
    m_plot->clearItems();
    m_points.clear();
    const int axis = m_axis->currentIndex();
    const bool bops = axis == 1;
    m_plot->xAxis->setLabel(m_axis->currentText());
    std::vector<qnn::ParetoPoint> points;
    std::vector<double> xs;
    std::vector<qnn::RunInfo> shown;
    for (const qnn::RunInfo& r : m_runs) {
        double x = bops ? double(r.bops) : double(r.weightBits) / 8 / 1024;
        if (axis >= 2) {
            const auto it = m_hardware.find(QString::fromStdString(r.name));
            if (it == m_hardware.end())
                continue;
            x = axis == 2 ? it->lut : axis == 3 ? it->bram36 : it->fps;
            if (x < 0)
                continue;
        }
        shown.push_back(r);
        xs.push_back(x);
        // More frames per second is better: the front keeps the low cost -FPS.
        const double cost = axis == 4 ? -x : x;
        points.push_back({cost, r.testAccuracy});
        const double plotted = x;
        QCPGraph* g = m_plot->addGraph();
        g->setName(QString::fromStdString(r.name + " (" + r.precision + ")"));
        g->setProperty("run", QString::fromStdString(r.name));
        g->setLineStyle(QCPGraph::lsNone);
        const QColor c(QString::fromStdString(r.colour.empty() ? "#1f77b4" : r.colour));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, 10));
        g->addData(std::max(plotted, 1e-9), 100 * r.testAccuracy);
        m_points.push_back({QString::fromStdString(r.name), std::max(plotted, 1e-9), 100 * r.testAccuracy});
    }
    const std::vector<size_t> front = qnn::paretoFront(points);
    if (front.size() > 0) {
        QCPGraph* line = m_plot->addGraph();
        line->setName(tr("Pareto front"));
        line->setPen(QPen(QColor("#444444"), 1.5, Qt::DashLine));
        line->setLineStyle(QCPGraph::lsStepLeft);
        // lsStepLeft needs the front ordered by x, which for FPS is reversed.
        std::vector<size_t> ordered = front;
        if (axis == 4)
            std::reverse(ordered.begin(), ordered.end());
        if (axis == 4)
            line->setLineStyle(QCPGraph::lsStepRight);
        for (size_t i : ordered) {
            line->addData(std::max(xs[i], 1e-9), 100 * points[i].accuracy);
        }
        for (size_t i : front)
            m_front << QString::fromStdString(shown[i].name);
        line->setSelectable(QCP::stNone);
    }
    m_plot->rescaleAxes();
    m_plot->xAxis->scaleRange(1.6);
    m_plot->yAxis->scaleRange(1.2);
    // The device's capacity (LUT, BRAM) or the target frame rate, as a vertical line.
    const double limit = axis == 2 ? m_capacity.lut : axis == 3 ? m_capacity.bram36 : axis == 4 ? m_targetFps : 0;
    if (axis >= 2 && limit > 0) {
        auto* l = new QCPItemStraightLine(m_plot);
        l->point1->setCoords(limit, 0);
        l->point2->setCoords(limit, 1);
        l->setPen(QPen(QColor("#d62728"), 1.5, Qt::DashDotLine));
        l->setProperty("limit", limit);
        auto* label = new QCPItemText(m_plot);
        label->position->setType(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(limit, m_plot->yAxis->range().upper);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setColor(QColor("#d62728"));
        label->setText(axis == 4 ? tr("target %1 FPS ").arg(limit) : tr("device capacity %1 ").arg(limit));
        if (m_plot->xAxis->range().upper < limit * 1.2)
            m_plot->xAxis->setRangeUpper(limit * 1.2);
        if (m_plot->xAxis->range().lower > limit / 1.2)
            m_plot->xAxis->setRangeLower(limit / 1.2);
    }
    m_plot->replot();
}
