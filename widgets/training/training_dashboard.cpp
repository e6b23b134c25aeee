#include "widgets/training/training_dashboard.h"

#include "core/run/seed_stats.h"
#include "widgets/training/plot_export.h"
#include "widgets/training/plot_style.h"

#include <qcustomplot.h>

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <map>

namespace {

QString duration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return QStringLiteral("--:--");
    const qint64 s = qRound64(seconds);
    if (s >= 3600)
        return QString("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QCPGraph* addGraph(QCustomPlot* plot, QCPAxis* y, const QString& name, const QColor& colour,
                   Qt::PenStyle style = Qt::SolidLine, double width = 2)
{
    QCPGraph* g = plot->addGraph(plot->xAxis, y);
    g->setName(name);
    QPen pen(colour, width, style);
    g->setPen(pen);
    return g;
}

} // namespace

TrainingDashboard::TrainingDashboard(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_lrPlot(new QCustomPlot(this))
    , m_progress(new QProgressBar(this))
    , m_progressLabel(new QLabel(this))
    , m_status(new QLabel(this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_export(new QPushButton(tr("Export…"), this))
    , m_redrawTimer(new QTimer(this))
{
    setObjectName("TrainingDashboard");
    // Both plots grow with the dock, the curves most: a tall dock is for them.
    m_plot->setMinimumHeight(100);
    m_lrPlot->setMinimumHeight(48);
    m_lrPlot->setMaximumHeight(96);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_stop->setEnabled(false);
    m_stop->setToolTip(tr("Stop after the current batch; the run can be resumed"));
    m_status->hide(); // its sentence is shown on the progress line: see showLine()
    // One line beside the bar, cut at the dock's edge rather than wrapped: the
    // plots keep the height (a wrapped label made a low dock scroll).
    m_progressLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_progress->setMaximumWidth(240);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_progressLabel, 1);
    bar->addWidget(m_progress, 1);
    bar->addWidget(m_stop);
    bar->addWidget(m_export);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    // The learning rate is a strip above the curves, on their epoch axis: the
    // epoch's tick labels are drawn once, under the curves, which get the
    // height a low dock has (at 1280×800 they had 30 px under two axes).
    layout->addWidget(m_lrPlot, 1);
    layout->addWidget(m_plot, 5);
    layout->addLayout(bar);

    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(250);
    connect(m_redrawTimer, &QTimer::timeout, this, &TrainingDashboard::flush);
    connect(m_stop, &QPushButton::clicked, this, &TrainingDashboard::stopRequested);
    connect(m_export, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this); });
    setProgressText(tr("No run yet: Training ▸ Train (F5) starts one."));
    setupAxes();
    clearPlots();
    m_plot->replot();
    m_lrPlot->replot();
}

void TrainingDashboard::setupAxes()
{
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setVisible(true);
    // Short: the label stands along an axis that is 65 px high at 1280×800.
    m_plot->yAxis2->setLabel(tr("acc. %"));
    m_plot->yAxis2->setRange(0, 100);
    putLegendBelow(m_plot, 5);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // Both plots share the epoch axis: fixed side margins line their x axes up.
    for (QCustomPlot* p : {m_plot, m_lrPlot}) {
        p->axisRect()->setAutoMargins(QCP::msTop | QCP::msBottom);
        p->axisRect()->setMargins(QMargins(62, 0, 52, 0));
    }
    // The epoch axis is labelled once, on the curves below the strip.
    m_lrPlot->xAxis->setTickLabels(false);
    m_lrPlot->xAxis->setTicks(false);
    m_lrPlot->axisRect()->setAutoMargins(QCP::msNone);
    m_lrPlot->axisRect()->setMargins(QMargins(62, 6, 52, 2));
    // Named inside the strip: a rotated axis label did not fit its 40 px.
    auto* lrName = new QCPItemText(m_lrPlot);
    lrName->setClipToAxisRect(false);
    lrName->position->setType(QCPItemPosition::ptAxisRectRatio);
    lrName->position->setCoords(0.005, 0.0);
    lrName->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    lrName->setText(tr("learning rate"));
    lrName->setColor(QColor("#555555"));
    m_lrPlot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    // Few ticks, one line each ("1e-05"): the superscript powers of "eb" were
    // two lines tall and ran into each other on this short axis.
    QSharedPointer<QCPAxisTickerLog> lrTicker(new QCPAxisTickerLog);
    lrTicker->setSubTickCount(0);
    m_lrPlot->yAxis->setTicker(lrTicker);
    // As many ticks as fit the axis' height with a label's height between them,
    // whatever the dock's size; recounted before every redraw.
    connect(m_lrPlot, &QCustomPlot::beforeReplot, this, [this, lrTicker] {
        const QCPRange r = m_lrPlot->yAxis->range();
        if (!(r.lower > 0) || !(r.upper > r.lower))
            return;
        const double decades = std::log10(r.upper / r.lower);
        const double perDecade = m_lrPlot->axisRect()->height() / std::max(decades, 1e-9);
        // Labels a decade (or two, three…) apart, never closer than a label is tall.
        const int label = QFontMetrics(m_lrPlot->yAxis->tickLabelFont()).height();
        const int step = std::max(1, int(std::ceil(label / perDecade)));
        lrTicker->setTickCount(std::max(1, int(std::round(decades / step))));
    });
    m_lrPlot->yAxis->setNumberFormat("g");
    m_lrPlot->yAxis->setNumberPrecision(1);
}

