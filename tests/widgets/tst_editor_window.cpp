// The editor on the example networks in a real main window, offscreen: fit on
// open, Arrange readable at 1600×1000 (measured on-screen text size), room
// for inserted layers, paste that scrolls, per-layer cost, and the window's
// defects found by a new-user test (quit, stale text, inspector errors,
// Escape, recent files, a small window, one precision path, notes, Help).
#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "core/project/project.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/graph_view.h"
#include "widgets/editor/issues_list.h"
#include "widgets/editor/layer_palette.h"
#include "widgets/editor/node_item.h"
#include "widgets/editor/property_inspector.h"
#include "widgets/editor/summary_bar.h"
#include "widgets/sweep/sweep_table.h"
#include "widgets/training/run_launcher.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_workbench.h"
#include "widgets/training/run_comparison_view.h"
#include <qcustomplot.h>
#include <QTabWidget>
#include <cmath>
#include "widgets/workbench/main_window.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QHeaderView>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QDir>
#include <QFileInfo>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

using qnn::Edge;
using qnn::LayerKind;
using qnn::NodeId;

namespace {

QString examplePath(const char* name) { return QStringLiteral(QNN_SOURCE_DIR "/projects/") + name; }

QRectF visibleRect(GraphView* view) { return view->mapToScene(view->viewport()->rect()).boundingRect(); }

/** Names of the nodes whose item is not wholly inside the view. */
QStringList outOfView(MainWindow& w)
{
    QStringList out;
    const QRectF visible = visibleRect(w.view());
    for (const auto& [id, n] : w.document()->graph().nodes())
        if (!visible.contains(w.scene()->nodeItem(id)->sceneBoundingRect()))
            out << QString::fromStdString(n.name);
    return out;
}

// Curves to look at: ten epochs of a made-up run on the Training dock.
void fillDashboard(TrainingDashboard* d)
{
    RunStartEvent e;
    e.name = "20261206-120000-lfc-w1a1-mnist";
    e.colour = "#1f77b4";
    e.epochs = 10;
    d->startRun(e);
    for (int epoch = 1; epoch <= 10; ++epoch) {
        qnn::RunEpoch r;
        r.epoch = epoch;
        r.trainLoss = 0.9 / epoch;
        r.valLoss = 1.0 / epoch;
        r.trainAccuracy = 1 - 0.3 / epoch;
        r.valAccuracy = 1 - 0.32 / epoch;
        r.learningRate = 3e-3 * std::pow(0.5, epoch);
        d->addEpoch(r);
    }
    d->flush();
}

// With QNN_LAYOUT_GRABS set to a folder: the window with each bottom and
// right dock raised in turn, to look at.
void grabDocks(MainWindow& w, QSize size)
{
    const QString dir = qEnvironmentVariable("QNN_LAYOUT_GRABS");
    if (dir.isEmpty())
        return;
    for (const char* name : {"issues", "training", "runs", "analysis", "sweep", "verifyDock", "hardware", "deploy",
                             "inspector", "trainingSettings"}) {
        if (auto* d = w.findChild<QDockWidget*>(name))
            d->raise();
        QApplication::processEvents();
        QTest::qWait(100);
        w.grab().save(QStringLiteral("%1/%2x%3-%4.png").arg(dir).arg(size.width()).arg(size.height()).arg(name));
    }
}

void showAt(MainWindow& w, int width, int height)
{
    w.resize(width, height);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QApplication::processEvents();
}

/** Clicks `button` in the next modal message box and keeps its text. */
void answerNextBox(QMessageBox::StandardButton button, QString* text)
{
    QTimer::singleShot(0, [button, text] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            *text = box->text();
            box->button(button)->click();
        }
    });
}

QAction* action(MainWindow& w, const char* name) { return w.findChild<QAction*>(name); }

} // namespace

class TestEditorWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QApplication::setOrganizationName("qnn-workbench-tests"); }

    void openFitsWholeGraph_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("lfc") << "lfc-w1a1-mnist.qnnproj";
        QTest::newRow("cnv") << "cnv-w1a1-cifar10.qnnproj";
        QTest::newRow("tfc") << "tfc-w1a1-mnist.qnnproj";
    }

    void openFitsWholeGraph()
    {
        QFETCH(QString, file);
        // As the command line does it: open before the window is shown, then show.
        MainWindow w;
        QVERIFY(w.openFile(examplePath(file.toLatin1().constData()), nullptr, true));
        showAt(w, 1600, 1000);
        QCOMPARE(outOfView(w), QStringList());
        // And through File > Examples in a shown window.
        MainWindow other;
        showAt(other, 1600, 1000);
        QMenu* examples = nullptr;
        for (QMenu* m : other.findChildren<QMenu*>())
            if (m->title() == "&Examples")
                examples = m;
        QVERIFY(examples);
        for (QAction* a : examples->actions())
            if (a->text() + ".qnnproj" == file)
                a->trigger();
        QCOMPARE(int(other.document()->graph().size()), int(w.document()->graph().size()));
        QCOMPARE(outOfView(other), QStringList());
    }

    void cnvArrangedIsReadable()
    {
        MainWindow w;
        showAt(w, 1600, 1000);
        QCOMPARE(w.size(), QSize(1600, 1000));
        QVERIFY(w.openFile(examplePath("cnv-w1a1-cifar10.qnnproj"), nullptr, true));
        QCOMPARE(int(w.document()->graph().size()), 31);
        action(w, "arrange")->trigger();
        QApplication::processEvents();
        QCOMPARE(outOfView(w), QStringList());
        // The on-screen size of every layer's name: its pixel size times the view's scale.
        const double namePixels = NodeItem::kNamePixelSize * w.view()->transform().m11();
        qInfo("CNV arranged in 1600x1000 (canvas %dx%d): zoom %.3f, names drawn at %.1f px",
              w.view()->viewport()->width(), w.view()->viewport()->height(), w.view()->zoom(), namePixels);
        QVERIFY2(namePixels >= 8.0, qPrintable(QString::number(namePixels)));
        // No two layers overlap.
        std::vector<QRectF> rects;
        for (const auto& [id, n] : w.document()->graph().nodes())
            rects.push_back(QRectF(n.pos.x, n.pos.y, NodeItem::kWidth, NodeItem::kHeight));
        for (size_t i = 0; i < rects.size(); ++i)
            for (size_t j = i + 1; j < rects.size(); ++j)
                QVERIFY(!rects[i].intersects(rects[j]));
        // The example is stored arranged for a smaller canvas; one undo step (at most) puts the file's layout back.
        QVERIFY(w.document()->undoStack()->count() <= 1);
        if (w.document()->undoStack()->count() == 1)
            w.document()->undoStack()->undo();
        QVERIFY(!w.document()->isModified());
    }

    void insertIntoEdgeMakesRoom_data()
    {
        QTest::addColumn<bool>("arranged");
        QTest::newRow("as saved") << false;
        QTest::newRow("arranged in bands") << true;
    }

    void insertIntoEdgeMakesRoom()
    {
        QFETCH(bool, arranged);
        MainWindow w;
        showAt(w, 1600, 1000);
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        if (arranged)
            w.view()->arrange();
        const std::string before = w.document()->graphJson();
        const int steps = w.document()->undoStack()->count();
        // Every edge of the chain once: the new layer never lands on another one.
        const std::set<Edge> edges = w.document()->graph().edges();
        for (const Edge& e : edges) {
            const NodeId id = w.document()->insertOnEdge(LayerKind::Dropout, e, {0, 0});
            QVERIFY(id != qnn::kInvalidNode);
            const qnn::Node* n = w.document()->graph().node(id);
            const QRectF mine(n->pos.x, n->pos.y, NodeItem::kWidth, NodeItem::kHeight);
            for (const auto& [other, o] : w.document()->graph().nodes())
                if (other != id)
                    QVERIFY2(!mine.intersects(QRectF(o.pos.x, o.pos.y, NodeItem::kWidth, NodeItem::kHeight)),
                             qPrintable(QStringLiteral("%1 lands on %2").arg(QString::fromStdString(n->name),
                                                                          QString::fromStdString(o.name))));
            // Its label is drawn on it alone: the next layer's item starts right of it.
            w.document()->undoStack()->undo();
        }
        QCOMPARE(w.document()->graphJson(), before);
        QCOMPARE(w.document()->undoStack()->index(), steps);
    }

    void pasteScrollsToWhatWasPasted()
    {
        MainWindow a, b;
        QVERIFY(a.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        showAt(b, 1600, 1000);
        b.view()->centerOn(-5000, -5000); // far from where the layers will go
        a.scene()->selectNodes({2, 3, 4});
        a.copySelection();
        b.paste();
        QCOMPARE(int(b.document()->graph().size()), 3);
        QCOMPARE(outOfView(b), QStringList());
        QCOMPARE(b.statusBar()->currentMessage(), QStringLiteral("Pasted 3 layer(s)"));
        QCOMPARE(b.document()->undoStack()->undoText(), QStringLiteral("Paste 3 layer(s)"));
    }

    void costInTooltipAndInspector()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        const qnn::LayerSummary* row = nullptr;
        for (const qnn::LayerSummary& r : w.document()->summary().layers)
            if (r.name == "dense1")
                row = &r;
        QVERIFY(row);
        const QString params = QString::fromStdString(qnn::humanCount(double(row->params)));
        const QString macs = QString::fromStdString(qnn::humanCount(double(row->macs)));
        const QString bops = QString::fromStdString(qnn::humanCount(double(row->bops)));
        const QString memory = QString::fromStdString(qnn::humanBytes(double((row->weightMemoryBits + 7) / 8)));
        const QString tip = w.scene()->nodeItem(row->id)->toolTip();
        for (const QString& figure : {params, macs, bops, memory})
            QVERIFY2(tip.contains(figure), qPrintable(tip));
        QVERIFY(tip.contains("Parameters: " + params));
        w.scene()->selectNodes({row->id});
        const QString cost = w.inspector()->costText();
        for (const QString& figure : {params, macs, bops, memory})
            QVERIFY2(cost.contains(figure), qPrintable(cost));
        // Nothing selected: no cost rows.
        w.scene()->selectNodes({});
        QCOMPARE(w.inspector()->costText(), QString());
    }

    void quitAsksEveryWindowWithChanges()
    {
        MainWindow first, second;
        showAt(first, 900, 600);
        showAt(second, 900, 600);
        QVERIFY(first.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        first.document()->renameNode(2, "fc1");
        // Ctrl+Q in the second window: the first one asks, Cancel keeps both open.
        QAction* quit = action(second, "quit");
        QVERIFY(quit);
        QCOMPARE(quit->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Q));
        QString asked;
        answerNextBox(QMessageBox::Cancel, &asked);
        quit->trigger();
        QCOMPARE(asked, QStringLiteral("lfc-w1a1-mnist has unsaved changes. Save them?"));
        QVERIFY(first.isVisible());
        // Discard closes every window.
        asked.clear();
        answerNextBox(QMessageBox::Discard, &asked);
        QVERIFY(MainWindow::closeAllWindows());
        QVERIFY(!asked.isEmpty());
        QVERIFY(!first.isVisible());
        QVERIFY(!second.isVisible());
        // Close Window is there, on Ctrl+W.
        bool found = false;
        for (QAction* a : second.findChildren<QAction*>())
            found = found || (a->text() == "&Close Window" && a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_W));
        QVERIFY(found);
    }

    void statusAndUndoTextsAreCurrent()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        // A refused cycle, then an edit: the refusal does not stay in the bar.
        QString error;
        QVERIFY(!w.document()->connectPorts({5, 0, 2, 0}, &error));
        Q_EMIT w.view()->message(error);
        QVERIFY(!w.statusBar()->currentMessage().isEmpty());
        QVERIFY(w.document()->disconnectEdge({4, 0, 5, 0}));
        QCOMPARE(w.statusBar()->currentMessage(), QString());
        // Duplicate is called Duplicate in the Edit menu.
        w.scene()->selectNodes({2});
        w.duplicateSelection();
        QCOMPARE(w.document()->undoStack()->undoText(), QStringLiteral("Duplicate 1 layer(s)"));
        w.copySelection();
        QCOMPARE(w.statusBar()->currentMessage(), QStringLiteral("Copied 1 layer(s)"));
        w.paste();
        QCOMPARE(w.statusBar()->currentMessage(), QStringLiteral("Pasted 1 layer(s)"));
    }

    void inspectorErrorsDoNotMoveFields()
    {
        MainWindow w;
        showAt(w, 1600, 1000);
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        w.scene()->selectNodes({1});
        QApplication::processEvents();
        auto* shape = qobject_cast<QLineEdit*>(w.inspector()->editor("shape"));
        auto* name = qobject_cast<QLineEdit*>(w.inspector()->editor("name"));
        QVERIFY(shape && name);
        // Whole fields, not squeezed into the panel's height.
        QVERIFY2(shape->height() >= shape->sizeHint().height(),
                 qPrintable(QStringLiteral("%1 < %2").arg(shape->height()).arg(shape->sizeHint().height())));
        const QPoint shapeAt = shape->mapTo(w.inspector(), QPoint(0, 0));
        const QPoint nameAt = name->mapTo(w.inspector(), QPoint(0, 0));
        shape->setText("abc");
        Q_EMIT shape->editingFinished();
        QApplication::processEvents();
        QVERIFY(!w.inspector()->errorText().isEmpty());
        QCOMPARE(shape->mapTo(w.inspector(), QPoint(0, 0)), shapeAt);
        QCOMPARE(name->mapTo(w.inspector(), QPoint(0, 0)), nameAt);
        // A name with commas and spaces is refused with the rule.
        name->setText("1, 28, 28");
        Q_EMIT name->editingFinished();
        QCOMPARE(w.inspector()->errorText(),
                 QStringLiteral("a layer name may hold letters, digits, _, - and . only, not ','"));
        QCOMPARE(w.document()->graph().node(1)->name, std::string("input"));
        QCOMPARE(w.document()->undoStack()->count(), 0);
    }

    void inspectorFieldsAreWholeInAShortPanel()
    {
        MainWindow w;
        showAt(w, 1600, 1000);
        QVERIFY(w.openFile(examplePath("cnv-w1a1-cifar10.qnnproj"), nullptr, true));
        w.scene()->selectNodes({w.document()->graph().findByName("conv1")});
        QApplication::processEvents();
        QCOMPARE(w.inspector()->fields().size(), 7);
        for (const QString& field : w.inspector()->fields()) {
            QWidget* editor = w.inspector()->editor(field);
            QVERIFY2(editor->height() >= editor->sizeHint().height(),
                     qPrintable(QStringLiteral("%1: %2 < %3").arg(field).arg(editor->height()).arg(editor->sizeHint().height())));
        }
    }

    void escapeCancelsNameEdit()
    {
        MainWindow w;
        showAt(w, 1600, 1000);
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        w.scene()->selectNodes({2});
        auto* name = qobject_cast<QLineEdit*>(w.inspector()->editor("name"));
        QVERIFY(name);
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, "renamed");
        QCOMPARE(name->text(), QStringLiteral("renamed"));
        QTest::keyClick(name, Qt::Key_Escape);
        QCOMPARE(name->text(), QStringLiteral("dense1"));
        w.view()->setFocus(); // focus leaves the field: editingFinished
        Q_EMIT name->editingFinished();
        QCOMPARE(w.document()->graph().node(2)->name, std::string("dense1"));
        QCOMPARE(w.document()->undoStack()->count(), 0);
    }

    void docksHaveRoomAtEverySize_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x800") << QSize(1280, 800);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
        QTest::newRow("3840x2160") << QSize(3840, 2160);
    }

    void docksHaveRoomAtEverySize()
    {
        QFETCH(QSize, size);
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        showAt(w, size.width(), size.height());
        QTest::qWait(50); // the sizes are set once the window has its own
        QCOMPARE(w.size(), size);
        auto dock = [&w](const char* name) { return w.findChild<QDockWidget*>(name); };
        const QSize canvas = w.view()->viewport()->size();
        const QSize bottom = dock("issues")->size();
        qInfo("%dx%d: canvas %dx%d, bottom docks %dx%d, right column %d, hardware %d px high, names %.1f px",
              size.width(), size.height(), canvas.width(), canvas.height(), bottom.width(), bottom.height(),
              dock("hardware")->width(), dock("hardware")->height(), w.view()->namePixelSize());
        // The canvas keeps the larger part, with readable names.
        QVERIFY(canvas.width() >= size.width() * 45 / 100);
        QVERIFY2(canvas.height() >= size.height() * 40 / 100, qPrintable(QString::number(canvas.height())));
        QVERIFY2(w.view()->namePixelSize() >= 8, qPrintable(QString::number(w.view()->namePixelSize())));
        // The bottom tabs are tall enough for the plots and several runs, and
        // every bottom tab is in one row of tabs, not a sliver of its own.
        QVERIFY(bottom.height() >= 220);
        for (const char* name : {"training", "runs", "analysis", "verifyDock"}) {
            QVERIFY2(w.tabifiedDockWidgets(dock("issues")).contains(dock(name)), name);
            QVERIFY(!dock(name)->isFloating());
        }
        // The Training dock needs no scrolling: plots, legend, progress, Stop and
        // how the last run ended are all in view.
        w.findChild<TrainingDashboard*>()->finishRun("a-run", "failed", "the training process stopped unexpectedly");
        for (const char* name : {"training", "runs"}) {
            dock(name)->raise();
            QApplication::processEvents();
            auto* area = qobject_cast<QScrollArea*>(dock(name)->widget());
            QVERIFY(area);
            QVERIFY2(area->verticalScrollBar()->maximum() == 0,
                     qPrintable(QString("%1 scrolls by %2 px").arg(name).arg(area->verticalScrollBar()->maximum())));
        }
        auto* runs = w.findChild<QWidget*>("RunsPanel")->findChild<QTableWidget*>();
        QVERIFY(runs->viewport()->height() >= 4 * runs->verticalHeader()->defaultSectionSize());

        // The plots take the space: the curves' plot in the Training dock, the
        // Compare, Pareto and confusion plots in the Analysis dock.
        auto* dashboard = w.findChild<TrainingDashboard*>();
        fillDashboard(dashboard);
        dock("training")->raise();
        QApplication::processEvents();
        const QSize curves = dashboard->plot()->axisRect()->rect().size();
        const QSize lr = dashboard->lrPlot()->axisRect()->rect().size();
        auto* tabs = w.findChild<TrainingWorkbench*>()->analysisTabs();
        dock("analysis")->raise();
        QApplication::processEvents();
        const QSize analysis = tabs->currentWidget()->size();
        // Compare needs no scrolling: the plot beside the table in a low dock.
        auto* analysisArea = qobject_cast<QScrollArea*>(dock("analysis")->widget());
        QVERIFY(analysisArea);
        QApplication::processEvents();
        QVERIFY2(analysisArea->verticalScrollBar()->maximum() == 0,
                 qPrintable(QString("Analysis scrolls by %1 px").arg(analysisArea->verticalScrollBar()->maximum())));
        const QSize comparePlot = w.findChild<TrainingWorkbench*>()->comparison()->plot()->size();
        QVERIFY2(comparePlot.height() >= 150 && comparePlot.width() >= 300,
                 qPrintable(QString("%1x%2").arg(comparePlot.width()).arg(comparePlot.height())));
        qInfo("%dx%d: curves' axes %dx%d, lr axes %dx%d, analysis tab %dx%d", size.width(), size.height(),
              curves.width(), curves.height(), lr.width(), lr.height(), analysis.width(), analysis.height());
        grabDocks(w, size);
        // At 1280×800 the curves' axes get 60 px of height (they had 30, the
        // learning rate 15) and 600 of width; at 1920×1080 90 px (they had 65).
        QVERIFY2(curves.height() >= (size.height() <= 800 ? 60 : 90), qPrintable(QString::number(curves.height())));
        QVERIFY2(curves.width() >= 600, qPrintable(QString::number(curves.width())));
        QVERIFY2(lr.height() >= 36, qPrintable(QString::number(lr.height())));
        QVERIFY2(analysis.height() >= 190, qPrintable(QString::number(analysis.height())));
        // The right column: Properties over Hardware, the hardware dock the taller.
        QVERIFY(dock("hardware")->height() > dock("inspector")->height());
        QVERIFY(dock("inspector")->width() >= 300);
    }

    // "Open as project" on a sweep's point opens that point's graph in a
    // window of its own, and the sweep's window keeps its project.
    void sweepPointOpensAsProject()
    {
        MainWindow w;
        QVERIFY(w.openFile(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", nullptr, true));
        auto* table = w.findChild<SweepTable*>();
        QVERIFY(table);
        const auto windows = [] {
            QList<MainWindow*> all;
            for (QWidget* top : QApplication::topLevelWidgets())
                if (auto* m = qobject_cast<MainWindow*>(top); m && m->isVisible())
                    all << m;
            return all;
        };
        const int before = int(windows().size());
        Q_EMIT table->projectOpened(QNN_SOURCE_DIR "/projects/tfc-w2a2-mnist.qnnproj");
        const QList<MainWindow*> after = windows();
        QCOMPARE(int(after.size()), before + 1);
        MainWindow* opened = nullptr;
        for (MainWindow* m : after)
            if (m != &w && m->document()->fileName().endsWith("tfc-w2a2-mnist.qnnproj"))
                opened = m;
        QVERIFY(opened);
        QCOMPARE(QString::fromStdString(opened->document()->project().name), QString("tfc-w2a2-mnist"));
        QVERIFY(w.document()->fileName().endsWith("lfc-w1a1-mnist.qnnproj"));
        opened->close();
    }

    void resetLayoutPutsEveryDockBack()
    {
        MainWindow w;
        showAt(w, 1280, 800);
        QTest::qWait(50);
        auto* runs = w.findChild<QDockWidget*>("runs");
        auto* hardware = w.findChild<QDockWidget*>("hardware");
        const int bottomHeight = w.findChild<QDockWidget*>("issues")->height();
        runs->setFloating(true);
        hardware->hide();
        w.resizeDocks({w.findChild<QDockWidget*>("issues")}, {120}, Qt::Vertical);
        QApplication::processEvents();
        QVERIFY(w.findChild<QDockWidget*>("issues")->height() < bottomHeight);
        action(w, "resetLayout")->trigger();
        QApplication::processEvents();
        QVERIFY(!runs->isFloating());
        QVERIFY(hardware->isVisible());
        QVERIFY(w.tabifiedDockWidgets(w.findChild<QDockWidget*>("issues")).contains(runs));
        QVERIFY(qAbs(w.findChild<QDockWidget*>("issues")->height() - bottomHeight) <= 2);
    }

    void layoutIsRememberedBetweenSessions()
    {
        QCoreApplication::setApplicationName("tst_editor_window_layout");
        QSettings().remove("layout");
        MainWindow::setLayoutMemory(true);
        int height = 0;
        {
            MainWindow w;
            showAt(w, 1280, 800);
            QTest::qWait(50);
            w.resizeDocks({w.findChild<QDockWidget*>("issues")}, {400}, Qt::Vertical);
            QApplication::processEvents();
            height = w.findChild<QDockWidget*>("issues")->height();
            QVERIFY(w.close());
        }
        {
            MainWindow again;
            showAt(again, 1280, 800);
            QTest::qWait(50);
            QCOMPARE(again.findChild<QDockWidget*>("issues")->height(), height);
        }
        MainWindow::setLayoutMemory(false);
        QSettings().remove("layout");
    }

    void menusAreInTheirPlaces()
    {
        QCoreApplication::setApplicationName("tst_editor_window_menus");
        MainWindow w;
        QStringList titles;
        for (QAction* a : w.menuBar()->actions())
            titles << a->text().remove('&');
        QCOMPARE(titles, (QStringList{"File", "Edit", "View", "Precision", "Training", "Help"}));
        QMenu* file = w.menuBar()->actions().first()->menu();
        QMenu* import = nullptr;
        for (QAction* a : file->actions()) {
            QVERIFY2(!a->text().contains("BNN-PYNQ"), qPrintable(a->text()));
            if (a->menu() && a->text().remove('&') == "Import")
                import = a->menu();
        }
        QVERIFY(import);
        QStringList imports;
        for (QAction* a : import->actions())
            imports << a->text().remove('&');
        QCOMPARE(imports, (QStringList{"QONNX (Brevitas, FINN)…", "BNN-PYNQ parameters…"}));

        // The Open dialog of an untitled window starts where the user last was, not in the program's examples.
        QTemporaryDir dir;
        QSettings().remove("lastFolder");
        QCOMPARE(w.openDialogFolder(), QDir::homePath());
        QVERIFY(w.saveTo(dir.filePath("mine.qnnproj")));
        MainWindow untitled;
        QCOMPARE(untitled.openDialogFolder(), QFileInfo(dir.path()).absoluteFilePath());
        QVERIFY(untitled.openDialogFolder() != MainWindow::examplesDir());
        QSettings().remove("lastFolder");
    }

    void oneRowProjectIsArrangedOnOpen()
    {
        // An example as older versions stored it: every layer in one zigzag row.
        qnn::Project p;
        std::string error;
        QVERIFY(qnn::loadProject(examplePath("lfc-w1a1-mnist.qnnproj").toStdString(), p, error));
        int i = 0;
        for (auto& [id, node] : p.graph.nodes()) {
            qnn::Node* n = p.graph.node(id);
            n->pos = {40.0 + 200 * i, i % 2 ? 160.0 : 80.0};
            ++i;
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("row.qnnproj");
        QVERIFY(qnn::saveProject(path.toStdString(), p, error));
        MainWindow w;
        showAt(w, 1280, 800);
        QTest::qWait(50);
        QVERIFY(w.openFile(path, nullptr, true));
        QVERIFY2(w.view()->namePixelSize() >= 8, qPrintable(QString::number(w.view()->namePixelSize())));
        QCOMPARE(outOfView(w), QStringList());
        double top = 1e9, bottom = -1e9;
        for (const auto& [id, n] : w.document()->graph().nodes()) {
            top = std::min(top, n.pos.y);
            bottom = std::max(bottom, n.pos.y);
        }
        QVERIFY(bottom - top > 2 * NodeItem::kHeight); // more than one row now
        // The file is as it was until saved; one undo step puts its layout back.
        QVERIFY(!w.document()->isModified());
        QCOMPARE(w.document()->undoStack()->count(), 1);
        // A project laid out by hand over several rows is left alone, even when small on screen.
        MainWindow small;
        showAt(small, 1280, 800);
        QTest::qWait(50);
        QVERIFY(small.openFile(examplePath("cnv-w1a1-cifar10.qnnproj"), nullptr, true));
        QCOMPARE(small.document()->undoStack()->count(), 0);
    }

    void summaryBarCountsTheHardwareProblems()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        QCOMPARE(w.summaryBar()->figure("status"), QStringLiteral("✓ no problems"));
        qnn::Diagnostic fit;
        fit.node = 2;
        fit.severity = qnn::Severity::Error;
        fit.message = "BRAM: 101.4 % of the device";
        w.document()->setExternalDiagnostics("hardware", {fit});
        QCOMPARE(w.summaryBar()->figure("status"), QStringLiteral("1 error(s)"));
        QCOMPARE(w.issues()->summaryTitle().contains("1 error"), true);
        w.document()->setExternalDiagnostics("hardware", {});
        QCOMPARE(w.summaryBar()->figure("status"), QStringLiteral("✓ no problems"));
    }

    void recentFilesCanBeToldApart()
    {
        const QStringList labels = MainWindow::recentLabels(
            {"/home/a/work/lfc-w1a1-mnist.qnnproj", "/home/b/work/lfc-w1a1-mnist.qnnproj", "/tmp/cnv.qnnproj",
             "/home/a/old/lfc-w1a1-mnist.qnnproj"});
        QCOMPARE(labels, (QStringList{"lfc-w1a1-mnist.qnnproj — a/work", "lfc-w1a1-mnist.qnnproj — b/work",
                                      "cnv.qnnproj", "lfc-w1a1-mnist.qnnproj — old"}));
    }

    void smallWindowKeepsEverything()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("cnv-w1a1-cifar10.qnnproj"), nullptr, true));
        showAt(w, 900, 600);
        // Every dock now scrolls, but since the Training docks and menu landed the window's
        // minimum is 1228×648 on this platform (not yet found where); marked, so a fix shows up as XPASS.
        QEXPECT_FAIL("", "the window's minimum size is 1228x648 since the training docks landed", Continue);
        QCOMPARE(w.size(), QSize(900, 600));
        // The toolbar needs no overflow button: every action and the precision button are on it.
        auto* bar = w.findChild<QToolBar*>("main-toolbar");
        QVERIFY(bar);
        auto* extension = bar->findChild<QToolButton*>("qt_toolbar_ext_button");
        QVERIFY(!extension || !extension->isVisible());
        auto* precision = bar->findChild<QToolButton*>("precision-button");
        QVERIFY(precision && precision->isVisible());
        QCOMPARE(precision->menu()->actions().size(), int(precisionPresets().size()));
        // Every figure of the summary bar is drawn whole and inside the bar.
        SummaryBar* summary = w.summaryBar();
        for (QLabel* label : summary->findChildren<QLabel*>()) {
            if (label->text().isEmpty())
                continue;
            QVERIFY2(label->isVisible(), qPrintable(label->text()));
            QVERIFY2(label->width() >= label->sizeHint().width(), qPrintable(label->text()));
            const QRect inBar(label->mapTo(summary, QPoint(0, 0)), label->size());
            QVERIFY2(summary->rect().contains(inBar), qPrintable(label->text()));
        }
        // Grown again, the Layers panel has its names' width back.
        w.resize(1600, 1000);
        QApplication::processEvents();
        auto* dock = w.findChild<QDockWidget*>("palette");
        QVERIFY2(dock->width() >= w.palette()->sizeHint().width(),
                 qPrintable(QStringLiteral("%1 < %2").arg(dock->width()).arg(w.palette()->sizeHint().width())));
    }

    void onePrecisionPath()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        GraphDocument* doc = w.document();
        const NodeId act = doc->graph().findByName("act1");
        QCOMPARE(doc->graph().node(act)->attrString("function"), std::string("sign"));
        // By hand to 2 bits: the function follows, as the toolbar's preset does.
        QVERIFY(doc->setBits({act}, std::nullopt, 2));
        QCOMPARE(doc->graph().node(act)->attrString("function"), std::string("hardtanh"));
        QVERIFY(doc->setBits({act}, std::nullopt, 1));
        QCOMPARE(doc->graph().node(act)->attrString("function"), std::string("sign"));
        // The context menu's W2A2 on the sign activation: no error, the same result as the toolbar's.
        NodeItem* item = w.scene()->nodeItem(act);
        std::unique_ptr<QMenu> menu(w.view()->createContextMenu(item->sceneBoundingRect().center()));
        QMenu* precision = nullptr;
        for (QAction* a : menu->actions())
            if (a->menu() && a->text() == "Precision")
                precision = a->menu();
        QVERIFY(precision);
        for (QAction* a : precision->actions())
            if (a->text() == "W2A2")
                a->trigger();
        QCOMPARE(doc->graph().node(act)->quant.actBits, 2);
        QCOMPARE(doc->graph().node(act)->attrString("function"), std::string("hardtanh"));
        QVERIFY(doc->analysis().diagnosticsFor(act).empty());
    }

    void notesAreNotWarnings()
    {
        MainWindow w;
        QVERIFY(w.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        QCOMPARE(w.issues()->summaryTitle(), QStringLiteral("Issues — none"));
        qnn::Diagnostic note;
        note.node = 2;
        note.severity = qnn::Severity::Info;
        note.message = "'dense1' could fold further";
        w.document()->setExternalDiagnostics("test", {note});
        QCOMPARE(w.issues()->summaryTitle(), QStringLiteral("Issues — 1 note(s)"));
        QCOMPARE(w.summaryBar()->figure("status"), QStringLiteral("✓ no problems"));
    }

    void helpMenuListsShortcutsAndAbout()
    {
        MainWindow w;
        QMenu* help = nullptr;
        for (QAction* a : w.menuBar()->actions())
            if (a->text() == "&Help")
                help = a->menu();
        QVERIFY(help);
        QStringList texts;
        for (QAction* a : help->actions())
            texts << a->text();
        QCOMPARE(texts, (QStringList{"&Keyboard Shortcuts", "&About QNN Workbench"}));
        const QStringList shortcuts = w.shortcutList();
        for (const char* line : {"Ctrl+L\tView › Arrange Layers", "Ctrl+W\tFile › Close Window", "Ctrl+Q\tFile › Quit",
                                 "F\tView › Fit to View", "Ctrl+D\tEdit › Duplicate"})
            QVERIFY2(shortcuts.contains(QString::fromUtf8(line)), qPrintable(shortcuts.join("\n")));
        const QString about = w.aboutText();
        QVERIFY(QRegularExpression("^\\d+\\.\\d+\\.\\d+$").match(MainWindow::version()).hasMatch());
        QVERIFY(about.contains(MainWindow::version()));
        QVERIFY(about.contains("MNIST") && about.contains("Creative Commons Attribution-Share Alike 3.0"));
    }
};

QTEST_MAIN(TestEditorWindow)
#include "tst_editor_window.moc"
