#include "widgets/editor/graph_document.h"

#include "core/graph/graph_json.h"
#include "core/graph/layer_registry.h"
#include "core/graph/node_name.h"
#include "core/project/project_lock.h"
#include "widgets/editor/undo_commands.h"

#include <QFileInfo>
#include <QUndoStack>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

using qnn::Edge;
using qnn::LayerKind;
using qnn::LayerRegistry;
using qnn::Node;
using qnn::NodeId;

namespace {

constexpr const char* kClipboardFormat = "qnn-workbench-clipboard";

QString q(const std::string& s) { return QString::fromStdString(s); }

std::string lowerKindName(LayerKind kind)
{
    std::string stem = qnn::layerKindName(kind);
    std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
    return stem;
}

// Moves that clear a place for a layer inserted into `edge`; `pos` comes back where the layer goes.
std::map<NodeId, MoveNodesCommand::Move> makeRoom(const qnn::Graph& graph, const qnn::LayoutGrid& grid, const Edge& edge,
                                                 qnn::Point& pos)
{
    const Node* from = graph.node(edge.fromNode);
    const Node* to = graph.node(edge.toNode);
    std::map<NodeId, MoveNodesCommand::Move> moves;
    std::map<NodeId, qnn::Point> placed;
    for (const auto& [id, node] : graph.nodes())
        placed[id] = node.pos;
    // Rows of a band lie rowStep apart; a hand-made zig-zag row stays closer.
    if (std::abs(from->pos.y - to->pos.y) < grid.rowStep) {
        // Same row: the new layer takes the column after its source, and the
        // target with everything downstream of it moves right as far as that needs.
        pos = {from->pos.x + grid.columnStep, from->pos.y};
        const double shift = pos.x + grid.columnStep - to->pos.x;
        if (shift > 0) {
            std::vector<NodeId> stack{to->id};
            std::set<NodeId> downstream;
            while (!stack.empty()) {
                const NodeId id = stack.back();
                stack.pop_back();
                if (!downstream.insert(id).second)
                    continue;
                for (const Edge& e : graph.outEdges(id))
                    stack.push_back(e.toNode);
            }
            for (NodeId id : downstream) {
                const qnn::Point p = graph.node(id)->pos;
                placed[id] = {p.x + shift, p.y};
                moves[id] = {p, placed[id]};
            }
        }
    }
    // Whatever still stands there (a parallel branch, another row) pushes the new layer down.
    constexpr double kClearance = 10;
    auto overlaps = [&](qnn::Point p) {
        for (const auto& [id, q] : placed)
            if (std::abs(q.x - p.x) < grid.nodeWidth + kClearance && std::abs(q.y - p.y) < grid.nodeHeight + kClearance)
                return true;
        return false;
    };
    while (overlaps(pos))
        pos.y += grid.rowStep;
    return moves;
}

// What a precision means for one node, decided here only: weight bits on
// layers with weights, activation bits on layers that quantize activations,
// and an Activation's function following its bits (sign is the 1-bit
// activation; a wider one needs a range to quantize, hardtanh).
Node withPrecision(const Node& n, std::optional<int> weightBits, std::optional<int> actBits)
{
    const qnn::LayerSpec& spec = LayerRegistry::spec(n.kind);
    Node changed = n;
    if (weightBits && spec.hasWeights)
        changed.quant.weightBits = *weightBits;
    if (actBits && spec.hasActivationBits)
        changed.quant.actBits = *actBits;
    if (actBits && n.kind == LayerKind::Activation) {
        const std::string fn = n.attrString("function");
        if (*actBits == 1 && fn != "sign")
            changed.attrs["function"] = std::string("sign");
        else if (*actBits != 1 && fn == "sign")
            changed.attrs["function"] = std::string("hardtanh");
    }
    return changed;
}

void setError(QString* error, const std::string& text)
{
    if (error)
        *error = q(text);
}

} // namespace

const std::vector<PrecisionPreset>& precisionPresets()
{
    static const std::vector<PrecisionPreset> presets{{"FP32", 32, 32}, {"W8A8", 8, 8}, {"W4A4", 4, 4},
                                                      {"W2A2", 2, 2},   {"W1A2", 1, 2}, {"W1A1", 1, 1}};
    return presets;
}