void TrainingDashboard::clearPlots()
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_lrPlot->clearGraphs();
    m_bestLine = nullptr;
    m_bestText = nullptr;
    m_bestEpoch = 0;
    m_bestValAccuracy = -1;
    m_smoothedLoss = -1;
    m_trainLoss = m_valLoss = m_trainAcc = m_valAcc = m_batchLoss = m_lr = nullptr;
}

void TrainingDashboard::startRun(const RunStartEvent& event, const std::vector<qnn::RunEpoch>& earlier)
{
    m_live = event;
    clearPlots();
    const QColor c = event.colour.isEmpty() ? QColor("#1f77b4") : QColor(event.colour);
    m_batchLoss = addGraph(m_plot, m_plot->yAxis, tr("batch loss (smoothed)"), c.lighter(160), Qt::SolidLine, 1);
    m_trainLoss = addGraph(m_plot, m_plot->yAxis, tr("train loss"), c, Qt::SolidLine);
    m_valLoss = addGraph(m_plot, m_plot->yAxis, tr("val loss"), c, Qt::DashLine);
    m_trainAcc = addGraph(m_plot, m_plot->yAxis2, tr("train acc"), QColor("#555555"), Qt::SolidLine);
    m_valAcc = addGraph(m_plot, m_plot->yAxis2, tr("val acc"), QColor("#555555"), Qt::DashLine);
    for (QCPGraph* g : {m_trainLoss, m_valLoss, m_trainAcc, m_valAcc})
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    m_lr = m_lrPlot->addGraph();
    m_lr->setPen(QPen(c, 1.5));
    m_lr->setLineStyle(QCPGraph::lsStepLeft);
    m_plot->xAxis->setRange(0, std::max(1, event.epochs));
    m_lrPlot->xAxis->setRange(0, std::max(1, event.epochs));
    m_plot->yAxis->setRange(0, 1);
    m_stop->setEnabled(true);
    m_progress->setValue(event.epochs > 0 ? 1000 * event.epochsDone / event.epochs : 0);
    setProgressText(tr("%1: starting, %2 parameters").arg(event.name).arg(event.params));
    setStatus({});
    for (const qnn::RunEpoch& e : earlier)
        addEpoch(e);
    scheduleRedraw();
}

void TrainingDashboard::addBatch(const RunBatchEvent& e)
{
    if (!m_batchLoss)
        return;
    const double x = (e.epoch - 1) + (e.batches > 0 ? double(e.batch) / e.batches : 0);
    // An exponential moving average over batch events: the raw per-batch loss of a BNN is mostly noise.
    m_smoothedLoss = m_smoothedLoss < 0 ? e.loss : 0.8 * m_smoothedLoss + 0.2 * e.loss;
    m_batchLoss->addData(x, m_smoothedLoss);
    m_lr->addData(x, e.learningRate);
    const double done = e.epochs > 0 ? x / e.epochs : 0;
    m_progress->setValue(qRound(1000 * done));
    setProgressText(tr("%1 · epoch %2/%3 · batch %4/%5 · %6 images/s · ETA %7")
                                 .arg(m_live.name)
                                 .arg(e.epoch)
                                 .arg(e.epochs)
                                 .arg(e.batch)
                                 .arg(e.batches)
                                 .arg(qRound(e.imagesPerSecond))
                                 .arg(duration(e.etaSeconds)));
    scheduleRedraw();
}

