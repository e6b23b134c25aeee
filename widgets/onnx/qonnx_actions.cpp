#include "widgets/onnx/qonnx_actions.h"

#include "core/project/project.h"
#include "widgets/process/child_process.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <memory>

QonnxActions::QonnxActions(QWidget* window, ProjectFile current, OpenProject open)
    : QObject(window)
    , m_window(window)
    , m_current(std::move(current))
    , m_open(std::move(open))
{
    // Only the menu entries show boxes; startExport/startImport just signal.
    connect(this, &QonnxActions::finished, this, [this](bool ok, const QString& message) {
        if (m_boxTitle.isEmpty())
            return;
        const QString title = m_boxTitle;
        m_boxTitle.clear();
        if (ok)
            QMessageBox::information(m_window, title, message);
        else
            QMessageBox::warning(m_window, title, message);
    });
}

QStringList QonnxActions::exportArguments(const QString& project, const QString& run, const QString& file)
{
    return {"export", project, "--run", run, "--qonnx", file, "--json"};
}

QStringList QonnxActions::importArguments(const QString& project, const QString& file)
{
    return {"import", project, "--qonnx", file, "--force", "--json"};
}

void QonnxActions::exportQonnx()
{
    const QString project = m_current();
    if (project.isEmpty()) {
        QMessageBox::information(m_window, tr("Export QONNX"), tr("Save the project and train it first: QONNX export writes a trained run."));
        return;
    }
    qnn::Project p;
    std::string error;
    if (!qnn::loadProject(project.toStdString(), p, error)) {
        QMessageBox::warning(m_window, tr("Export QONNX"), QString::fromStdString(error));
        return;
    }
    if (p.runs.empty()) {
        QMessageBox::information(m_window, tr("Export QONNX"), tr("%1 has no runs yet; train it first.").arg(QFileInfo(project).fileName()));
        return;
    }
    QStringList runs;
    for (auto it = p.runs.rbegin(); it != p.runs.rend(); ++it)
        runs << QString::fromStdString(*it);
    bool ok = false;
    const QString chosen = QInputDialog::getItem(m_window, tr("Export QONNX"), tr("Run (its best epoch):"), runs, 0, false, &ok);
    if (!ok)
        return;
    const QString suggestion = QFileInfo(project).absolutePath() + "/" + QFileInfo(project).completeBaseName() + ".onnx";
    const QString file = QFileDialog::getSaveFileName(m_window, tr("Export QONNX"), suggestion, tr("QONNX (*.onnx)"));
    if (file.isEmpty())
        return;
    m_boxTitle = tr("Export QONNX");
    if (!startExport(project, chosen, file))
        m_boxTitle.clear();
}

bool QonnxActions::startExport(const QString& project, const QString& run, const QString& file)
{
    return this->run(exportArguments(project, run, file), [file] {
        return tr("Wrote %1 and folding_config.json beside it, for FINN.").arg(QDir::toNativeSeparators(file));
    });
}

bool QonnxActions::startImport(const QString& file, const QString& project)
{
    return run(importArguments(project, file), [this, file, project] {
        m_open(project);
        return tr("Imported %1 as %2.").arg(QDir::toNativeSeparators(file), QDir::toNativeSeparators(project));
    });
}

bool QonnxActions::isRunning() const { return m_process && m_process->isRunning(); }

void QonnxActions::importQonnx()
{
    const QString file = QFileDialog::getOpenFileName(m_window, tr("Import QONNX"), QString(), tr("QONNX / ONNX (*.onnx)"));
    if (file.isEmpty())
        return;
    const QString suggestion = QFileInfo(file).absolutePath() + "/" + QFileInfo(file).completeBaseName() + "/" +
                               QFileInfo(file).completeBaseName() + ".qnnproj";
    const QString project = QFileDialog::getSaveFileName(m_window, tr("Import QONNX: the new project"), suggestion,
                                                         tr("Projects (*.qnnproj)"));
    if (project.isEmpty())
        return;
    // A successful import shows the new project itself, not a box.
    if (!startImport(file, project))
        return;
    connect(this, &QonnxActions::finished, this, [this](bool ok, const QString& message) {
        if (!ok)
            QMessageBox::warning(m_window, tr("Import QONNX"), message);
    }, Qt::SingleShotConnection);
}

bool QonnxActions::run(const QStringList& arguments, const std::function<QString()>& onSuccess)
{
    if (isRunning())
        return false;
    delete m_process;
    m_process = new ChildProcess(this);
    auto why = std::make_shared<QString>();
    QApplication::setOverrideCursor(Qt::BusyCursor);
    connect(m_process, &ChildProcess::failed, this, [why](const QString& message) {
        if (why->isEmpty())
            *why = message;
    });
    connect(m_process, &ChildProcess::finished, this, [this, onSuccess, why](int code) {
        QApplication::restoreOverrideCursor();
        if (code == 0 && why->isEmpty())
            Q_EMIT finished(true, onSuccess());
        else
            Q_EMIT finished(false, why->isEmpty() ? tr("qnnw stopped unexpectedly.") : *why);
    });
    m_process->start(arguments);
    return true;
}

void installQonnxActions(QWidget* window, QMenu* fileMenu, QAction* before, QonnxActions::ProjectFile current,
                         QonnxActions::OpenProject open)
{
    auto* actions = new QonnxActions(window, std::move(current), std::move(open));
    QMenu* exportMenu = new QMenu(QObject::tr("E&xport"), fileMenu);
    exportMenu->addAction(QObject::tr("&QONNX (for FINN)…"), actions, &QonnxActions::exportQonnx);
    QMenu* importMenu = new QMenu(QObject::tr("&Import"), fileMenu);
    importMenu->addAction(QObject::tr("&QONNX (Brevitas, FINN)…"), actions, &QonnxActions::importQonnx);
    fileMenu->insertMenu(before, importMenu);
    fileMenu->insertMenu(before, exportMenu);
    fileMenu->insertSeparator(before);
}