GraphDocument::GraphDocument(QObject* parent) : QObject(parent), m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::indexChanged, this, &GraphDocument::reanalyze);
    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    newProject();
}

GraphDocument::~GraphDocument() = default;

QString GraphDocument::displayName() const
{
    if (!m_fileName.isEmpty())
        return QFileInfo(m_fileName).completeBaseName();
    if (!m_project.name.empty())
        return q(m_project.name);
    return tr("untitled");
}

bool GraphDocument::isModified() const { return !m_undoStack->isClean(); }

void GraphDocument::setProject(const qnn::Project& project, const QString& fileName)
{
    m_undoStack->clear(); // emits cleanChanged, and so modifiedChanged, when there were changes
    m_project = project;
    m_fileName = fileName;
    // What the file left out and was filled with a default (qnnw check says the same): shown until saved.
    setExternalDiagnostics("file", project.fileNotes);
    Q_EMIT graphReset();
    reanalyze();
    Q_EMIT fileNameChanged(m_fileName);
}

void GraphDocument::newProject()
{
    qnn::Project p;
    p.name = "untitled";
    setProject(p);
}

bool GraphDocument::load(const QString& path, QString* error)
{
    qnn::Project p;
    std::string err;
    if (!qnn::loadProject(path.toStdString(), p, err)) {
        setError(error, err);
        return false;
    }
    setProject(p, path);
    return true;
}

bool GraphDocument::save(const QString& path, QString* error)
{
    qnn::Project p = m_project;
    if (p.name.empty() || p.name == "untitled")
        p.name = QFileInfo(path).completeBaseName().toStdString();
    std::string err;
    // Under the project's lock (qnnw train records its run in the file while
    // the window may be saving), and keeping the runs a qnnw command added
    // since the file was opened: they are folders on disk, not edits of ours.
    qnn::ProjectLock lock;
    if (!lock.acquire(path.toStdString(), qnn::kProjectLockTimeoutMs, err)) {
        setError(error, err);
        return false;
    }
    if (path == m_fileName) {
        qnn::Project onDisk;
        std::string ignored;
        if (qnn::loadProject(path.toStdString(), onDisk, ignored))
            for (const std::string& run : onDisk.runs)
                if (std::find(p.runs.begin(), p.runs.end(), run) == p.runs.end())
                    p.runs.push_back(run);
    }
    if (!qnn::saveProject(path.toStdString(), p, err)) {
        setError(error, err);
        return false;
    }
    lock.release();
    if (p.runs != m_project.runs)
        setRunsRaw(p.runs);
    m_project.name = p.name;
    m_project.fileNotes.clear();
    setExternalDiagnostics("file", {}); // the saved file now gives every attribute
    m_fileName = path;
    m_undoStack->setClean();
    Q_EMIT fileNameChanged(m_fileName);
    return true;
}

std::string GraphDocument::graphJson() const { return qnn::graphToJson(graph()).dump(2); }

void GraphDocument::setDeployRaw(const qnn::DeployTarget& deploy)
{
    m_project.deploy = deploy;
    Q_EMIT deployChanged();
}

void GraphDocument::setTrainingRaw(const qnn::TrainingConfig& training, const qnn::DatasetChoice& dataset)
{
    m_project.training = training;
    m_project.dataset = dataset;
    Q_EMIT trainingChanged();
}

void GraphDocument::setSweepsRaw(const std::vector<qnn::SweepDefinition>& sweeps)
{
    m_project.sweeps = sweeps;
    Q_EMIT sweepsChanged();
}

void GraphDocument::setRunsRaw(const std::vector<std::string>& runs)
{
    m_project.runs = runs;
    Q_EMIT runsChanged();
}

void GraphDocument::setExternalDiagnostics(const std::string& source, std::vector<qnn::Diagnostic> diagnostics)
{
    auto it = m_externalDiagnostics.find(source);
    const bool had = it != m_externalDiagnostics.end() && !it->second.empty();
    if (!had && diagnostics.empty())
        return;
    if (had && it->second.size() == diagnostics.size() &&
        std::equal(diagnostics.begin(), diagnostics.end(), it->second.begin(), [](const auto& a, const auto& b) {
            return a.node == b.node && a.message == b.message && a.severity == b.severity;
        }))
        return;
    m_externalDiagnostics[source] = std::move(diagnostics);
    Q_EMIT externalDiagnosticsChanged();
}

