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
    m_points.clear();
    const bool bops = m_axis->currentIndex() == 1;
    m_plot->xAxis->setLabel(m_axis->currentText());
    std::vector<qnn::ParetoPoint> points;
    for (const qnn::RunInfo& r : m_runs) {
        const double cost = bops ? double(r.bops) : double(r.weightBits) / 8 / 1024;
        points.push_back({cost, r.testAccuracy});
        QCPGraph* g = m_plot->addGraph();
        g->setName(QString::fromStdString(r.name + " (" + r.precision + ")"));
        g->setProperty("run", QString::fromStdString(r.name));
        g->setLineStyle(QCPGraph::lsNone);
        const QColor c(QString::fromStdString(r.colour.empty() ? "#1f77b4" : r.colour));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, 10));
        g->addData(std::max(cost, 1e-9), 100 * r.testAccuracy);
        m_points.push_back({QString::fromStdString(r.name), std::max(cost, 1e-9), 100 * r.testAccuracy});
    }
    const std::vector<size_t> front = qnn::paretoFront(points);
    if (front.size() > 0) {
        QCPGraph* line = m_plot->addGraph();
        line->setName(tr("Pareto front"));
        line->setPen(QPen(QColor("#444444"), 1.5, Qt::DashLine));
        line->setLineStyle(QCPGraph::lsStepLeft);
        for (size_t i : front) {
            line->addData(std::max(points[i].cost, 1e-9), 100 * points[i].accuracy);
            m_front << QString::fromStdString(m_runs[i].name);
        }
        line->setSelectable(QCP::stNone);
    }
    m_plot->rescaleAxes();
    m_plot->xAxis->scaleRange(1.6);
    m_plot->yAxis->scaleRange(1.2);
    m_plot->replot();
}
