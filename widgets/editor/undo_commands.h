#pragma once

#include "core/graph/graph.h"

#include <QUndoCommand>

#include <map>
#include <string>
#include <vector>

class GraphDocument;

/** QUndoCommand::id() values of commands that merge; one enum so ids never clash. */
enum class UndoMergeId {
    /** Consecutive moves of the same nodes (arrow-key nudges). */
    MoveNodes = 1,
    /** Consecutive edits of one attribute on the same nodes (spin box steps). */
    ChangeNodes = 2,
};

/** Adds nodes and then edges (add, paste, duplicate); undo removes them. */
class AddNodesCommand : public QUndoCommand
{
public:
    AddNodesCommand(GraphDocument* doc, std::vector<qnn::Node> nodes, std::vector<qnn::Edge> edges,
                    const QString& text, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    GraphDocument* m_doc;
    std::vector<qnn::Node> m_nodes;
    std::vector<qnn::Edge> m_edges;
};

/** Removes nodes (with every edge touching them) and edges; keeps what it
 *  removed so that undo puts it back under the same ids. */
class RemoveItemsCommand : public QUndoCommand
{
public:
    RemoveItemsCommand(GraphDocument* doc, const std::vector<qnn::NodeId>& nodes, const std::vector<qnn::Edge>& edges,
                       QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    bool isEmpty() const { return m_nodes.empty() && m_edges.empty(); }

private:
    GraphDocument* m_doc;
    std::vector<qnn::Node> m_nodes;
    std::vector<qnn::Edge> m_edges;
};

/** Adds (connect) or removes (disconnect) one edge. */
class EdgeCommand : public QUndoCommand
{
public:
    EdgeCommand(GraphDocument* doc, const qnn::Edge& edge, bool connect, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    GraphDocument* m_doc;
    qnn::Edge m_edge;
    bool m_connect;
};

/** Replaces node data (name, attributes, bits): keeps before and after. */
class ChangeNodesCommand : public QUndoCommand
{
public:
    /** `mergeKey` non-empty: a following command with the same key and nodes merges into this one. */
    ChangeNodesCommand(GraphDocument* doc, std::vector<qnn::Node> before, std::vector<qnn::Node> after,
                       const QString& text, std::string mergeKey = {}, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    GraphDocument* m_doc;
    std::vector<qnn::Node> m_before;
    std::vector<qnn::Node> m_after;
    std::string m_mergeKey;
};

/** Moves nodes; a drag of many nodes is one of these. */
class MoveNodesCommand : public QUndoCommand
{
public:
    struct Move {
        qnn::Point from;
        qnn::Point to;
    };
    /** `mergeable`: nudges merge with the previous nudge of the same nodes; drags never merge. */
    MoveNodesCommand(GraphDocument* doc, std::map<qnn::NodeId, Move> moves, const QString& text,
                     bool mergeable = false, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    GraphDocument* m_doc;
    std::map<qnn::NodeId, Move> m_moves;
    bool m_mergeable;
};
