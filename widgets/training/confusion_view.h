#pragma once

#include "core/run/run_info.h"

#include <QColor>
#include <QWidget>

class QCPColorMap;
class QCustomPlot;
class QLabel;

/** The test-set confusion matrix of a finished run as a heat map with the
 *  count in each cell (rows: true class, columns: predicted). */
class ConfusionView : public QWidget
{
    Q_OBJECT
public:
    explicit ConfusionView(QWidget* parent = nullptr);

    void setRun(const qnn::RunInfo& run);
    QCustomPlot* plot() const { return m_plot; }
    /** The count drawn at (true, predicted); -1 outside. */
    qint64 cellCount(int trueClass, int predicted) const;
    /** The cell's background and the colour its count is written in (invalid outside). */
    QColor cellColour(int trueClass, int predicted) const;
    QColor textColour(int trueClass, int predicted) const;
    /** Black or white, whichever reads better on `background` (by its relative luminance). */
    static QColor readableOn(const QColor& background);

private:
    QCustomPlot* m_plot;
    QLabel* m_title;
    std::vector<std::vector<int64_t>> m_matrix;
    std::vector<std::vector<QColor>> m_cellColours, m_textColours;
};