void TrainingDashboard::addEpoch(const qnn::RunEpoch& e)
{
    if (!m_trainLoss)
        return;
    m_trainLoss->addData(e.epoch, e.trainLoss);
    m_valLoss->addData(e.epoch, e.valLoss);
    m_trainAcc->addData(e.epoch, 100 * e.trainAccuracy);
    m_valAcc->addData(e.epoch, 100 * e.valAccuracy);
    if (m_lr->data()->isEmpty())
        m_lr->addData(e.epoch - 1, e.learningRate);
    m_lr->addData(e.epoch, e.learningRate);
    if (m_bestEpoch == 0 || e.valAccuracy > m_bestValAccuracy)
        markBest(e.epoch, e.valAccuracy);
    scheduleRedraw();
}

void TrainingDashboard::markBest(int epoch, double valAccuracy)
{
    m_bestEpoch = epoch;
    m_bestValAccuracy = valAccuracy;
    if (!m_bestLine) {
        m_bestLine = new QCPItemStraightLine(m_plot);
        m_bestLine->setPen(QPen(QColor("#2ca02c"), 1, Qt::DotLine));
        m_bestText = new QCPItemText(m_plot);
        m_bestText->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        m_bestText->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m_bestText->setColor(QColor("#2ca02c"));
    }
    m_bestLine->point1->setCoords(epoch, 0);
    m_bestLine->point2->setCoords(epoch, 1);
    m_bestText->position->setCoords(epoch, 0.02);
    m_bestText->setText(tr(" best %1 %").arg(100 * valAccuracy, 0, 'f', 2));
}

void TrainingDashboard::finishRun(const QString& name, const QString& status, const QString& message)
{
    m_stop->setEnabled(false);
    m_followed.clear();
    const QString who = name.isEmpty() ? tr("The run") : name;
    QString text;
    // "cancelled" is how older run folders say "stopped": one word for one state.
    if (status == "completed")
        text = tr("%1 completed").arg(who);
    else if (status == "stopped" || status == "cancelled")
        text = tr("%1 stopped; Resume in the Runs dock continues it").arg(who);
    else if (status == "diverged")
        text = tr("%1 diverged: the loss became NaN or infinite; try a lower learning rate").arg(who);
    else
        text = tr("%1 failed").arg(who);
    if (!message.isEmpty())
        text += ": " + message;
    setStatus(text);
    if (status == "completed")
        m_progress->setValue(1000);
    flush();
}

void TrainingDashboard::showFollowed(const qnn::RunInfo& run)
{
    if (run.name != m_followed || run.history.size() != m_followedEpochs) {
        showRuns({run});
        m_followed = run.name;
        m_followedEpochs = run.history.size();
    }
    m_stop->setEnabled(true);
    m_progress->setValue(run.epochs > 0 ? 1000 * run.epochsDone / run.epochs : 0);
    setProgressText(tr("%1 is training in another process, followed from its run folder: "
                                "%2 of %3 epochs done")
                                 .arg(QString::fromStdString(run.name))
                                 .arg(run.epochsDone)
                                 .arg(run.epochs));
    setStatus({});
}

void TrainingDashboard::showRefused(const QString& job, const QString& message)
{
    m_stop->setEnabled(false);
    m_progress->setValue(0);
    setProgressText(tr("No run is training."));
    setStatus(tr("The new %1 did not start: %2").arg(job.isEmpty() ? tr("run") : job, message));
}

QString TrainingDashboard::statusText() const { return m_status->text(); }

void TrainingDashboard::setStatus(const QString& text)
{
    m_status->setText(text);
    showLine();
}

void TrainingDashboard::setProgressText(const QString& text)
{
    m_progressText = text;
    showLine();
}

void TrainingDashboard::showLine()
{
    // One line beside the bar: how the last run ended once it has, else where
    // the run is. A wrapped second line made a low dock scroll its plots away.
    const QString text = m_status->text().isEmpty() ? m_progressText : m_status->text();
    m_progressLabel->setText(text);
    m_progressLabel->setToolTip(text);
}

