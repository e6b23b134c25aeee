#include "widgets/workbench/main_window.h"

#include "widgets/data/datasets_dialog.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/graph_view.h"
#include "widgets/editor/issues_list.h"
#include "widgets/editor/layer_palette.h"
#include "widgets/editor/node_item.h"
#include "widgets/editor/property_inspector.h"
#include "widgets/editor/summary_bar.h"
#include "widgets/onnx/qonnx_actions.h"
#include "widgets/sweep/sweep_table.h"
#include "widgets/verify/verify_install.h"
#include "widgets/deploy/deploy_panel.h"
#include "widgets/hardware/hardware_panel.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_controller.h"
#include "widgets/training/training_workbench.h"
#include "widgets/verify/verify_panel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#ifndef QNN_VERSION
#define QNN_VERSION "unknown"
#endif

namespace {

constexpr const char* kClipboardMime = "application/x-qnn-graph";
constexpr int kMaxRecent = 8;
// Bumped when the docks change, so that an older saved layout is not restored over new docks.
constexpr int kLayoutVersion = 2;

// A dock's content in a scroll area: a tall panel then scrolls in a small
// window instead of setting the window's minimum height. Its width stays what
// the panel needs, as without the scroll area.
QWidget* scrollable(QWidget* content, bool keepWidth = true)
{
    auto* area = new QScrollArea;
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    if (keepWidth) {
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        area->setMinimumWidth(content->minimumSizeHint().width() + area->verticalScrollBar()->sizeHint().width());
    }
    return area;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_document(new GraphDocument(this))
{
    m_scene = new GraphScene(m_document, this);
    m_view = new GraphView(m_scene);
    m_summary = new SummaryBar(m_document);
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_view, 1);
    centreLayout->addWidget(m_summary);
    setCentralWidget(centre);

    m_palette = new LayerPalette;
    auto* paletteDock = m_paletteDock = new QDockWidget(tr("Layers"), this);
    paletteDock->setObjectName("palette");
    paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, paletteDock);

