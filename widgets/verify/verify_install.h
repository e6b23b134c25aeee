#pragma once

#include <functional>

class GraphDocument;
class QAction;
class QMainWindow;
class QMenu;
class QString;

/** The Verify dock (float vs integer per layer) and File ▸ Import BNN-PYNQ
 *  parameters… (a Xilinx parameter folder → a project and a run, by `qnnw
 *  import-packed` as a child process, then opened with `open`). One call from
 *  the main window; the menu item goes before `before`. */
void installVerify(QMainWindow* window, GraphDocument* document, QMenu* fileMenu, QAction* before,
                   std::function<void(const QString&)> open);