void TrainingDashboard::showRuns(const std::vector<qnn::RunInfo>& runs)
{
    m_live = RunStartEvent();
    clearPlots();
    m_stop->setEnabled(false);
    std::map<std::string, std::vector<const qnn::RunInfo*>> groups;
    int maxEpoch = 1;
    for (const qnn::RunInfo& r : runs) {
        if (!r.readable || r.history.empty())
            continue;
        maxEpoch = std::max(maxEpoch, r.history.back().epoch);
        if (!r.seedGroup.empty())
            groups[r.seedGroup].push_back(&r);
    }
    for (const auto& [group, members] : groups) {
        if (members.size() < 2)
            continue;
        std::vector<std::vector<double>> series;
        for (const qnn::RunInfo* r : members) {
            std::vector<double> acc;
            for (const qnn::RunEpoch& e : r->history)
                acc.push_back(100 * e.valAccuracy);
            series.push_back(acc);
        }
        const std::vector<qnn::MeanStd> stats = qnn::meanStdPerIndex(series);
        const QColor c(QString::fromStdString(members.front()->colour));
        QCPGraph* upper = addGraph(m_plot, m_plot->yAxis2, QString(), c, Qt::NoPen, 0);
        QCPGraph* lower = addGraph(m_plot, m_plot->yAxis2, QString(), c, Qt::NoPen, 0);
        QCPGraph* mean = addGraph(m_plot, m_plot->yAxis2,
                                  tr("%1 val acc (mean of %2 seeds)").arg(QString::fromStdString(group)).arg(members.size()), c);
        for (size_t i = 0; i < stats.size(); ++i) {
            mean->addData(i + 1, stats[i].mean);
            upper->addData(i + 1, stats[i].mean + stats[i].std);
            lower->addData(i + 1, stats[i].mean - stats[i].std);
        }
        QColor fill = c;
        fill.setAlpha(50);
        upper->setBrush(fill);
        upper->setChannelFillGraph(lower);
        upper->removeFromLegend();
        lower->removeFromLegend();
    }
    for (const qnn::RunInfo& r : runs) {
        if (!r.readable || r.history.empty())
            continue;
        const auto g = groups.find(r.seedGroup);
        if (!r.seedGroup.empty() && g != groups.end() && g->second.size() >= 2)
            continue;
        const QColor c(QString::fromStdString(r.colour.empty() ? "#1f77b4" : r.colour));
        QCPGraph* acc = addGraph(m_plot, m_plot->yAxis2, QString::fromStdString(r.name) + tr(" val acc"), c);
        QCPGraph* loss = addGraph(m_plot, m_plot->yAxis, QString::fromStdString(r.name) + tr(" val loss"), c,
                                  Qt::DashLine, 1.5);
        acc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        for (const qnn::RunEpoch& e : r.history) {
            acc->addData(e.epoch, 100 * e.valAccuracy);
            loss->addData(e.epoch, e.valLoss);
        }
    }
    m_plot->xAxis->setRange(0, maxEpoch);
    m_plot->yAxis->rescale();
    if (runs.size() == 1 && runs.front().bestEpoch > 0)
        markBest(runs.front().bestEpoch, runs.front().bestValAccuracy);
    scheduleRedraw();
}

void TrainingDashboard::scheduleRedraw()
{
    m_dirty = true;
    if (!m_redrawTimer->isActive())
        m_redrawTimer->start();
}

void TrainingDashboard::flush()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    if (m_trainLoss) {
        bool found = false;
        QCPRange loss = m_trainLoss->getValueRange(found);
        bool f2 = false;
        const QCPRange val = m_valLoss->getValueRange(f2);
        if (f2)
            loss = found ? QCPRange(std::min(loss.lower, val.lower), std::max(loss.upper, val.upper)) : val;
        bool f3 = false;
        const QCPRange batch = m_batchLoss->getValueRange(f3);
        if (f3)
            loss = (found || f2) ? QCPRange(std::min(loss.lower, batch.lower), std::max(loss.upper, batch.upper))
                                 : batch;
        if (found || f2 || f3)
            m_plot->yAxis->setRange(0, loss.upper * 1.05 + 1e-9);
        bool foundLr = false;
        const QCPRange lr = m_lr->getValueRange(foundLr, QCP::sdPositive);
        if (foundLr)
            m_lrPlot->yAxis->setRange(lr.lower / 1.5, lr.upper * 1.5);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_lrPlot->replot(QCustomPlot::rpQueuedReplot);
    ++m_redraws;
}
