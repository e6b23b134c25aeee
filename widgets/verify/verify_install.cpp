#include "widgets/verify/verify_install.h"

#include "widgets/process/child_process.h"
#include "widgets/verify/verify_panel.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <memory>

namespace {

void importBnnPynq(QMainWindow* window, const std::function<void(const QString&)>& open)
{
    const QString title = QObject::tr("Import BNN-PYNQ parameters");
    const QString dir = QFileDialog::getExistingDirectory(window, title + " — " + QObject::tr("parameter folder"));
    if (dir.isEmpty())
        return;
    const QString suggestion =
        QFileInfo(dir).absolutePath() + "/" + QFileInfo(dir).fileName() + "-imported/" + QFileInfo(dir).fileName() + ".qnnproj";
    const QString project = QFileDialog::getSaveFileName(window, title + " — " + QObject::tr("new project"), suggestion,
                                                         QObject::tr("Projects (*.qnnproj)"));
    if (project.isEmpty())
        return;
    auto* process = new ChildProcess(window);
    auto why = std::make_shared<QString>();
    QObject::connect(process, &ChildProcess::failed, window, [why](const QString& message) {
        if (why->isEmpty())
            *why = message;
    });
    QObject::connect(process, &ChildProcess::finished, window, [=](int code) {
        process->deleteLater();
        if (code != 0 || !why->isEmpty()) {
            QMessageBox::warning(window, title, why->isEmpty() ? QObject::tr("qnnw import-packed failed.") : *why);
            return;
        }
        open(project);
    });
    process->start({"import-packed", dir, "--out", project, "--json"});
}

} // namespace

void installVerify(QMainWindow* window, GraphDocument* document, QMenu* fileMenu, QAction* before,
                   std::function<void(const QString&)> open)
{
    auto* dock = new QDockWidget(QObject::tr("Verify"), window);
    dock->setObjectName("verifyDock");
    dock->setWidget(new VerifyPanel(document, dock));
    window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    auto* action = new QAction(QObject::tr("Import BNN-PYNQ parameters…"), window);
    QObject::connect(action, &QAction::triggered, window, [window, open] { importBnnPynq(window, open); });
    fileMenu->insertAction(before, action);
}
