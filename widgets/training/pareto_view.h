#pragma once

#include "core/run/run_info.h"

#include <QMap>
#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;

/** Test accuracy of every finished run against a cost (weight memory or
 *  BOPs; the axis list is open for LUTs and FPS from the FPGA estimate), each
 *  point in its run's colour, with the Pareto front drawn. Clicking a point
 *  selects its run. */
class ParetoView : public QWidget
{
    Q_OBJECT
public:
    explicit ParetoView(QWidget* parent = nullptr);

    void setRuns(const std::vector<qnn::RunInfo>& runs);
    /** FPGA estimate of a run (a sweep point's summary.json "hardware"). */
    struct Hardware {
        double lut = -1, bram36 = -1, fps = -1;
    };
    /** Adds the axes LUT, BRAM36 and FPS (indices 2, 3, 4), with a line at
     *  the device's capacity (LUT, BRAM) and at the target FPS (0: none).
     *  Runs without an entry are left off those axes. */
    void setHardware(const QMap<QString, Hardware>& byRun, const Hardware& capacity, double targetFps);
    /** 0: weight memory, 1: BOPs, 2: LUT, 3: BRAM36, 4: FPS (after setHardware). */
    void setAxis(int index);
    QCustomPlot* plot() const { return m_plot; }
    /** Names of the runs on the front, cheapest first. */
    QStringList frontRuns() const { return m_front; }
    /** The run whose point lies within a few pixels of `pixel` (plot
     *  coordinates), the nearest if several; empty when none does. */
    QString runAt(const QPoint& pixel) const;
    /** Where a run's point is drawn, in plot coordinates (tests click there). */
    QPoint pixelOf(const QString& run) const;

Q_SIGNALS:
    void runClicked(const QString& name);

private:
    void update();

    std::vector<qnn::RunInfo> m_runs;
    QMap<QString, Hardware> m_hardware;
    Hardware m_capacity;
    double m_targetFps = 0;
    QComboBox* m_axis;
    QCustomPlot* m_plot;
    QStringList m_front;
    struct Point {
        QString run;
        double cost = 0, accuracy = 0;
    };
    std::vector<Point> m_points;
};
