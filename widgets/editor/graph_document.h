#pragma once

#include "core/graph/graph_analysis.h"
#include "core/graph/graph_layout.h"
#include "core/graph/graph_summary.h"
#include "core/project/project.h"

#include <QObject>
#include <QString>

#include <map>
#include <optional>
#include <string>
#include <vector>

class QUndoStack;

/** A whole-graph precision: the toolbar presets. */
struct PrecisionPreset {
    const char* label;
    int weightBits;
    int actBits;
};
/** FP32, W8A8, W4A4, W2A2, W1A2, W1A1, in toolbar order. */
const std::vector<PrecisionPreset>& precisionPresets();

/** The editor's model: owns the qnn::Project (and so the Graph) and the
 *  QUndoStack, and is the only object that emits change signals. Every edit
 *  a user makes goes through one of the public editing functions, which push
 *  an undo command; the commands call the private *Raw functions, which
 *  change the graph and emit one signal each. Analysis (shapes, diagnostics, summary)
 *  is recomputed after every undo-stack step. */
class GraphDocument : public QObject
{
    Q_OBJECT
public:
    explicit GraphDocument(QObject* parent = nullptr);
    ~GraphDocument() override;

    const qnn::Project& project() const { return m_project; }
    const qnn::Graph& graph() const { return m_project.graph; }
    const qnn::GraphAnalysis& analysis() const { return m_analysis; }
    const qnn::GraphSummary& summary() const { return m_summary; }
    QUndoStack* undoStack() const { return m_undoStack; }

    /** The file this document was loaded from or saved to; empty when new. */
    QString fileName() const { return m_fileName; }
    /** "lfc-w1a1-mnist", or "untitled" for a new project. */
    QString displayName() const;
    bool isModified() const;

    /** Replaces everything, clears the undo history, marks unmodified. */
    void setProject(const qnn::Project& project, const QString& fileName = {});
    void newProject();
    /** False with the loader's sentence when the file cannot be read. */
    bool load(const QString& path, QString* error);
    bool save(const QString& path, QString* error);

    /** The graph as the project file writes it: the bytes tests compare. */
    std::string graphJson() const;

    // --- editing: each call is one undo step ------------------------------
    /** Adds a node of this kind with default attributes; returns its id. */
    qnn::NodeId addNode(qnn::LayerKind kind, qnn::Point pos, const std::string& name = {});
    /** Adds a node and, when `after` can feed it, connects after → new node
     *  (quick-add); otherwise `notConnected` says why the two stay apart. */
    qnn::NodeId addNodeAfter(qnn::LayerKind kind, qnn::Point pos, qnn::NodeId after, QString* notConnected = nullptr);
    /** False and the reason (connectionProblem) when the edge is refused. */
    bool connectPorts(const qnn::Edge& edge, QString* error = nullptr);
    bool disconnectEdge(const qnn::Edge& edge);
    /** Moves an existing edge's end to another port in one step. */
    bool reconnect(const qnn::Edge& oldEdge, const qnn::Edge& newEdge, QString* error = nullptr);
    /** Deletes nodes (with every edge touching them) and edges in one step. */
    void removeItems(const std::vector<qnn::NodeId>& nodes, const std::vector<qnn::Edge>& edges = {});
    /** Sets one attribute on every listed node; refuses values outside the registry's range. */
    bool setAttribute(const std::vector<qnn::NodeId>& ids, const std::string& name, const qnn::AttrValue& value,
                      QString* error = nullptr);
    /** Sets the bit-widths that mean something for each node (weights,
     *  activations); an Activation's function follows (1 bit: sign). */
    bool setBits(const std::vector<qnn::NodeId>& ids, std::optional<int> weightBits, std::optional<int> actBits,
                 QString* error = nullptr);
    bool renameNode(qnn::NodeId id, const std::string& name, QString* error = nullptr);
    /** Moves nodes to new places as one step (a drag of many nodes). */
    void moveNodes(const std::map<qnn::NodeId, qnn::Point>& positions);
    /** Moves nodes by an offset (arrow keys); repeated nudges of the same nodes merge into one step. */
    void nudgeNodes(const std::vector<qnn::NodeId>& ids, double dx, double dy);
    /** Puts a new node in the middle of an edge: from → new → to. */
    qnn::NodeId insertOnEdge(qnn::LayerKind kind, const qnn::Edge& edge, qnn::Point pos, QString* error = nullptr);
    /** Weight bits on Dense/Conv2D, activation bits on Activation/QuantAct (sign
     *  for 1 bit, hardtanh otherwise, as setBits does); the Input follows only
     *  FP32 and W1A1. On the listed nodes, or on every node when none are listed:
     *  the toolbar and the context menu both come here. */
    void applyPreset(const PrecisionPreset& preset, const std::vector<qnn::NodeId>& ids = {});
    /** Layered left-to-right layout in topological order, wrapped into bands
     *  of `columnsPerBand` columns (0: one band); see qnn::arrangeLayers. */
    void autoArrange(int columnsPerBand = 0);
    /** Node size and spacing of the canvas, set by the scene that draws this
     *  document; arranging, inserting and pasting make room by it. */
    void setLayoutGrid(const qnn::LayoutGrid& grid) { m_grid = grid; }
    const qnn::LayoutGrid& layoutGrid() const { return m_grid; }

