#pragma once

#include <QMainWindow>

class GraphDocument;
class GraphScene;
class GraphView;
class HardwarePanel;
class IssuesList;
class LayerPalette;
class PropertyInspector;
class SummaryBar;
class QMenu;

/** The workbench window: palette (left), canvas with the summary bar
 *  (centre), inspector (right), issues (bottom); File, Edit, View and
 *  Precision menus. Lives in qnn_widgets so that tests can drive it. */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    GraphDocument* document() const { return m_document; }
    GraphScene* scene() const { return m_scene; }
    GraphView* view() const { return m_view; }
    LayerPalette* palette() const { return m_palette; }
    PropertyInspector* inspector() const { return m_inspector; }
    IssuesList* issues() const { return m_issues; }
    SummaryBar* summaryBar() const { return m_summary; }
    HardwarePanel* hardware() const { return m_hardware; }

    /** Opens a project; on failure shows the loader's sentence in a dialog
     *  (unless `quiet`) and returns false with it in `error`. */
    bool openFile(const QString& path, QString* error = nullptr, bool quiet = false);
    bool saveTo(const QString& path, QString* error = nullptr);
    /** Asks whether to save unsaved changes; false when the user cancels. */
    bool maybeSave();
    /** The folder of example projects (projects/ of the source tree), or empty. */
    static QString examplesDir();
    /** Closes every workbench window, each asking about its unsaved changes;
     *  stops (and returns false) at the first the user keeps open. */
    static bool closeAllWindows();
    /** Menu texts for recent files: the file name, plus as much of its folder
     *  as it takes to tell apart files of the same name. */
    static QStringList recentLabels(const QStringList& paths);
    /** Every shortcut of the window's actions, "Ctrl+L\tArrange Layers" per line, sorted by menu. */
    QStringList shortcutList() const;
    QMenu* recentMenu() const { return m_recentMenu; }
    /** "0.1.0", from the CMake project. */
    static QString version();
    /** Help > About: version, Qt, and the licences of the data the examples use. */
    QString aboutText() const;

    /** Docks back where and as large as they first open, for the window's
     *  present size (View ▸ Reset Layout): Layers left; Properties over
     *  Hardware on the right; Issues, Training, Runs, Analysis and Verify as
     *  tabs along the bottom, each a share of the window that leaves the
     *  canvas the larger part from 1280×800 up to 4K. */
    void resetLayout();
    /** Remember dock places and sizes between sessions (QSettings group "layout"):
     *  the application turns this on; tests and screenshots leave it off. */
    static void setLayoutMemory(bool on);
    /** Where the Open dialog starts: the project's folder, else the folder
     *  last opened or saved in, else the home folder. */
    QString openDialogFolder() const;
    /** Asks what to do with a run that is training while the window closes:
     *  let it finish in the background, stop it, or keep the window. False
     *  when the window stays. */
    bool maybeLeaveRuns();

    // Edit actions, also reachable from menus and shortcuts.
    void copySelection();
    void paste();
    void duplicateSelection();
    void deleteSelection();
    void selectAll();

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void createActions();
    void updateTitle();
    void updateRecentMenu();
    void addRecent(const QString& path);
    void newFile();
    void open();
    bool save();
    bool saveAs();
    void addAtCentre(int kind);
    void selectionChanged();
    void showMessage(const QString& text);
    void showShortcuts();
    void showAbout();

    GraphDocument* m_document;
    GraphScene* m_scene;
    GraphView* m_view;
    LayerPalette* m_palette;
    PropertyInspector* m_inspector;
    IssuesList* m_issues;
    SummaryBar* m_summary;
    HardwarePanel* m_hardware;
    void applyDefaultSizes();
    void arrangeIfUnreadable();
    void rememberFolder(const QString& file);

    QMenu* m_recentMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    class TrainingWorkbench* m_training = nullptr;
    bool m_shownOnce = false;
    bool m_arrangePending = false;
    static bool s_layoutMemory;
    class QDockWidget* m_paletteDock = nullptr;
    int m_pasteCount = 0;
};
