#pragma once

#include "core/project/project.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

/** Training > New Sweep: the axes (one `KEY=V1,V2,...` per line), seeds and
 *  the training overrides, the backend, and a dry-run preview that lists
 *  every point, the invalid ones with their reason and each one's estimated
 *  hardware cost, updated as the axes are typed. Accepting gives the
 *  arguments of `qnnw sweep PROJECT ...`. */
class NewSweepDialog : public QDialog
{
    Q_OBJECT
public:
    NewSweepDialog(const QString& projectPath, const qnn::Project& project, QWidget* parent = nullptr);

    /** `sweep PROJECT --grid ... --json`: what to run. */
    QStringList arguments() const;
    /** The preview's counts. */
    int pointCount() const { return m_points; }
    int invalidCount() const { return m_invalid; }

    QPlainTextEdit* axesEdit() const { return m_axes; }
    QSpinBox* seedsBox() const { return m_seeds; }
    QComboBox* backendBox() const { return m_backend; }
    QTableWidget* preview() const { return m_preview; }
    QLabel* summary() const { return m_summary; }

    /** Recomputes the preview now (typing does it after a short pause). */
    void updatePreview();

private:
    QStringList gridArguments(QString* error) const;

    QString m_projectPath;
    qnn::Project m_project;
    QPlainTextEdit* m_axes;
    QSpinBox* m_seeds;
    QSpinBox* m_epochs;
    QSpinBox* m_trainLimit;
    QDoubleSpinBox* m_targetFps;
    QComboBox* m_backend;
    QSpinBox* m_jobs;
    QLineEdit* m_partition;
    QLineEdit* m_time;
    QSpinBox* m_maxRunning;
    QLabel* m_summary;
    QTableWidget* m_preview;
    int m_points = 0;
    int m_invalid = 0;
};