    /** The listed nodes and the edges between them, in the one graph serializer's JSON. */
    std::string copyNodes(const std::vector<qnn::NodeId>& ids) const;
    /** Adds copies with fresh ids (and fresh names where taken), moved by `offset`. */
    std::vector<qnn::NodeId> pasteNodes(const std::string& clipboardJson, qnn::Point offset, QString* error = nullptr,
                                        const QString& undoLabel = {});
    /** Copies below the originals (so they do not hide them). */
    std::vector<qnn::NodeId> duplicateNodes(const std::vector<qnn::NodeId>& ids);
    /** The offset that puts the `times`-th paste of this clipboard just below the previous one. */
    qnn::Point pasteOffsetBelow(const std::string& clipboardJson, int times) const;

    // --- hooks for other panels (the Hardware dock) --------------------------
    /** Problems found outside the graph analysis (the hardware estimate), by
     *  source; the Issues list shows them after the analysis' own. */
    void setExternalDiagnostics(const std::string& source, std::vector<qnn::Diagnostic> diagnostics);
    std::vector<qnn::Diagnostic> externalDiagnostics() const;
    /** A node the canvas points out (the pipeline's bottleneck) with a short
     *  note; kInvalidNode for none. */
    void setHighlightedNode(qnn::NodeId id, const QString& note);
    qnn::NodeId highlightedNode() const { return m_highlightedNode; }
    QString highlightNote() const { return m_highlightNote; }

    /** The runs list as qnnw recorded it in the file: not an edit, so no undo
     *  step; kept so that the next save does not drop a run. */
    void setRunsRaw(const std::vector<std::string>& runs);

Q_SIGNALS:
    void nodeAdded(qnn::NodeId id);
    void nodeAboutToBeRemoved(qnn::NodeId id);
    void nodeRemoved(qnn::NodeId id);
    /** Name, attributes or bits changed (ports may have changed too). */
    void nodeChanged(qnn::NodeId id);
    void nodeMoved(qnn::NodeId id);
    void edgeAdded(const qnn::Edge& edge);
    void edgeRemoved(const qnn::Edge& edge);
    /** The whole graph was replaced (new, open). */
    void graphReset();
    /** Shapes, diagnostics and summary were recomputed. */
    void analysisChanged();
    void modifiedChanged(bool modified);
    void fileNameChanged(const QString& fileName);
    /** The project's deploy section changed (an undo step follows with analysisChanged). */
    void deployChanged();
    /** The training or dataset section changed. */
    void trainingChanged();
    void runsChanged();
    /** The saved sweep definitions changed (New Sweep dialog, its undo). */
    void sweepsChanged();
    void externalDiagnosticsChanged();
    void highlightChanged(qnn::NodeId previous, qnn::NodeId current);

private:
    // The undo commands change the graph through these, each emitting one
    // signal; private, so that no edit can bypass the undo stack.
    friend class AddNodesCommand;
    friend class RemoveItemsCommand;
    friend class EdgeCommand;
    friend class ChangeNodesCommand;
    friend class MoveNodesCommand;
    friend class SetDeployCommand;
    friend class SetTrainingCommand;
    friend class SetSweepsCommand;
    /** The saved sweep definitions; SetSweepsCommand's (widgets/sweep). */
    void setSweepsRaw(const std::vector<qnn::SweepDefinition>& sweeps);
    /** The deploy section (device, clock, folding); SetDeployCommand's. */
    void setDeployRaw(const qnn::DeployTarget& deploy);
    /** The training and dataset sections; SetTrainingCommand's (widgets/training). */
    void setTrainingRaw(const qnn::TrainingConfig& training, const qnn::DatasetChoice& dataset);
    void insertNodeRaw(const qnn::Node& node);
    void removeNodeRaw(qnn::NodeId id);
    void connectRaw(const qnn::Edge& edge);
    void disconnectRaw(const qnn::Edge& edge);
    void replaceNodeRaw(const qnn::Node& node);
    void setPositionRaw(qnn::NodeId id, qnn::Point pos);

    void reanalyze();
    /** A unique name from a wanted one: "dense1" stays when free, else "dense2"... */
    std::string freeName(const std::string& wanted, const std::vector<std::string>& alsoTaken) const;

    qnn::Project m_project;
    qnn::GraphAnalysis m_analysis;
    qnn::GraphSummary m_summary;
    QUndoStack* m_undoStack = nullptr;
    QString m_fileName;
    std::map<std::string, std::vector<qnn::Diagnostic>> m_externalDiagnostics;
    qnn::LayoutGrid m_grid;
    qnn::NodeId m_highlightedNode = qnn::kInvalidNode;
    QString m_highlightNote;
};
