#pragma once

#include "core/project/project.h"

#include <QDialog>

class GraphDocument;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

/** Training > New Sweep: a sweep saved in the project, chosen or named in
 *  the first box: the axes (one `KEY=V1,V2,...` per line), seeds and the
 *  training overrides, the backend, and a dry-run preview that lists every
 *  point, the invalid ones with their reason and each one's estimated
 *  hardware cost, updated as the axes are typed. Save and Start sweep put
 *  the definition into the document as one undo step; Start also gives the
 *  arguments of `qnnw sweep PROJECT ...` to run. */
class NewSweepDialog : public QDialog
{
    Q_OBJECT
public:
    NewSweepDialog(GraphDocument* document, QWidget* parent = nullptr);

    /** `sweep PROJECT --grid ... --name NAME --json`: what to run. */
    QStringList arguments() const;
    /** The definition as the fields say (its fields the dialog does not
     *  show come from the saved one of that name). */
    qnn::SweepDefinition definition() const;
    /** Puts definition() into the document's saved sweeps as one undo step;
     *  nothing when it is saved already as it is. False with a sentence when
     *  the fields do not make a sweep. */
    bool saveDefinition(QString* error = nullptr);
    /** Fills the fields from the saved sweep of that name. */
    void loadDefinition(const QString& name);
    /** Whether the dialog was closed with Start sweep (rather than Save). */
    bool startRequested() const { return m_start; }

    QComboBox* nameBox() const { return m_name; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QSpinBox* jobsBox() const { return m_jobs; }
    QLineEdit* partitionEdit() const { return m_partition; }
    QSpinBox* gpusBox() const { return m_gpus; }
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
    void finish(bool start);

    GraphDocument* m_document;
    QString m_projectPath;
    qnn::Project m_project;
    QComboBox* m_name;
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
    QSpinBox* m_cpus;
    QSpinBox* m_gpus;
    QLabel* m_summary;
    QTableWidget* m_preview;
    int m_points = 0;
    int m_invalid = 0;
    bool m_start = false;
};
