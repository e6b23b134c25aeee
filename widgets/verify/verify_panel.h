#pragma once

#include <QJsonObject>
#include <QMap>
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
    /** The run the Runs view has selected becomes the one to verify; the
     *  view then shows that run's own results, or none with what to do. */
    void setSelectedRun(const QString& run);
    /** The run whose results the tables hold ("" when they are empty). */
    QString shownRun() const { return m_shownRun; }

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
    /** Shows what is known of the chosen run: its last comparison, or an empty table and a sentence. */
    void showRun(const QString& run);
    void clearTables();
    QString projectFile() const;
    QString runDir() const;
    QString busyRunDir() const;

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
    QString m_busyRun;  ///< the run a running qnnw works on
    QString m_shownRun; ///< the run the tables show
    QMap<QString, QJsonObject> m_results;
    QMap<QString, QString> m_problems;
};