    m_inspector = new PropertyInspector(m_document);
    auto* inspectorDock = new QDockWidget(tr("Properties"), this);
    inspectorDock->setObjectName("inspector");
    inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);

    m_issues = new IssuesList(m_document);
    auto* issuesDock = new QDockWidget(m_issues->summaryTitle(), this);
    connect(m_issues, &IssuesList::titleChanged, issuesDock, &QDockWidget::setWindowTitle);
    issuesDock->setObjectName("issues");
    issuesDock->setWidget(m_issues);
    addDockWidget(Qt::BottomDockWidgetArea, issuesDock);
    // Deploy (issue 10): a tab beside the hardware dock, added below.
    auto* deployDock = new QDockWidget(tr("Deploy"), this);
    deployDock->setObjectName("deploy");
    // Deploy may scroll sideways: it sits behind Hardware, whose folding table
    // sets the right column's width, and must not widen it further.
    deployDock->setWidget(scrollable(new DeployPanel(m_document), false));
    m_hardware = new HardwarePanel(m_document);
    auto* hardwareDock = new QDockWidget(tr("Hardware"), this);
    hardwareDock->setObjectName("hardware");
    hardwareDock->setWidget(scrollable(m_hardware));
    addDockWidget(Qt::RightDockWidgetArea, hardwareDock);
    // Deploy shares a tab with Hardware (both are the FPGA side, both need height),
    // so the short Properties panel above keeps its own place. Every right-hand
    // panel sits in a scroll area, so their heights do not add up to a window
    // taller than the screen (a 900×600 window must be possible).
    addDockWidget(Qt::RightDockWidgetArea, deployDock);
    tabifyDockWidget(hardwareDock, deployDock);
    hardwareDock->raise();
    auto showHardware = [this] {
        m_summary->setFigure("lut%", tr("LUT"), m_hardware->figure("lut%"));
        m_summary->setFigure("bram%", tr("BRAM"), m_hardware->figure("bram%"));
        const qnn::Estimate& e = m_hardware->estimate();
        m_summary->setFigure("fps", tr("FPS"), e.ok ? QLocale(QLocale::English).toString(e.fps, 'f', 0) : tr("—"));
    };
    connect(m_hardware, &HardwarePanel::estimateChanged, this, showHardware);
    showHardware();
    // The right-hand docks (properties, hardware) run the full height: the
    // hardware dock's folding table needs it more than the issues list needs width.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::selectionChanged);
    connect(m_issues, &IssuesList::nodeActivated, this, [this](qnn::NodeId id) {
        m_scene->selectNodes({id});
        if (NodeItem* item = m_scene->nodeItem(id))
            m_view->centerOn(item);
    });
    connect(m_palette, &LayerPalette::kindActivated, this, [this](qnn::LayerKind kind) { addAtCentre(int(kind)); });
    connect(m_view, &GraphView::message, this, &MainWindow::showMessage);
    connect(m_inspector, &PropertyInspector::message, this, &MainWindow::showMessage);
    // A message is about the step that made it: the next edit makes it stale.
    connect(m_document->undoStack(), &QUndoStack::indexChanged, statusBar(), &QStatusBar::clearMessage);
    connect(m_document, &GraphDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &GraphDocument::fileNameChanged, this, &MainWindow::updateTitle);

    createActions();
    // Training (issue 7): Training/Runs/Analysis docks and the Training menu.
    m_training = installTrainingDocks(this, m_document, [this] { return maybeSave(); });
    // "Open as project" on a sweep's point: its graph opens in a window of its
    // own, editable, while this one keeps the sweep's project.
    connect(m_training->sweepTable(), &SweepTable::projectOpened, this, [this](const QString& path) {
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        QString error;
        if (!window->openFile(path, &error, true)) {
            delete window;
            QMessageBox::warning(this, tr("Open as project"), error);
            return;
        }
        window->show();
    });
    // Help is the last menu, after the Training menu added just now.
    menuBar()->removeAction(m_helpMenu->menuAction());
    menuBar()->addMenu(m_helpMenu);
    // Every other panel scrolls inside its dock too, so that no dock's minimum
    // size sets the window's: 900×600 stays possible with every dock open.
    // They may scroll sideways as well; the inspector sizes itself.
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        if (QWidget* panel = dock->widget(); panel && panel != m_inspector && !qobject_cast<QScrollArea*>(panel))
            dock->setWidget(scrollable(panel, false));
    // The run selected in the Runs dock is the one Verify and Deploy take by default
    // (Verify's dock is made in createActions(), before this).
    if (auto* runs = findChild<RunsPanel*>())
        connect(runs, &RunsPanel::selectionChanged, this, [this, runs](const std::vector<qnn::RunInfo>& selected) {
            // A sweep's run is not under the project's runs/: Verify and Deploy
            // keep the project's run (Open as project takes a point further).
            if (selected.empty() || runs->isSweepRun(selected.front().name))
                return;
            const QString name = QString::fromStdString(selected.front().name);
            if (auto* verify = findChild<VerifyPanel*>())
                verify->setSelectedRun(name);
            if (auto* deploy = findChild<DeployPanel*>())
                deploy->setSelectedRun(name);
        });
    updateTitle();
    resize(1440, 900);
    resetLayout();
}

MainWindow::~MainWindow() = default;

QString MainWindow::examplesDir()
{
    QStringList candidates;
#ifdef QNN_SOURCE_DIR
    candidates << QStringLiteral(QNN_SOURCE_DIR "/projects");
#endif
    // Build trees sit inside the source tree (build/bin/qnn-workbench), installs under share/.
    const QString app = QCoreApplication::applicationDirPath();
    candidates << app + "/../../projects" << app + "/../projects" << app + "/../share/qnn-workbench/projects"
               << QDir::currentPath() + "/projects";
    for (const QString& dir : candidates) {
        QDir d(dir);
        if (d.exists() && !d.entryList({"*.qnnproj"}, QDir::Files).isEmpty())
            return d.canonicalPath();
    }
    return {};
}

