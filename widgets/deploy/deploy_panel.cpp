#include "widgets/deploy/deploy_panel.h"

#include "widgets/deploy/board_dialog.h"
#include "widgets/editor/graph_document.h"
#include "widgets/process/child_process.h"

#include "core/deploy/local_board.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTextCursor>
#include <QTreeWidget>
#include <QVBoxLayout>

using qnn::deploy::BoardConfig;
using qnn::deploy::BoardStore;

namespace {

enum Column { NameColumn, KindColumn, AddressColumn, CurrentColumn };

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 2) + " %";
}

QString currentText(const QString& folder, const QString& run, const QString& time, double accuracy)
{
    if (folder.isEmpty())
        return QObject::tr("nothing deployed");
    QString text = run.isEmpty() ? folder.section('/', -1) : run;
    if (!time.isEmpty())
        text += "  " + time;
    if (accuracy >= 0)
        text += "  " + percent(accuracy);
    return text;
}

} // namespace

DeployPanel::DeployPanel(GraphDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_process(new ChildProcess(this))
    , m_boards(new QTreeWidget)
    , m_add(new QPushButton(tr("Add…")))
    , m_edit(new QPushButton(tr("Edit…")))
    , m_remove(new QPushButton(tr("Remove")))
    , m_test(new QPushButton(tr("Test")))
    , m_run(new QComboBox)
    , m_limit(new QSpinBox)
    , m_deploy(new QPushButton(tr("Deploy")))
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_progress(new QProgressBar)
    , m_boardAccuracy(new QLabel("–"))
    , m_workbenchAccuracy(new QLabel("–"))
    , m_differing(new QLabel("–"))
    , m_speed(new QLabel("–"))
    , m_engine(new QLabel("–"))
    , m_log(new QPlainTextEdit)
{
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setPlaceholderText(tr("Each step of a deploy is logged here: pack, connect, upload, verify, switch, run."));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeBoardsBox());
    layout->addLayout(makeRunRow());
    layout->addWidget(m_progress);
    layout->addWidget(makeResultsBox());
    layout->addWidget(m_log, 1);

    connectButtons();
    connectProcess();
    connect(m_document, &GraphDocument::fileNameChanged, this, &DeployPanel::reloadRuns);
    connect(m_document, &GraphDocument::runsChanged, this, &DeployPanel::reloadRuns);
    installDefaultPrompts();
    reloadBoards();
    reloadRuns();
}

QWidget* DeployPanel::makeBoardsBox()
{
    m_boards->setHeaderLabels({tr("Board"), tr("Kind"), tr("Address"), tr("Current")});
    m_boards->setRootIsDecorated(false);
    m_boards->header()->setSectionResizeMode(CurrentColumn, QHeaderView::Stretch);
    m_boards->setMinimumHeight(90);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_add, m_edit, m_remove, m_test})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* box = new QGroupBox(tr("Boards"));
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_boards);
    layout->addLayout(buttons);
    return box;
}

