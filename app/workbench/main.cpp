// qnn-workbench: the desktop application.
#include "core/project/project.h"
#include "widgets/project/project_overview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("QNN Workbench");
    QApplication::setOrganizationName("qnn-workbench");

    QCommandLineParser parser;
    parser.setApplicationDescription("Design, train and deploy quantized neural networks.");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "A *.qnnproj file to open.");
    parser.process(app);

    QMainWindow window;
    auto* overview = new ProjectOverview(&window);
    window.setCentralWidget(overview);
    window.resize(1100, 760);
    window.setWindowTitle("QNN Workbench");

    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        qnn::Project project;
        std::string error;
        if (qnn::loadProject(args.first().toStdString(), project, error)) {
            overview->setProject(project);
            window.setWindowTitle(QString::fromStdString(project.name) + " — QNN Workbench");
        } else {
            QMessageBox::critical(&window, "Cannot open project", QString::fromStdString(error));
        }
    }
    window.show();
    return app.exec();
}