void MainWindow::createActions()
{
    QUndoStack* undo = m_document->undoStack();
    QStyle* st = style();

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAct = file->addAction(st->standardIcon(QStyle::SP_FileIcon), tr("&New"), this, &MainWindow::newFile);
    newAct->setShortcut(QKeySequence::New);
    QAction* newWindow = file->addAction(tr("New &Window"), this, [] {
        // A second window to copy layers between projects.
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
    });
    newWindow->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    QAction* openAct = file->addAction(st->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), this, &MainWindow::open);
    openAct->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QString exDir = examplesDir();
    const QStringList exFiles = exDir.isEmpty() ? QStringList() : QDir(exDir).entryList({"*.qnnproj"}, QDir::Files, QDir::Name);
    for (const QString& f : exFiles)
        examples->addAction(QFileInfo(f).completeBaseName(), this, [this, exDir, f] {
            if (maybeSave())
                openFile(exDir + "/" + f);
        });
    examples->setEnabled(!exFiles.isEmpty());
    QAction* datasets = file->addAction(tr("&Datasets…"), this, [this] {
        DatasetsDialog dialog(this);
        dialog.exec();
    });
    datasets->setObjectName("datasets");
    datasets->setStatusTip(tr("The datasets on this machine; download MNIST, Fashion-MNIST or CIFAR-10"));
    file->addSeparator();
    QAction* saveAct = file->addAction(st->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save"), this, &MainWindow::save);
    saveAct->setShortcut(QKeySequence::Save);
    QAction* saveAsAct = file->addAction(tr("Save &As…"), this, &MainWindow::saveAs);
    saveAsAct->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction* closeWindow = file->addAction(tr("&Close Window"), this, &QWidget::close);
    closeWindow->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    QAction* quit = file->addAction(tr("&Quit"), this, [] {
        if (closeAllWindows())
            QCoreApplication::quit();
    });
    // Spelled out: QKeySequence::Quit is empty on platforms without that binding.
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setObjectName("quit");
    installQonnxActions(this, file, closeWindow, [this] { return m_document->fileName(); },
                        [this](const QString& path) { if (maybeSave()) openFile(path); });
    installVerify(this, m_document, file, quit, [this](const QString& path) { if (maybeSave()) openFile(path); });
    // Every import under File ▸ Import: the BNN-PYNQ one comes in beside the file menu's items.
    QMenu* importMenu = nullptr;
    for (QAction* a : file->actions())
        if (a->menu() && a->menu()->title().remove('&') == tr("Import"))
            importMenu = a->menu();
    for (QAction* a : file->actions())
        if (importMenu && !a->menu() && a->text().startsWith(tr("Import BNN-PYNQ"))) {
            file->removeAction(a);
            a->setText(tr("&BNN-PYNQ parameters…"));
            importMenu->addAction(a);
        }
    updateRecentMenu();

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undoAct = undo->createUndoAction(this, tr("&Undo"));
    undoAct->setShortcut(QKeySequence::Undo);
    undoAct->setIcon(st->standardIcon(QStyle::SP_ArrowBack));
    QAction* redoAct = undo->createRedoAction(this, tr("&Redo"));
    redoAct->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redoAct->setIcon(st->standardIcon(QStyle::SP_ArrowForward));
    edit->addAction(undoAct);
    edit->addAction(redoAct);
    edit->addSeparator();
    // Canvas actions only fire while the canvas has focus, so that Delete or
    // Ctrl+C in a text field of the inspector keep their usual meaning.
    auto canvasAction = [this, edit](const QString& text, QList<QKeySequence> keys, auto slot) {
        QAction* a = edit->addAction(text, this, slot);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_view->addAction(a);
        return a;
    };
    canvasAction(tr("&Copy"), {QKeySequence::Copy}, &MainWindow::copySelection);
    canvasAction(tr("&Paste"), {QKeySequence::Paste}, &MainWindow::paste);
    canvasAction(tr("D&uplicate"), {QKeySequence(Qt::CTRL | Qt::Key_D)}, &MainWindow::duplicateSelection);
    canvasAction(tr("&Delete"), {QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)}, &MainWindow::deleteSelection);
    canvasAction(tr("Select &All"), {QKeySequence::SelectAll}, &MainWindow::selectAll);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to View"), m_view, &GraphView::fitToContents);
    fit->setShortcut(Qt::Key_F);
    fit->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(fit);
    QAction* zoomIn = view->addAction(tr("Zoom &In"), this, [this] { m_view->setZoom(1.25); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), this, [this] { m_view->setZoom(0.8); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    view->addSeparator();
    QAction* arrange = view->addAction(tr("&Arrange Layers"), m_view, &GraphView::arrange);
    arrange->setObjectName("arrange");
    arrange->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QAction* reset = view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);
    reset->setObjectName("resetLayout");
    reset->setStatusTip(tr("Every panel back in its place and at its first size"));

    QMenu* precision = menuBar()->addMenu(tr("&Precision"));
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("main-toolbar");
    bar->setMovable(false);
    // Icons only where there are icons, and the presets behind one button: the
    // bar then fits a 900-pixel window without an overflow "»".
    bar->setToolButtonStyle(Qt::ToolButtonFollowStyle);
    bar->addAction(newAct);
    bar->addAction(openAct);
    bar->addAction(saveAct);
    bar->addSeparator();
    bar->addAction(undoAct);
    bar->addAction(redoAct);
    bar->addSeparator();
    bar->addAction(arrange);
    bar->addAction(fit);
    bar->addSeparator();
    for (const PrecisionPreset& preset : precisionPresets()) {
        QAction* a = precision->addAction(QString::fromLatin1(preset.label), this,
                                          [this, preset] { m_document->applyPreset(preset); });
        a->setToolTip(tr("Set every layer to %1").arg(QString::fromLatin1(preset.label)));
        a->setObjectName(QStringLiteral("preset-%1").arg(preset.label));
    }
    auto* precisionButton = new QToolButton(bar);
    precisionButton->setObjectName("precision-button");
    precisionButton->setText(tr("Precision"));
    precisionButton->setToolTip(tr("Set every layer to one precision"));
    precisionButton->setMenu(precision);
    precisionButton->setPopupMode(QToolButton::InstantPopup);
    precisionButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addWidget(precisionButton);
    for (QAction* a : {arrange, fit})
        if (QWidget* button = bar->widgetForAction(a))
            static_cast<QToolButton*>(button)->setToolButtonStyle(Qt::ToolButtonTextOnly);

    QMenu* help = m_helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About QNN Workbench"), this, &MainWindow::showAbout);
}