std::vector<qnn::Diagnostic> GraphDocument::externalDiagnostics() const
{
    std::vector<qnn::Diagnostic> all;
    for (const auto& [source, list] : m_externalDiagnostics)
        all.insert(all.end(), list.begin(), list.end());
    return all;
}

void GraphDocument::setHighlightedNode(qnn::NodeId id, const QString& note)
{
    if (id == m_highlightedNode && note == m_highlightNote)
        return;
    const qnn::NodeId previous = m_highlightedNode;
    m_highlightedNode = id;
    m_highlightNote = note;
    Q_EMIT highlightChanged(previous, id);
}

void GraphDocument::reanalyze()
{
    m_analysis = qnn::analyzeGraph(graph());
    m_summary = qnn::summarizeGraph(graph(), m_analysis);
    Q_EMIT analysisChanged();
}

std::string GraphDocument::freeName(const std::string& wanted, const std::vector<std::string>& alsoTaken) const
{
    auto taken = [&](const std::string& n) {
        return graph().findByName(n) != qnn::kInvalidNode ||
               std::find(alsoTaken.begin(), alsoTaken.end(), n) != alsoTaken.end();
    };
    if (!wanted.empty() && !taken(wanted))
        return wanted;
    std::string stem = wanted;
    while (!stem.empty() && std::isdigit(static_cast<unsigned char>(stem.back())))
        stem.pop_back();
    if (stem.empty())
        stem = "layer";
    for (int i = 1;; ++i)
        if (!taken(stem + std::to_string(i)))
            return stem + std::to_string(i);
}

// --- editing -----------------------------------------------------------------

NodeId GraphDocument::addNode(LayerKind kind, qnn::Point pos, const std::string& name)
{
    Node n = LayerRegistry::makeNode(kind, graph().nextId(), freeName(name.empty() ? lowerKindName(kind) + "1" : name, {}));
    n.pos = pos;
    m_undoStack->push(new AddNodesCommand(this, {n}, {}, tr("Add %1").arg(q(n.name))));
    return n.id;
}

NodeId GraphDocument::addNodeAfter(LayerKind kind, qnn::Point pos, NodeId after, QString* notConnected)
{
    Node n = LayerRegistry::makeNode(kind, graph().nextId(), freeName(lowerKindName(kind) + "1", {}));
    n.pos = pos;
    std::vector<Edge> edges;
    const Node* prev = graph().node(after);
    if (prev && LayerRegistry::spec(prev->kind).outputs > 0 && LayerRegistry::spec(kind).inputCount(n) > 0) {
        qnn::Graph trial = graph();
        trial.insertNode(n);
        const Edge e{after, 0, n.id, 0};
        const std::string problem = qnn::connectionProblem(trial, e);
        if (problem.empty())
            edges.push_back(e);
        else if (notConnected)
            *notConnected = tr("%1 was added but not connected to %2: %3").arg(q(n.name), q(prev->name), q(problem));
    }
    m_undoStack->push(new AddNodesCommand(this, {n}, edges, tr("Add %1").arg(q(n.name))));
    return n.id;
}

bool GraphDocument::connectPorts(const Edge& edge, QString* error)
{
    const std::string problem = qnn::connectionProblem(graph(), edge);
    if (!problem.empty()) {
        setError(error, problem);
        return false;
    }
    m_undoStack->push(new EdgeCommand(this, edge, true));
    return true;
}

bool GraphDocument::disconnectEdge(const Edge& edge)
{
    if (!graph().edges().count(edge))
        return false;
    m_undoStack->push(new EdgeCommand(this, edge, false));
    return true;
}

bool GraphDocument::reconnect(const Edge& oldEdge, const Edge& newEdge, QString* error)
{
    if (oldEdge == newEdge)
        return true;
    qnn::Graph trial = graph();
    trial.disconnect(oldEdge);
    const std::string problem = qnn::connectionProblem(trial, newEdge);
    if (!problem.empty()) {
        setError(error, problem);
        return false;
    }
    m_undoStack->beginMacro(tr("Reconnect"));
    m_undoStack->push(new EdgeCommand(this, oldEdge, false));
    m_undoStack->push(new EdgeCommand(this, newEdge, true));
    m_undoStack->endMacro();
    return true;
}

