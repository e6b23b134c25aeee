#pragma once

#include "core/run/run_info.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QTableWidget;

/** Two runs side by side (a QNN and its FP32 twin by default): validation
 *  accuracy and training loss overlaid in the runs' colours, a table of
 *  figures (best and final accuracy, the gap in points, parameters, weight
 *  memory, BOPs, compression, training time) from qnn::compareRuns, which
 *  `qnnw compare` prints too, and the layers whose kind, attributes or
 *  bit-widths differ. */
class RunComparisonView : public QWidget
{
    Q_OBJECT
public:
    explicit RunComparisonView(QWidget* parent = nullptr);

    /** The runs to choose from (the Runs dock's list). Keeps the choice when both still exist. */
    void setRuns(const std::vector<qnn::RunInfo>& runs);
    /** Shows A against B; an empty B picks A's FP32 twin (or the latest other run). */
    void compare(const QString& a, const QString& b = {});

    QTableWidget* table() const { return m_table; }
    QListWidget* diffList() const { return m_diff; }
    QCustomPlot* plot() const { return m_plot; }
    QString runA() const;
    QString runB() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void update();
    const qnn::RunInfo* find(const QString& name) const;

    std::vector<qnn::RunInfo> m_runs;
    QComboBox* m_a;
    QComboBox* m_b;
    QCustomPlot* m_plot;
    QTableWidget* m_table;
    QListWidget* m_diff;
    QLabel* m_notes;
    class QSplitter* m_split = nullptr;
};
