#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

class GraphDocument;
class QComboBox;
class QLabel;
class ChildProcess;
class QPushButton;
class QSpinBox;
class QTableWidget;

/** The Verify dock: for a finished run, the packed integer model against the
 *  trained float model, layer by layer. It runs `qnnw pack` (once per run)
 *  and `qnnw run-packed --compare --json` as child processes (the workbench
 *  links no torch), shows per layer how many elements differ and how many of
 *  those are ties at a threshold, lists the images whose predictions differ,
 *  and points out the first differing layer on the canvas. */
class VerifyPanel : public QWidget
{
    Q_OBJECT
public:
    explicit VerifyPanel(GraphDocument* document, QWidget* parent = nullptr);

    /** `qnnw run-packed` arguments of a comparison, for tests. */
    static QStringList compareArguments(const QString& packedDir, const QString& runDir, const QString& project,
                                        int limit);
    /** Shows the result of `qnnw run-packed --compare` (table, images, canvas highlight). */
    void showResult(const QJsonObject& compare);
    /** Verifies the run chosen in the list (pack first when needed). */
    void verify();
    bool isRunning() const;
    QString statusText() const;
    QTableWidget* layerTable() const { return m_layers; }
    QTableWidget* imageTable() const { return m_images; }
    QComboBox* runChooser() const { return m_runs; }
    QSpinBox* limitBox() const { return m_limit; }
    /** The run the Runs view has selected becomes the one to verify. */
    void setSelectedRun(const QString& run);

Q_SIGNALS:
    /** A comparison finished (its JSON), or failed (message). */
    void finished(const QJsonObject& compare);
    void failed(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refreshRuns();
    void start(const QStringList& arguments, bool packing);
    void processFinished(int exitCode, bool crashed);
    void fail(const QString& message);
    QString projectFile() const;
    QString runDir() const;

    GraphDocument* m_document;
    QComboBox* m_runs;
    QSpinBox* m_limit;
    QPushButton* m_verify;
    QPushButton* m_cancel;
    QLabel* m_status;
    QTableWidget* m_layers;
    QTableWidget* m_images;
    ChildProcess* m_process;
    bool m_packing = false;
    QJsonObject m_result;
    QString m_error;
};