void GraphDocument::removeItems(const std::vector<NodeId>& nodes, const std::vector<Edge>& edges)
{
    auto* cmd = new RemoveItemsCommand(this, nodes, edges);
    if (cmd->isEmpty()) {
        delete cmd;
        return;
    }
    m_undoStack->push(cmd);
}

bool GraphDocument::setAttribute(const std::vector<NodeId>& ids, const std::string& name, const qnn::AttrValue& value,
                                 QString* error)
{
    std::vector<Node> before, after;
    for (NodeId id : ids) {
        const Node* n = graph().node(id);
        if (!n)
            continue;
        const qnn::AttrSpec* spec = LayerRegistry::spec(n->kind).attr(name);
        if (!spec)
            continue;
        const std::string problem = qnn::attributeProblem(*spec, value);
        if (!problem.empty()) {
            setError(error, n->name + ": " + problem);
            return false;
        }
        auto it = n->attrs.find(name);
        if (it != n->attrs.end() && it->second == value)
            continue;
        before.push_back(*n);
        after.push_back(*n);
        after.back().attrs[name] = value;
    }
    if (after.empty())
        return true;
    const QString label = after.size() == 1 ? tr("Set %1 of %2").arg(q(name), q(after.front().name))
                                            : tr("Set %1 of %n layer(s)", nullptr, int(after.size())).arg(q(name));
    m_undoStack->push(new ChangeNodesCommand(this, before, after, label, "attr:" + name));
    return true;
}

bool GraphDocument::setBits(const std::vector<NodeId>& ids, std::optional<int> weightBits, std::optional<int> actBits,
                            QString* error)
{
    for (std::optional<int> b : {weightBits, actBits})
        if (b && !qnn::isAllowedBitWidth(*b)) {
            setError(error, std::to_string(*b) + " bits is not a supported bit-width");
            return false;
        }
    std::vector<Node> before, after;
    for (NodeId id : ids) {
        const Node* n = graph().node(id);
        if (!n)
            continue;
        const Node changed = withPrecision(*n, weightBits, actBits);
        if (changed == *n)
            continue;
        before.push_back(*n);
        after.push_back(changed);
    }
    if (after.empty())
        return true;
    m_undoStack->push(new ChangeNodesCommand(this, before, after, tr("Set bit-width"),
                                             weightBits ? "weightBits" : "actBits"));
    return true;
}

bool GraphDocument::renameNode(NodeId id, const std::string& name, QString* error)
{
    const Node* n = graph().node(id);
    if (!n)
        return false;
    if (name == n->name)
        return true;
    if (const std::string problem = qnn::nameProblem(name); !problem.empty()) {
        setError(error, problem);
        return false;
    }
    if (graph().findByName(name) != qnn::kInvalidNode) {
        setError(error, "another layer is already named '" + name + "'");
        return false;
    }
    Node changed = *n;
    changed.name = name;
    m_undoStack->push(new ChangeNodesCommand(this, {*n}, {changed}, tr("Rename %1 to %2").arg(q(n->name), q(name))));
    return true;
}

void GraphDocument::moveNodes(const std::map<NodeId, qnn::Point>& positions)
{
    std::map<NodeId, MoveNodesCommand::Move> moves;
    for (const auto& [id, pos] : positions)
        if (const Node* n = graph().node(id); n && !(n->pos == pos))
            moves[id] = {n->pos, pos};
    if (moves.empty())
        return;
    m_undoStack->push(new MoveNodesCommand(this, moves, tr("Move %n layer(s)", nullptr, int(moves.size()))));
}

void GraphDocument::nudgeNodes(const std::vector<NodeId>& ids, double dx, double dy)
{
    std::map<NodeId, MoveNodesCommand::Move> moves;
    for (NodeId id : ids)
        if (const Node* n = graph().node(id))
            moves[id] = {n->pos, {n->pos.x + dx, n->pos.y + dy}};
    if (!moves.empty())
        m_undoStack->push(new MoveNodesCommand(this, moves, tr("Move %n layer(s)", nullptr, int(moves.size())), true));
}

