#pragma once

#include <QObject>
#include <QString>

#include <functional>

class QAction;
class QMenu;
class ChildProcess;
class QWidget;

/** File > Export > QONNX… and File > Import > QONNX…: both run `qnnw export`
 *  / `qnnw import` as a child process (the workbench links no ONNX code of
 *  its own and never blocks), then say what happened in a message box. */
class QonnxActions : public QObject
{
    Q_OBJECT
public:
    /** The project file shown now (empty when unsaved), and how to open one. */
    using ProjectFile = std::function<QString()>;
    using OpenProject = std::function<void(const QString&)>;

    QonnxActions(QWidget* window, ProjectFile current, OpenProject open);

    /** Asks for a run of the current project and a file, then exports. */
    void exportQonnx();
    /** Asks for a .onnx file and where the new project goes, imports, opens it. */
    void importQonnx();

    /** The work without the dialogs: `finished` says how it went; an import
     *  that worked opens the new project. False when one is still running. */
    bool startExport(const QString& project, const QString& run, const QString& file);
    bool startImport(const QString& file, const QString& project);
    bool isRunning() const;

    static QStringList exportArguments(const QString& project, const QString& run, const QString& file);
    static QStringList importArguments(const QString& project, const QString& file);

Q_SIGNALS:
    /** `message`: what was written, or qnnw's sentence about what went wrong. */
    void finished(bool ok, const QString& message);

private:
    bool run(const QStringList& arguments, const std::function<QString()>& onSuccess);

    QWidget* m_window;
    ProjectFile m_current;
    OpenProject m_open;
    ChildProcess* m_process = nullptr;
    QString m_boxTitle;
};

/** Adds Export ▸ QONNX… and Import ▸ QONNX… to the File menu, before `before`. */
void installQonnxActions(QWidget* window, QMenu* fileMenu, QAction* before, QonnxActions::ProjectFile current,
                         QonnxActions::OpenProject open);