QStringList MainWindow::shortcutList() const
{
    QStringList lines;
    for (QAction* menuAction : menuBar()->actions()) {
        QMenu* menu = menuAction->menu();
        if (!menu)
            continue;
        for (QAction* a : menu->actions()) {
            if (a->shortcuts().isEmpty())
                continue;
            QStringList keys;
            for (const QKeySequence& k : a->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            lines << QStringLiteral("%1\t%2 › %3")
                         .arg(keys.join(", "), menu->title().remove('&'), a->text().remove('&').remove(QChar(0x2026)));
        }
    }
    // Canvas gestures have no action: listed by hand.
    lines << tr("Tab or a letter\tCanvas › Quick-add a layer (after the selected one)")
          << tr("Arrow keys\tCanvas › Nudge the selection (Shift: further)")
          << tr("Space + drag, middle button\tCanvas › Pan") << tr("Wheel\tCanvas › Zoom")
          << tr("Escape\tCanvas › Cancel a connection being dragged");
    return lines;
}

void MainWindow::showShortcuts()
{
    QString html = QStringLiteral("<table cellpadding='3'>");
    for (const QString& line : shortcutList()) {
        const QStringList parts = line.split('\t');
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(parts.value(0).toHtmlEscaped(), parts.value(1).toHtmlEscaped());
    }
    html += QStringLiteral("</table>");
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard Shortcuts"), html, QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
}

QString MainWindow::version() { return QStringLiteral(QNN_VERSION); }

QString MainWindow::aboutText() const
{
    return tr("<h3>QNN Workbench %1</h3>"
              "<p>Design, train and deploy quantized neural networks on FPGAs.</p>"
              "<p>Built with Qt %2.</p>"
              "<p><b>Data the examples use</b></p>"
              "<ul><li>MNIST — Yann LeCun and Corinna Cortes; Creative Commons Attribution-Share Alike 3.0.</li>"
              "<li>Fashion-MNIST — Zalando Research; MIT License.</li>"
              "<li>CIFAR-10 (when present) — Alex Krizhevsky, Vinod Nair and Geoffrey Hinton; cite "
              "“Learning Multiple Layers of Features from Tiny Images”, 2009.</li>"
              "<li>Synthetic digits — drawn by the workbench itself; no licence needed.</li></ul>")
        .arg(version(), QString::fromLatin1(qVersion()));
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About QNN Workbench"), aboutText()); }

bool MainWindow::closeAllWindows()
{
    for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* window = qobject_cast<MainWindow*>(w); window && window->isVisible())
            if (!window->close())
                return false;
    return true;
}

QStringList MainWindow::recentLabels(const QStringList& paths)
{
    auto split = [](const QString& path) { return QDir::fromNativeSeparators(path).split('/', Qt::SkipEmptyParts); };
    // The last `depth` folders above the file.
    auto folders = [](const QStringList& parts, int depth) {
        const qsizetype from = std::max<qsizetype>(0, parts.size() - 1 - depth);
        return parts.mid(from, parts.size() - 1 - from).join('/');
    };
    QStringList labels;
    for (const QString& path : paths) {
        const QStringList parts = split(path);
        const QString name = parts.value(parts.size() - 1);
        QList<QStringList> namesakes;
        for (const QString& other : paths)
            if (other != path && split(other).value(split(other).size() - 1) == name)
                namesakes << split(other);
        QString label = name;
        if (!namesakes.isEmpty()) {
            label = path;
            for (int depth = 1; depth < parts.size(); ++depth) {
                const QString tail = folders(parts, depth);
                const bool clash = std::any_of(namesakes.begin(), namesakes.end(),
                                               [&](const QStringList& o) { return folders(o, depth) == tail; });
                if (!clash) {
                    label = QStringLiteral("%1 — %2").arg(name, tail);
                    break;
                }
            }
        }
        labels << label;
    }
    return labels;
}

void MainWindow::updateTitle()
{
    setWindowTitle(QStringLiteral("%1[*] — QNN Workbench").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

void MainWindow::showMessage(const QString& text) { statusBar()->showMessage(text, 8000); }

bool MainWindow::openFile(const QString& path, QString* error, bool quiet)
{
    QString err;
    if (!m_document->load(path, &err)) {
        if (error)
            *error = err;
        if (!quiet)
            QMessageBox::critical(this, tr("Cannot open project"), err);
        showMessage(err);
        return false;
    }
    addRecent(QFileInfo(path).absoluteFilePath());
    rememberFolder(path);
    m_view->showContents();
    showMessage(tr("Opened %1").arg(path));
    // Projects of older versions put every layer in one row: fitted into the
    // canvas, their names would be unreadable. Such a project is arranged as
    // Ctrl+L would, once the canvas has its real size.
    m_arrangePending = true;
    if (isVisible())
        arrangeIfUnreadable();
    return true;
}

bool MainWindow::saveTo(const QString& path, QString* error)
{
    QString err;
    if (!m_document->save(path, &err)) {
        if (error)
            *error = err;
        QMessageBox::critical(this, tr("Cannot save project"), err);
        return false;
    }
    addRecent(QFileInfo(path).absoluteFilePath());
    rememberFolder(path);
    showMessage(tr("Saved %1").arg(path));
    return true;
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    // Docks keep the width a small window squeezed them to; give the Layers
    // panel its names back once there is room again.
    if (!m_paletteDock || m_paletteDock->isFloating() || !m_paletteDock->isVisible())
        return;
    const int wanted = m_palette->sizeHint().width();
    if (m_paletteDock->width() < wanted && centralWidget()->width() > 2 * wanted)
        resizeDocks({m_paletteDock}, {wanted}, Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave() || !maybeLeaveRuns()) {
        event->ignore();
        return;
    }
    if (s_layoutMemory) {
        QSettings settings;
        settings.setValue("layout/geometry", saveGeometry());
        settings.setValue("layout/state", saveState(kLayoutVersion));
    }
    event->accept();
}

bool MainWindow::maybeLeaveRuns()
{
    TrainingController* c = m_training ? m_training->controller() : nullptr;
    if (!c || !c->isBusy())
        return true;
    const RunStartEvent* run = c->currentRun();
    const int waiting = int(c->queue().size());
    QMessageBox box(QMessageBox::Question, tr("A run is training"),
                    run ? tr("%1 is training. Let it finish in the background, or stop it?").arg(run->name)
                        : tr("A run is starting. Let it finish in the background, or stop it?"),
                    QMessageBox::NoButton, this);
    QString more = tr("In the background it goes on in a process of its own; the next window that opens this "
                      "project follows it in the Runs and Training docks. Stopped, it keeps its checkpoint: "
                      "Resume continues it.");
    if (waiting > 0)
        more += "\n\n" + tr("The %n job(s) waiting in the queue will not start.", nullptr, waiting);
    box.setInformativeText(more);
    QPushButton* background = box.addButton(tr("Finish in the background"), QMessageBox::AcceptRole);
    QPushButton* stop = box.addButton(tr("Stop it"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(background);
    box.setObjectName("closeWhileTraining");
    box.exec();
    if (box.clickedButton() == background) {
        QString error;
        const QStringList handed = c->continueInBackground(&error);
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("A run is training"), error);
        return true;
    }
    if (box.clickedButton() == stop) {
        c->stop();
        return true;
    }
    return false;
}

QString MainWindow::openDialogFolder() const
{
    if (!m_document->fileName().isEmpty())
        return QFileInfo(m_document->fileName()).absolutePath();
    const QString last = QSettings().value("lastFolder").toString();
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    return QDir::homePath();
}

void MainWindow::rememberFolder(const QString& file)
{
    QSettings().setValue("lastFolder", QFileInfo(file).absolutePath());
}

bool MainWindow::s_layoutMemory = false;

void MainWindow::setLayoutMemory(bool on) { s_layoutMemory = on; }

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (m_shownOnce)
        return;
    m_shownOnce = true;
    if (s_layoutMemory) {
        QSettings settings;
        const QByteArray geometry = settings.value("layout/geometry").toByteArray();
        const QByteArray state = settings.value("layout/state").toByteArray();
        if (!geometry.isEmpty())
            restoreGeometry(geometry);
        if (!state.isEmpty() && restoreState(state, kLayoutVersion)) {
            QTimer::singleShot(0, this, &MainWindow::arrangeIfUnreadable);
            return;
        }
    }
    // Dock sizes follow the size the window opens at (a screen's, a saved one).
    QTimer::singleShot(0, this, [this] {
        applyDefaultSizes();
        QApplication::processEvents(); // the canvas takes its size before it is measured
        arrangeIfUnreadable();
    });
}

void MainWindow::arrangeIfUnreadable()
{
    if (!m_arrangePending)
        return;
    m_arrangePending = false;
    m_view->showContents();
    if (m_view->arrangeIfUnreadable())
        showMessage(tr("The layers were arranged to be readable (Edit ▸ Undo puts them back as the file has them)"));
}

void MainWindow::resetLayout()
{
    auto dock = [this](const char* name) { return findChild<QDockWidget*>(QLatin1String(name)); };
    QDockWidget* palette = dock("palette");
    QDockWidget* inspector = dock("inspector");
    QDockWidget* settings = dock("trainingSettings");
    QDockWidget* hardware = dock("hardware");
    QDockWidget* deploy = dock("deploy");
    for (QDockWidget* d : findChildren<QDockWidget*>()) {
        d->setFloating(false);
        d->show();
    }
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    // The bottom tabs run under the Layers panel too (its list is short): the
    // plots and tables there get its width.
    setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
    if (palette)
        addDockWidget(Qt::LeftDockWidgetArea, palette);
    for (QDockWidget* d : {inspector, hardware})
        if (d)
            addDockWidget(Qt::RightDockWidgetArea, d, Qt::Vertical);
    if (inspector && settings)
        tabifyDockWidget(inspector, settings);
    if (hardware && deploy)
        tabifyDockWidget(hardware, deploy);
    // Along the bottom, one row of tabs: what a run produces is a tab away, not a sliver.
    QDockWidget* first = nullptr;
    for (const char* name : {"issues", "training", "runs", "analysis", "sweep", "verifyDock"}) {
        QDockWidget* d = dock(name);
        if (!d)
            continue;
        if (!first) {
            addDockWidget(Qt::BottomDockWidgetArea, d);
            first = d;
        } else {
            tabifyDockWidget(first, d);
        }
    }
    for (QDockWidget* d : {first, inspector, hardware})
        if (d)
            d->raise();
    applyDefaultSizes();
}

void MainWindow::applyDefaultSizes()
{
    const int w = width(), h = height();
    auto dock = [this](const char* name) { return findChild<QDockWidget*>(QLatin1String(name)); };
    QDockWidget* palette = dock("palette");
    QDockWidget* inspector = dock("inspector");
    QDockWidget* hardware = dock("hardware");
    QDockWidget* bottom = dock("issues");
    // Shares of the window, within bounds: at 1280×800 the canvas keeps about
    // 620×320 (an example's names at 8 px and more: the arranged examples are
    // wider than tall) and the bottom tabs 320 px, where the curves get 120 px
    // and more (with 250 px they had 30); at 4K the panels stop growing where
    // their content stops gaining. The right column is at least as wide as the
    // Hardware dock's folding table.
    const int left = palette ? std::clamp(w * 10 / 100, 140, 240) : 0;
    const int right = std::clamp(w * 24 / 100, 300, 600);
    // A laptop's 800 px: a third for the bottom tabs; from 900 px up the
    // canvas keeps more (CNV's 31 layers arranged stay readable at 1600×1000).
    const int below = std::clamp(h * (h <= 800 ? 34 : 28) / 100, 270, 800);
    if (palette && inspector)
        resizeDocks({palette, inspector}, {left, right}, Qt::Horizontal);
    if (bottom)
        resizeDocks({bottom}, {below}, Qt::Vertical);
    if (inspector && hardware)
        resizeDocks({inspector, hardware}, {h * 45 / 100, h * 55 / 100}, Qt::Vertical);
}

void MainWindow::newFile()
{
    if (maybeSave())
        m_document->newProject();
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open project"), openDialogFolder(), tr("QNN projects (*.qnnproj)"));
    if (!path.isEmpty())
        openFile(path);
}

bool MainWindow::save()
{
    if (m_document->fileName().isEmpty())
        return saveAs();
    return saveTo(m_document->fileName());
}

bool MainWindow::saveAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save project"),
                                                m_document->fileName().isEmpty() ? m_document->displayName() + ".qnnproj"
                                                                                 : m_document->fileName(),
                                                tr("QNN projects (*.qnnproj)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(".qnnproj"))
        path += ".qnnproj";
    return saveTo(path);
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recentFiles", recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    const QStringList labels = recentLabels(recent);
    for (int i = 0; i < recent.size(); ++i)
        m_recentMenu->addAction(labels.value(i), this, [this, path = recent[i]] {
            if (maybeSave())
                openFile(path);
        })->setToolTip(recent[i]);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::addAtCentre(int kind)
{
    const QPointF c = m_view->mapToScene(m_view->viewport()->rect().center());
    const qnn::NodeId id = m_document->addNode(static_cast<qnn::LayerKind>(kind),
                                               {std::round(c.x() - NodeItem::kWidth / 2), std::round(c.y() - NodeItem::kHeight / 2)});
    m_scene->selectNodes({id});
}

void MainWindow::selectionChanged() { m_inspector->setNodes(m_scene->selectedNodeIds()); }

void MainWindow::copySelection()
{
    const std::vector<qnn::NodeId> ids = m_scene->selectedNodeIds();
    if (ids.empty())
        return;
    const QByteArray json = QByteArray::fromStdString(m_document->copyNodes(ids));
    auto* mime = new QMimeData;
    mime->setData(kClipboardMime, json);
    mime->setText(QString::fromUtf8(json));
    QApplication::clipboard()->setMimeData(mime);
    m_pasteCount = 0;
    showMessage(tr("Copied %n layer(s)", nullptr, int(ids.size())));
}

void MainWindow::paste()
{
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    if (!mime)
        return;
    // Another window of the app may have put only text there (a different process, a plain-text clipboard).
    const QByteArray json = mime->hasFormat(kClipboardMime) ? mime->data(kClipboardMime) : mime->text().toUtf8();
    ++m_pasteCount;
    QString error;
    const std::string clip = json.toStdString();
    const std::vector<qnn::NodeId> ids =
        m_document->pasteNodes(clip, m_document->pasteOffsetBelow(clip, m_pasteCount), &error);
    if (ids.empty()) {
        showMessage(tr("Nothing to paste: %1").arg(error));
        return;
    }
    m_scene->selectNodes(ids);
    m_view->showNodes(ids);
    showMessage(tr("Pasted %n layer(s)", nullptr, int(ids.size())));
}

void MainWindow::duplicateSelection()
{
    const std::vector<qnn::NodeId> ids = m_document->duplicateNodes(m_scene->selectedNodeIds());
    m_scene->selectNodes(ids);
    m_view->showNodes(ids);
}

void MainWindow::deleteSelection() { m_document->removeItems(m_scene->selectedNodeIds(), m_scene->selectedEdges()); }

void MainWindow::selectAll()
{
    std::vector<qnn::NodeId> ids = m_document->graph().nodeIds();
    m_scene->selectNodes(ids);
}