NodeId GraphDocument::insertOnEdge(LayerKind kind, const Edge& edge, qnn::Point pos, QString* error)
{
    if (!graph().edges().count(edge)) {
        setError(error, "that connection no longer exists");
        return qnn::kInvalidNode;
    }
    Node n = LayerRegistry::makeNode(kind, graph().nextId(), freeName(lowerKindName(kind) + "1", {}));
    n.pos = pos;
    const qnn::LayerSpec& spec = LayerRegistry::spec(kind);
    if (spec.inputCount(n) < 1 || spec.outputs < 1) {
        setError(error, "a " + spec.name + " layer cannot sit in the middle of a connection");
        return qnn::kInvalidNode;
    }
    const Edge in{edge.fromNode, edge.fromPort, n.id, 0};
    const Edge out{n.id, 0, edge.toNode, edge.toPort};
    qnn::Graph trial = graph();
    trial.disconnect(edge);
    trial.insertNode(n);
    for (const Edge& e : {in, out}) {
        const std::string problem = qnn::connectionProblem(trial, e);
        if (!problem.empty()) {
            setError(error, "cannot insert " + spec.name + " there: " + problem);
            return qnn::kInvalidNode;
        }
        trial.connect(e);
    }
    const std::map<NodeId, MoveNodesCommand::Move> moves = makeRoom(graph(), m_grid, edge, n.pos);
    m_undoStack->beginMacro(tr("Insert %1").arg(q(n.name)));
    if (!moves.empty())
        m_undoStack->push(new MoveNodesCommand(this, moves, tr("Make room")));
    m_undoStack->push(new EdgeCommand(this, edge, false));
    m_undoStack->push(new AddNodesCommand(this, {n}, {in, out}, tr("Add %1").arg(q(n.name))));
    m_undoStack->endMacro();
    return n.id;
}

void GraphDocument::applyPreset(const PrecisionPreset& preset, const std::vector<NodeId>& ids)
{
    std::vector<NodeId> targets = ids.empty() ? graph().nodeIds() : ids;
    // How pixels are fed is the dataset's business; only an all-float or an
    // all-binary network decides it.
    const bool inputFollows = preset.actBits == 32 || preset.actBits == 1;
    std::vector<Node> before, after;
    for (NodeId id : targets) {
        const Node* n = graph().node(id);
        if (!n)
            continue;
        const bool input = n->kind == LayerKind::Input;
        const Node changed = withPrecision(*n, preset.weightBits,
                                           input && !inputFollows ? std::nullopt : std::optional<int>(preset.actBits));
        if (changed == *n)
            continue;
        before.push_back(*n);
        after.push_back(changed);
    }
    if (after.empty())
        return;
    m_undoStack->push(new ChangeNodesCommand(this, before, after, tr("Precision %1").arg(preset.label)));
}

void GraphDocument::autoArrange(int columnsPerBand)
{
    const int perBand = columnsPerBand > 0 ? columnsPerBand : std::max<int>(1, int(graph().size()));
    std::map<NodeId, MoveNodesCommand::Move> moves;
    for (const auto& [id, pos] : qnn::arrangeLayers(graph(), m_analysis, perBand, m_grid))
        if (!(graph().node(id)->pos == pos))
            moves[id] = {graph().node(id)->pos, pos};
    if (!moves.empty())
        m_undoStack->push(new MoveNodesCommand(this, moves, tr("Arrange layers")));
}

std::string GraphDocument::copyNodes(const std::vector<NodeId>& ids) const
{
    qnn::Graph part;
    std::set<NodeId> wanted(ids.begin(), ids.end());
    for (NodeId id : wanted)
        if (const Node* n = graph().node(id))
            part.insertNode(*n);
    for (const Edge& e : graph().edges())
        if (part.contains(e.fromNode) && part.contains(e.toNode))
            part.connect(e);
    nlohmann::json j;
    j["format"] = kClipboardFormat;
    j["version"] = 1;
    j["graph"] = qnn::graphToJson(part);
    return j.dump(2);
}

