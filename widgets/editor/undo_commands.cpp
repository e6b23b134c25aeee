#include "widgets/editor/undo_commands.h"

#include "widgets/editor/graph_document.h"

#include <algorithm>
#include <set>

AddNodesCommand::AddNodesCommand(GraphDocument* doc, std::vector<qnn::Node> nodes, std::vector<qnn::Edge> edges,
                                 const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_nodes(std::move(nodes)), m_edges(std::move(edges))
{
}

void AddNodesCommand::redo()
{
    for (const qnn::Node& n : m_nodes)
        m_doc->insertNodeRaw(n);
    for (const qnn::Edge& e : m_edges)
        m_doc->connectRaw(e);
}

void AddNodesCommand::undo()
{
    for (auto it = m_edges.rbegin(); it != m_edges.rend(); ++it)
        m_doc->disconnectRaw(*it);
    for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it)
        m_doc->removeNodeRaw(it->id);
}

RemoveItemsCommand::RemoveItemsCommand(GraphDocument* doc, const std::vector<qnn::NodeId>& nodes,
                                       const std::vector<qnn::Edge>& edges, QUndoCommand* parent)
    : QUndoCommand(parent), m_doc(doc)
{
    const qnn::Graph& g = doc->graph();
    std::set<qnn::NodeId> ids;
    for (qnn::NodeId id : nodes)
        if (const qnn::Node* n = g.node(id); n && ids.insert(id).second)
            m_nodes.push_back(*n);
    std::set<qnn::Edge> removed;
    for (const qnn::Edge& e : g.edges())
        if (ids.count(e.fromNode) || ids.count(e.toNode))
            removed.insert(e);
    for (const qnn::Edge& e : edges)
        if (g.edges().count(e))
            removed.insert(e);
    m_edges.assign(removed.begin(), removed.end());
    if (m_nodes.size() == 1 && m_edges.empty())
        setText(QObject::tr("Delete %1").arg(QString::fromStdString(m_nodes.front().name)));
    else if (m_nodes.empty() && m_edges.size() == 1)
        setText(QObject::tr("Disconnect"));
    else
        setText(QObject::tr("Delete %n item(s)", nullptr, int(m_nodes.size() + m_edges.size())));
}

void RemoveItemsCommand::redo()
{
    for (const qnn::Edge& e : m_edges)
        m_doc->disconnectRaw(e);
    for (const qnn::Node& n : m_nodes)
        m_doc->removeNodeRaw(n.id);
}

void RemoveItemsCommand::undo()
{
    for (const qnn::Node& n : m_nodes)
        m_doc->insertNodeRaw(n);
    for (const qnn::Edge& e : m_edges)
        m_doc->connectRaw(e);
}

EdgeCommand::EdgeCommand(GraphDocument* doc, const qnn::Edge& edge, bool connect, QUndoCommand* parent)
    : QUndoCommand(connect ? QObject::tr("Connect") : QObject::tr("Disconnect"), parent), m_doc(doc), m_edge(edge),
      m_connect(connect)
{
}

void EdgeCommand::redo()
{
    if (m_connect)
        m_doc->connectRaw(m_edge);
    else
        m_doc->disconnectRaw(m_edge);
}

void EdgeCommand::undo()
{
    if (m_connect)
        m_doc->disconnectRaw(m_edge);
    else
        m_doc->connectRaw(m_edge);
}

ChangeNodesCommand::ChangeNodesCommand(GraphDocument* doc, std::vector<qnn::Node> before,
                                       std::vector<qnn::Node> after, const QString& text, std::string mergeKey,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_before(std::move(before)), m_after(std::move(after)),
      m_mergeKey(std::move(mergeKey))
{
}

void ChangeNodesCommand::redo()
{
    for (const qnn::Node& n : m_after)
        m_doc->replaceNodeRaw(n);
}

void ChangeNodesCommand::undo()
{
    for (const qnn::Node& n : m_before)
        m_doc->replaceNodeRaw(n);
}

int ChangeNodesCommand::id() const { return m_mergeKey.empty() ? -1 : int(UndoMergeId::ChangeNodes); }

bool ChangeNodesCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const ChangeNodesCommand*>(other);
    if (o->m_mergeKey != m_mergeKey || o->m_after.size() != m_after.size())
        return false;
    for (size_t i = 0; i < m_after.size(); ++i)
        if (o->m_after[i].id != m_after[i].id)
            return false;
    m_after = o->m_after;
    return true;
}

MoveNodesCommand::MoveNodesCommand(GraphDocument* doc, std::map<qnn::NodeId, Move> moves, const QString& text,
                                   bool mergeable, QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_moves(std::move(moves)), m_mergeable(mergeable)
{
}

void MoveNodesCommand::redo()
{
    for (const auto& [id, m] : m_moves)
        m_doc->setPositionRaw(id, m.to);
}

void MoveNodesCommand::undo()
{
    for (const auto& [id, m] : m_moves)
        m_doc->setPositionRaw(id, m.from);
}

int MoveNodesCommand::id() const { return int(UndoMergeId::MoveNodes); }

bool MoveNodesCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const MoveNodesCommand*>(other);
    if (!m_mergeable || !o->m_mergeable || o->m_moves.size() != m_moves.size())
        return false;
    for (const auto& [id, m] : o->m_moves)
        if (!m_moves.count(id))
            return false;
    for (const auto& [id, m] : o->m_moves)
        m_moves[id].to = m.to;
    return true;
}