QLayout* DeployPanel::makeRunRow()
{
    m_limit->setRange(0, 1000000);
    m_limit->setValue(1000);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setSuffix(tr(" images"));
    m_limit->setToolTip(tr("First N test images (0 = the whole test set)"));
    m_run->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_run->setMinimumContentsLength(18);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Run")));
    row->addWidget(m_run, 1);
    row->addWidget(m_limit);
    row->addWidget(m_deploy);
    row->addWidget(m_cancel);
    m_deploy->setDefault(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setFormat(tr("idle"));
    return row;
}

QWidget* DeployPanel::makeResultsBox()
{
    auto* box = new QGroupBox(tr("Results on the same images"));
    auto* form = new QFormLayout(box);
    form->addRow(tr("Board accuracy"), m_boardAccuracy);
    form->addRow(tr("Workbench (integer engine)"), m_workbenchAccuracy);
    form->addRow(tr("Predictions that differ"), m_differing);
    form->addRow(tr("Speed on the board"), m_speed);
    form->addRow(tr("Ran on"), m_engine);
    m_engine->setToolTip(tr("FPGA overlay: the board's prebuilt BNN-PYNQ bitstream ran the network. "
                            "CPU (qnn-run, <arch>): no overlay matches it (or the board has no bnn package), "
                            "so the board's own CPU ran it with the bit-exact integer engine."));
    return box;
}

void DeployPanel::connectButtons()
{
    connect(m_add, &QPushButton::clicked, this, &DeployPanel::addBoard);
    connect(m_edit, &QPushButton::clicked, this, &DeployPanel::editBoard);
    connect(m_remove, &QPushButton::clicked, this, &DeployPanel::removeBoard);
    connect(m_test, &QPushButton::clicked, this, &DeployPanel::testBoard);
    connect(m_deploy, &QPushButton::clicked, this, &DeployPanel::deploy);
    connect(m_cancel, &QPushButton::clicked, this, &DeployPanel::cancel);
    connect(m_boards, &QTreeWidget::itemDoubleClicked, this, &DeployPanel::editBoard);
}

void DeployPanel::connectProcess()
{
    connect(m_process, &ChildProcess::step, this, &DeployPanel::onStep);
    connect(m_process, &ChildProcess::progress, this, &DeployPanel::onProgress);
    connect(m_process, &ChildProcess::failed, this, &DeployPanel::onFailed);
    connect(m_process, &ChildProcess::result, this, &DeployPanel::onResult);
    connect(m_process, &ChildProcess::finished, this, &DeployPanel::onFinished);
}

void DeployPanel::installDefaultPrompts()
{
    m_hostKeyPrompt = [this](const QJsonObject& p) {
        const QString text =
            tr("The authenticity of host '%1' can't be established.\n%2 key fingerprint is %3.\n\n"
               "Compare it with the board's own key (ssh-keygen -lf /etc/ssh/ssh_host_%4_key.pub on the board). "
               "Trust this key and add it to %5?")
                .arg(p.value("host").toString(), p.value("key_type").toString(), p.value("fingerprint").toString(),
                     p.value("key_type").toString().toLower(), p.value("known_hosts").toString());
        return QMessageBox::question(this, tr("New board host key"), text, QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    };
    m_passwordPrompt = [this](const QString& board) {
        return QInputDialog::getText(this, tr("Password"), tr("SSH password for board '%1':").arg(board),
                                     QLineEdit::Password);
    };
}

void DeployPanel::onStep(const QJsonObject& event)
{
    const QString step = event.value("step").toString();
    const QString message = event.value("message").toString();
    static const QStringList order = {"pack", "connect", "upload", "verify", "switch", "run"};
    const int index = order.indexOf(step);
    if (index >= 0 && step != "upload")
        m_progress->setValue(std::max(m_progress->value(), index * 100 / int(order.size())));
    m_progress->setFormat(step + " – %p%");
    log(step + ": " + message);
}

void DeployPanel::onProgress(const QJsonObject& event)
{
    // The upload is the long step: it fills 33–66 % of the bar.
    const double total = std::max(event.value("total").toDouble(), 1.0);
    m_progress->setValue(33 + int(33 * event.value("done").toDouble() / total));
}

void DeployPanel::onFailed(const QString& message, const QJsonObject& event)
{
    m_failed = true;
    noteHostKey(event.value("host_key").toObject());
    log(tr("error: %1").arg(message));
}

void DeployPanel::onResult(const QJsonObject& r)
{
    if (m_operation == "deploy") {
        showResult(r);
        return;
    }
    // board test: the result of a board that answered (one that did not is an error event).
    log(tr("%1: reachable at %2").arg(r.value("board").toString(), r.value("address").toString()));
    if (!r.value("host_key_fingerprint").toString().isEmpty())
        log(tr("  host key %1").arg(r.value("host_key_fingerprint").toString()));
    if (r.contains("python"))
        log(tr("  python: %1; bnn: %2; qnnw: %3")
                .arg(r.value("python").toString(tr("missing")).isEmpty() ? tr("missing")
                                                                          : r.value("python").toString(),
                     r.value("bnn").toString().isEmpty() ? tr("missing") : r.value("bnn").toString(),
                     r.value("qnnw").toString().isEmpty() ? tr("missing") : r.value("qnnw").toString()));
    if (const QString cpu = r.value("cpu").toString(); !cpu.isEmpty())
        log(r.value("qnn_run").toString().isEmpty()
                ? tr("  cpu: %1 (no qnn-run for it: only networks that match a prebuilt overlay run there)").arg(cpu)
                : tr("  cpu: %1 (qnn-run for %2 goes along: any network runs on it)")
                      .arg(cpu, r.value("qnn_run").toString()));
    const double free = r.value("free_bytes").toDouble(-1);
    if (free >= 0)
        log(tr("  free disk: %1 GB").arg(free / 1e9, 0, 'f', 1));
    showCurrent(r.value("board").toString(), r.value("current").toObject());
}

void DeployPanel::onFinished(int code)
{
    if (!m_pendingHostKey.isEmpty()) {
        const QJsonObject problem = m_pendingHostKey;
        m_pendingHostKey = {};
        if (askHostKey(problem)) {
            const QString fingerprint = problem.value("fingerprint").toString();
            log(tr("host key %1 accepted; trying again").arg(fingerprint));
            m_operation == "test" ? startTest(fingerprint) : startDeploy(fingerprint);
            return;
        }
        log(tr("host key not accepted: nothing was sent to the board"));
    }
    const bool ok = code == 0 && !m_failed;
    if (m_operation == "deploy")
        finishDeploy(ok);
    m_password.clear();
    setBusy(false);
    Q_EMIT operationFinished(ok);
}

void DeployPanel::finishDeploy(bool ok)
{
    m_progress->setValue(ok ? 100 : m_progress->value());
    m_progress->setFormat(ok ? tr("deployed") : tr("failed – see the log"));
    if (!ok) {
        clearResult();
        // The error is the log's last line: show it, wherever the log was scrolled.
        m_log->moveCursor(QTextCursor::End);
        m_log->ensureCursorVisible();
        return;
    }
    showCurrent(m_operationBoard,
                QJsonObject{{"folder", "deployments/" + m_lastResult.value("deployment").toString()},
                            {"run", m_run->currentText()},
                            {"time", QDateTime::currentDateTime().toString("yyyy-MM-dd hh:mm")},
                            {"accuracy", m_lastResult.value("board_accuracy")}});
}

DeployPanel::~DeployPanel() = default;

void DeployPanel::log(const QString& line)
{
    m_log->appendPlainText(QTime::currentTime().toString("hh:mm:ss") + "  " + line);
}

QString DeployPanel::logText() const
{
    return m_log->toPlainText();
}

bool DeployPanel::isBusy() const
{
    return !m_operation.isEmpty();
}

void DeployPanel::setBusy(bool busy)
{
    if (!busy)
        m_operation.clear();
    for (QWidget* w : {static_cast<QWidget*>(m_deploy), static_cast<QWidget*>(m_test),
                       static_cast<QWidget*>(m_add), static_cast<QWidget*>(m_edit),
                       static_cast<QWidget*>(m_remove), static_cast<QWidget*>(m_run)})
        w->setEnabled(!busy);
    m_cancel->setEnabled(busy);
}

QString DeployPanel::projectDir() const
{
    const QString file = m_document->fileName();
    return file.isEmpty() ? QString() : QFileInfo(file).absolutePath();
}

void DeployPanel::reloadBoards()
{
    const QString selected = selectedBoard();
    m_boards->clear();
    BoardStore store;
    std::string error;
    if (!store.load(error)) {
        log(tr("error: %1").arg(QString::fromStdString(error)));
        return;
    }
    for (const BoardConfig& b : store.boards()) {
        auto* item = new QTreeWidgetItem(m_boards);
        item->setText(NameColumn, QString::fromStdString(b.name));
        item->setText(KindColumn, QString::fromStdString(b.kind));
        item->setText(AddressColumn, b.isSsh() ? QString("%1@%2:%3")
                                                     .arg(QString::fromStdString(b.user),
                                                          QString::fromStdString(b.host))
                                                     .arg(b.port)
                                               : QString::fromStdString(b.remoteDir));
        item->setText(CurrentColumn, b.isSsh() ? tr("(Test to see)") : tr("nothing deployed"));
        if (!b.isSsh()) {
            // A folder on this machine: read `current` directly, it costs nothing.
            qnn::deploy::CurrentDeployment current;
            qnn::deploy::readCurrentDeployment(b.remoteDir, current, error);
            if (current.present)
                item->setText(CurrentColumn, currentText(QString::fromStdString(current.folder),
                                                         QString::fromStdString(current.run),
                                                         QString::fromStdString(current.time), current.accuracy));
        }
    }
    for (int c = 0; c < CurrentColumn; ++c)
        m_boards->resizeColumnToContents(c);
    selectBoard(selected);
    if (!m_boards->currentItem() && m_boards->topLevelItemCount())
        m_boards->setCurrentItem(m_boards->topLevelItem(0));
}

void DeployPanel::selectBoard(const QString& name)
{
    for (int i = 0; i < m_boards->topLevelItemCount(); ++i)
        if (m_boards->topLevelItem(i)->text(NameColumn) == name)
            m_boards->setCurrentItem(m_boards->topLevelItem(i));
}

QString DeployPanel::selectedBoard() const
{
    const QTreeWidgetItem* item = m_boards->currentItem();
    return item ? item->text(NameColumn) : QString();
}

void DeployPanel::reloadRuns()
{
    const QString keep = m_run->currentText();
    m_run->clear();
    QStringList runs;
    for (const std::string& r : m_document->project().runs)
        runs << QString::fromStdString(r);
    if (!projectDir().isEmpty())
        for (const QString& r : QDir(projectDir() + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (!runs.contains(r))
                runs << r;
    runs.sort(); // run folders start with their time: the newest is last
    m_run->addItems(runs);
    const QString want = !m_selectedRun.isEmpty() && runs.contains(m_selectedRun) ? m_selectedRun
                         : runs.contains(keep)                                   ? keep
                                                                                 : runs.value(runs.size() - 1);
    m_run->setCurrentText(want);
    if (!isBusy() && m_run->currentText() != keep)
        clearResult();
}

void DeployPanel::setSelectedRun(const QString& run)
{
    m_selectedRun = QFileInfo(run).fileName();
    reloadRuns();
}

void DeployPanel::setImageLimit(int limit)
{
    m_limit->setValue(limit);
}

bool DeployPanel::saveStore(const std::function<void(BoardStore&)>& change)
{
    BoardStore store;
    std::string error;
    if (!store.load(error) || (change(store), !store.save(error))) {
        QMessageBox::warning(this, tr("Boards"), QString::fromStdString(error));
        return false;
    }
    reloadBoards();
    return true;
}

void DeployPanel::addBoard()
{
    BoardDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const BoardConfig b = dialog.board();
    if (saveStore([&](BoardStore& s) { s.put(b); }))
        selectBoard(QString::fromStdString(b.name));
}

bool DeployPanel::selectedBoardConfig(BoardConfig& board)
{
    BoardStore store;
    std::string error;
    if (!store.load(error)) {
        log(tr("error: %1").arg(QString::fromStdString(error)));
        return false;
    }
    const BoardConfig* found = store.find(selectedBoard().toStdString());
    if (!found) {
        log(selectedBoard().isEmpty()
                ? tr("error: choose a board first (add one with Add…)")
                : tr("error: board '%1' is no longer in %2").arg(selectedBoard(), QString::fromStdString(store.path())));
        return false;
    }
    board = *found;
    return true;
}

void DeployPanel::editBoard()
{
    BoardConfig current;
    if (!selectedBoardConfig(current))
        return;
    const std::string oldName = current.name;
    BoardDialog dialog(this);
    dialog.setBoard(current);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const BoardConfig b = dialog.board();
    saveStore([&](BoardStore& s) {
        if (b.name != oldName)
            s.remove(oldName);
        s.put(b);
    });
    selectBoard(QString::fromStdString(b.name));
}

void DeployPanel::removeBoard()
{
    const QString name = selectedBoard();
    if (name.isEmpty())
        return;
    // Boards live in the user's configuration, not in the document's undo
    // history: ask instead.
    if (QMessageBox::question(this, tr("Remove board"),
                              tr("Forget board '%1'? Nothing on the board itself changes.").arg(name)) !=
        QMessageBox::Yes)
        return;
    saveStore([&](BoardStore& s) { s.remove(name.toStdString()); });
}

QString DeployPanel::passwordFor(const BoardConfig& b)
{
    if (!b.isSsh() || !b.keyPath.empty())
        return {};
    if (m_password.isEmpty() && m_passwordPrompt)
        m_password = m_passwordPrompt(QString::fromStdString(b.name));
    return m_password;
}

bool DeployPanel::askHostKey(const QJsonObject& problem)
{
    return m_hostKeyPrompt && m_hostKeyPrompt(problem);
}

void DeployPanel::deploy()
{
    if (isBusy())
        return;
    if (m_document->fileName().isEmpty()) {
        log(tr("error: save the project first: qnnw deploys a project file and its runs"));
        return;
    }
    if (selectedBoard().isEmpty() || m_run->currentText().isEmpty()) {
        log(tr("error: choose a board and a run (add a board with Add…, train a run first)"));
        return;
    }
    m_password.clear();
    startDeploy();
}

void DeployPanel::startDeploy(const QString& approvedHostKey)
{
    m_lastResult = {};
    // The figures below are of this deploy, or none: never an older one's under a new status.
    clearResult();
    if (!startOperation("deploy",
                        {"deploy", m_document->fileName(), "--run", m_run->currentText(), "--board", selectedBoard(),
                         "--limit", QString::number(m_limit->value())},
                        approvedHostKey))
        return;
    m_progress->setValue(0);
    m_progress->setFormat(tr("starting"));
    log(tr("deploying run %1 to %2").arg(m_run->currentText(), m_operationBoard));
}

void DeployPanel::testBoard()
{
    if (isBusy() || selectedBoard().isEmpty())
        return;
    m_password.clear();
    startTest();
}

void DeployPanel::startTest(const QString& approvedHostKey)
{
    if (startOperation("test", {"board", "test", selectedBoard()}, approvedHostKey))
        log(tr("testing board %1").arg(m_operationBoard));
}

bool DeployPanel::startOperation(const QString& operation, QStringList arguments, const QString& approvedHostKey)
{
    BoardConfig b;
    if (!selectedBoardConfig(b))
        return false;
    m_operation = operation;
    m_operationBoard = selectedBoard();
    m_failed = false;
    setBusy(true);
    if (!approvedHostKey.isEmpty())
        arguments << "--accept-host-key" << approvedHostKey;
    arguments << "--json";
    const QString password = passwordFor(b);
    if (!password.isEmpty())
        arguments << "--password-stdin";
    m_process->start(arguments, password.isEmpty() ? QByteArray() : password.toUtf8() + "\n");
    return true;
}

void DeployPanel::noteHostKey(const QJsonObject& problem)
{
    // A changed key is only reported (the error's sentence carries OpenSSH's
    // warning); an unknown one is asked about once qnnw has exited.
    if (problem.value("kind").toString() == "unknown")
        m_pendingHostKey = problem;
}

void DeployPanel::cancel()
{
    if (!isBusy())
        return;
    log(tr("cancelling…"));
    m_process->interrupt();
}

void DeployPanel::showResult(const QJsonObject& r)
{
    m_lastResult = r;
    const int images = r.value("images").toInt();
    m_boardAccuracy->setText(tr("%1 on %2 images").arg(percent(r.value("board_accuracy").toDouble())).arg(images));
    m_workbenchAccuracy->setText(percent(r.value("workbench_accuracy").toDouble()));
    const int differ = r.value("differing_predictions").toInt();
    m_differing->setText(differ == 0 ? tr("none") : QString::number(differ));
    m_differing->setStyleSheet(differ == 0 ? QString() : QStringLiteral("color: #b00020"));
    const double usec = r.value("usec_per_image").toDouble();
    m_speed->setText(usec > 0 ? tr("%1 images/s, %2 µs/image")
                                    .arg(QLocale().toString(1e6 / usec, 'f', 0))
                                    .arg(usec, 0, 'f', 2)
                              : tr("not measured"));
    // "FPGA overlay" or "CPU (qnn-run, aarch64)": qnnw says it in words.
    const QString backend = r.value("backend").toString(r.value("engine").toString());
    const QString overlay = r.value("overlay").toString();
    m_engine->setText(r.value("engine").toString() == "bnn" && !overlay.isEmpty() ? tr("%1 (%2)").arg(backend, overlay)
                                                                                 : backend);
    const QJsonObject s = r.value("seconds").toObject();
    log(tr("done in %1 s on the %5: board %2, workbench %3, %4 differ")
            .arg(s.value("total").toDouble(), 0, 'f', 2)
            .arg(percent(r.value("board_accuracy").toDouble()), percent(r.value("workbench_accuracy").toDouble()))
            .arg(differ)
            .arg(m_engine->text()));
}

QString DeployPanel::boardAccuracyText() const { return m_boardAccuracy->text(); }

QString DeployPanel::backendText() const { return m_engine->text(); }

void DeployPanel::clearResult()
{
    for (QLabel* l : {m_boardAccuracy, m_workbenchAccuracy, m_differing, m_speed, m_engine})
        l->setText(QStringLiteral("–"));
    m_differing->setStyleSheet(QString());
}

void DeployPanel::showCurrent(const QString& board, const QJsonObject& current)
{
    for (int i = 0; i < m_boards->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_boards->topLevelItem(i);
        if (item->text(NameColumn) == board)
            item->setText(CurrentColumn, currentText(current.value("folder").toString(),
                                                     current.value("run").toString(),
                                                     current.value("time").toString(),
                                                     current.value("accuracy").toDouble(-1)));
    }
}