std::vector<NodeId> GraphDocument::pasteNodes(const std::string& clipboardJson, qnn::Point offset, QString* error,
                                              const QString& undoLabel)
{
    const nlohmann::json j = nlohmann::json::parse(clipboardJson, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("format", std::string()) != kClipboardFormat ||
        !j.contains("graph")) {
        setError(error, "the clipboard holds no layers");
        return {};
    }
    qnn::Graph part;
    std::string err;
    if (!qnn::graphFromJson(j["graph"], part, err, "clipboard")) {
        setError(error, err);
        return {};
    }
    std::map<NodeId, NodeId> newIds;
    std::vector<Node> nodes;
    std::vector<std::string> names;
    NodeId next = graph().nextId();
    for (const auto& [id, n] : part.nodes()) {
        Node copy = n;
        copy.id = next++;
        copy.name = freeName(n.name, names);
        copy.pos = {n.pos.x + offset.x, n.pos.y + offset.y};
        names.push_back(copy.name);
        newIds[id] = copy.id;
        nodes.push_back(copy);
    }
    std::vector<Edge> edges;
    for (const Edge& e : part.edges())
        edges.push_back({newIds[e.fromNode], e.fromPort, newIds[e.toNode], e.toPort});
    std::vector<NodeId> result;
    for (const Node& n : nodes)
        result.push_back(n.id);
    if (!nodes.empty())
        m_undoStack->push(new AddNodesCommand(
            this, nodes, edges, undoLabel.isEmpty() ? tr("Paste %n layer(s)", nullptr, int(nodes.size())) : undoLabel));
    return result;
}

std::vector<NodeId> GraphDocument::duplicateNodes(const std::vector<NodeId>& ids)
{
    const std::string clip = copyNodes(ids);
    return pasteNodes(clip, pasteOffsetBelow(clip, 1), nullptr, tr("Duplicate %n layer(s)", nullptr, int(ids.size())));
}

qnn::Point GraphDocument::pasteOffsetBelow(const std::string& clipboardJson, int times) const
{
    const double kNodeHeight = m_grid.nodeHeight, kGap = 40;
    const nlohmann::json j = nlohmann::json::parse(clipboardJson, nullptr, false);
    double top = 0, bottom = 0;
    bool any = false;
    if (!j.is_discarded() && j.is_object() && j.contains("graph") && j["graph"].is_object() &&
        j["graph"].contains("nodes") && j["graph"]["nodes"].is_array())
        for (const nlohmann::json& n : j["graph"]["nodes"]) {
            if (!n.is_object() || !n.contains("pos") || !n["pos"].is_object() || !n["pos"].value("y", nlohmann::json()).is_number())
                continue;
            const double y = n["pos"]["y"].get<double>();
            top = any ? std::min(top, y) : y;
            bottom = any ? std::max(bottom, y) : y;
            any = true;
        }
    return {0, (bottom - top + kNodeHeight + kGap) * times};
}

// --- raw changes, each with its one signal -----------------------------------

void GraphDocument::insertNodeRaw(const Node& node)
{
    if (m_project.graph.insertNode(node))
        Q_EMIT nodeAdded(node.id);
}

void GraphDocument::removeNodeRaw(NodeId id)
{
    if (!graph().contains(id))
        return;
    // Edges go first, each with its own signal, so observers never hold an edge to a missing node.
    for (const Edge& e : graph().inEdges(id))
        disconnectRaw(e);
    for (const Edge& e : graph().outEdges(id))
        disconnectRaw(e);
    Q_EMIT nodeAboutToBeRemoved(id);
    m_project.graph.removeNode(id);
    Q_EMIT nodeRemoved(id);
}

void GraphDocument::connectRaw(const Edge& edge)
{
    if (m_project.graph.connect(edge))
        Q_EMIT edgeAdded(edge);
}

void GraphDocument::disconnectRaw(const Edge& edge)
{
    if (m_project.graph.disconnect(edge))
        Q_EMIT edgeRemoved(edge);
}

void GraphDocument::replaceNodeRaw(const Node& node)
{
    Node* n = m_project.graph.node(node.id);
    if (!n)
        return;
    const bool moved = !(n->pos == node.pos);
    *n = node;
    Q_EMIT nodeChanged(node.id);
    if (moved)
        Q_EMIT nodeMoved(node.id);
}

void GraphDocument::setPositionRaw(NodeId id, qnn::Point pos)
{
    Node* n = m_project.graph.node(id);
    if (!n)
        return;
    n->pos = pos;
    Q_EMIT nodeMoved(id);
}
