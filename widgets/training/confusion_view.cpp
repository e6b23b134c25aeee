#include "widgets/training/confusion_view.h"

#include "widgets/training/plot_export.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

ConfusionView::ConfusionView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_title(new QLabel(tr("Select a finished run in the Runs dock."), this))
{
    setObjectName("ConfusionView");
    auto* exportPlot = new QPushButton(tr("Export plot…"), this);
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(exportPlot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("predicted"));
    m_plot->yAxis->setLabel(tr("true class"));
    m_plot->yAxis->setRangeReversed(true);
    connect(exportPlot, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this); });
}

qint64 ConfusionView::cellCount(int t, int p) const
{
    if (t < 0 || p < 0 || t >= int(m_matrix.size()) || p >= int(m_matrix[size_t(t)].size()))
        return -1;
    return m_matrix[size_t(t)][size_t(p)];
}

QColor ConfusionView::readableOn(const QColor& background)
{
    // WCAG relative luminance; 0.179 is where black and white text have equal contrast.
    auto linear = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    const double l = 0.2126 * linear(background.redF()) + 0.7152 * linear(background.greenF()) +
                     0.0722 * linear(background.blueF());
    return l > 0.179 ? QColor(Qt::black) : QColor(Qt::white);
}

QColor ConfusionView::cellColour(int t, int p) const
{
    if (cellCount(t, p) < 0)
        return {};
    return m_cellColours[size_t(t)][size_t(p)];
}

QColor ConfusionView::textColour(int t, int p) const
{
    if (cellCount(t, p) < 0)
        return {};
    return m_textColours[size_t(t)][size_t(p)];
}

void ConfusionView::setRun(const qnn::RunInfo& run)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_matrix = run.confusion;
    m_cellColours.assign(m_matrix.size(), {});
    m_textColours.assign(m_matrix.size(), {});
    const int n = static_cast<int>(m_matrix.size());
    if (n == 0) {
        m_title->setText(tr("%1 has no confusion matrix: only a completed run is tested.")
                             .arg(QString::fromStdString(run.name)));
        m_plot->replot();
        return;
    }
    m_title->setText(tr("%1: test set, %2 % correct").arg(QString::fromStdString(run.name))
                         .arg(100 * run.testAccuracy, 0, 'f', 2));
    auto* map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    int64_t most = 1;
    for (const auto& row : m_matrix)
        for (int64_t v : row)
            most = std::max(most, v);
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    for (int t = 0; t < n; ++t)
        for (int p = 0; p < n && p < int(m_matrix[size_t(t)].size()); ++p) {
            const int64_t v = m_matrix[size_t(t)][size_t(p)];
            // A square root spreads the small off-diagonal counts, the ones worth seeing.
            const double level = std::sqrt(double(v) / double(most));
            map->data()->setCell(p, t, level);
            const QColor background = QColor::fromRgb(gradient.color(level, QCPRange(0, 1)));
            auto* text = new QCPItemText(m_plot);
            text->position->setCoords(p, t);
            text->setText(QString::number(v));
            // The thermal map runs dark, bright, dark again: the count's colour follows the cell's own.
            text->setColor(readableOn(background));
            m_cellColours[size_t(t)].push_back(background);
            m_textColours[size_t(t)].push_back(text->color());
        }
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0, 1));
    map->setInterpolate(false);
    m_plot->xAxis->setRange(-0.5, n - 0.5);
    m_plot->yAxis->setRange(-0.5, n - 0.5);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setTicker(ticker);
    m_plot->replot();
}
