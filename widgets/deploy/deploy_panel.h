#pragma once

#include "core/deploy/board_config.h"

#include <QJsonObject>
#include <QWidget>

#include <functional>

class ChildProcess;
class GraphDocument;
class QComboBox;
class QLabel;
class QLayout;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;
class QTreeWidgetItem;

/** The Deploy dock: the user's boards (add, edit, remove, test) with what is
 *  `current` on each, the run to deploy, Deploy / Cancel with a progress bar
 *  and a log of every step, and the board's results beside the workbench's
 *  own integer-engine accuracy on the same images. Every board operation is
 *  a `qnnw ... --json` child process, so the window never blocks. */
class DeployPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DeployPanel(GraphDocument* document, QWidget* parent = nullptr);
    ~DeployPanel() override;

    /** Asked on first contact with a board; true trusts the key. The default
     *  shows a dialog; tests replace it. */
    using HostKeyPrompt = std::function<bool(const QJsonObject& problem)>;
    void setHostKeyPrompt(HostKeyPrompt prompt) { m_hostKeyPrompt = std::move(prompt); }
    /** Asked when a board has no key file; the default shows a password dialog. */
    using PasswordPrompt = std::function<QString(const QString& board)>;
    void setPasswordPrompt(PasswordPrompt prompt) { m_passwordPrompt = std::move(prompt); }

    void reloadBoards();
    void reloadRuns();
    /** The run the Runs view has selected becomes the default. */
    void setSelectedRun(const QString& run);
    void selectBoard(const QString& name);
    void setImageLimit(int limit);

    void deploy();
    void cancel();
    void testBoard();
    bool isBusy() const;

    QString logText() const;
    /** The last deploy's result event; empty before one finished. */
    QJsonObject lastResult() const { return m_lastResult; }
    /** What the "Ran on" line shows: "FPGA overlay (lfcW1A1)", "CPU (qnn-run, aarch64)", "–". */
    QString backendText() const;
    /** What the "Board accuracy" line shows ("–" when no result belongs to the chosen run). */
    QString boardAccuracyText() const;

Q_SIGNALS:
    /** A deploy or a test ended; `ok` when it did what it was asked. */
    void operationFinished(bool ok);

private:
    // The parts of the dock, built once by the constructor.
    QWidget* makeBoardsBox();
    QLayout* makeRunRow();
    QWidget* makeResultsBox();
    void connectButtons();
    void connectProcess();
    void installDefaultPrompts();
    // What the qnnw child says (ChildProcess signals).
    void onStep(const QJsonObject& event);
    void onProgress(const QJsonObject& event);
    void onFailed(const QString& message, const QJsonObject& event);
    void onResult(const QJsonObject& result);
    void onFinished(int exitCode);
    void finishDeploy(bool ok);

    void addBoard();
    void editBoard();
    void removeBoard();
    /** `approvedHostKey`: the "SHA256:..." the user approved; qnnw trusts
     *  that key only (--accept-host-key), never whatever key it is shown. */
    void startDeploy(const QString& approvedHostKey = QString());
    void startTest(const QString& approvedHostKey = QString());
    /** The selected board from the boards file; logs why when there is none. */
    bool selectedBoardConfig(qnn::deploy::BoardConfig& board);
    /** Starts `qnnw arguments --json` for the selected board as `operation`
     *  ("deploy" or "test"); a password goes to its stdin (--password-stdin),
     *  never into argv. False, logged, when there is no such board. */
    bool startOperation(const QString& operation, QStringList arguments, const QString& approvedHostKey);
    void noteHostKey(const QJsonObject& problem);
    void log(const QString& line);
    void setBusy(bool busy);
    /** Empties the result figures (a new deploy, a failure, another run). */
    void clearResult();
    void showResult(const QJsonObject& r);
    void showCurrent(const QString& board, const QJsonObject& current);
    bool askHostKey(const QJsonObject& problem);
    QString selectedBoard() const;
    QString projectDir() const;
    bool saveStore(const std::function<void(qnn::deploy::BoardStore&)>& change);
    QString passwordFor(const qnn::deploy::BoardConfig& board);

    GraphDocument* m_document;
    ChildProcess* m_process;
    QTreeWidget* m_boards;
    QPushButton* m_add;
    QPushButton* m_edit;
    QPushButton* m_remove;
    QPushButton* m_test;
    QComboBox* m_run;
    QSpinBox* m_limit;
    QPushButton* m_deploy;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_boardAccuracy;
    QLabel* m_workbenchAccuracy;
    QLabel* m_differing;
    QLabel* m_speed;
    QLabel* m_engine;
    QPlainTextEdit* m_log;
    QString m_selectedRun;
    QJsonObject m_lastResult;
    QString m_operation; // "deploy" or "test" while busy
    QString m_operationBoard;
    QString m_password; // for one operation and its rerun only
    QJsonObject m_pendingHostKey;
    bool m_failed = false;
    HostKeyPrompt m_hostKeyPrompt;
    PasswordPrompt m_passwordPrompt;
};
