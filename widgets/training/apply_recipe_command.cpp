#include "widgets/training/apply_recipe_command.h"

#include "core/project/recipe.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/undo_commands.h"
#include "widgets/training/set_training_command.h"

#include <QCoreApplication>
#include <QUndoCommand>

#include <memory>

using namespace qnn;

QUndoCommand* makeApplyRecipeCommand(GraphDocument* doc, const Recipe& recipe, QString* error)
{
    const Project& before = doc->project();
    Project after = before;
    std::string e;
    if (!applyRecipe(recipe, after, nullptr, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return nullptr;
    }
    if (error)
        error->clear();
    if (after == before)
        return nullptr;

    auto macro = std::make_unique<QUndoCommand>(
        QCoreApplication::translate("ApplyRecipe", "Recipe %1").arg(QString::fromStdString(recipe.title)));
    const Graph& g0 = before.graph;
    const Graph& g1 = after.graph;
    // The recipe adds or takes out Dropout layers, rewires the edges around
    // them and changes attributes; each part becomes the matching editor command.
    std::vector<Node> changedBefore, changedAfter, added;
    std::vector<NodeId> removed;
    for (const auto& [id, n] : g0.nodes())
        if (!g1.node(id))
            removed.push_back(id);
    auto touchesRemoved = [&](const Edge& e) { return !g1.node(e.fromNode) || !g1.node(e.toNode); };
    for (const auto& [id, n] : g1.nodes()) {
        const Node* old = g0.node(id);
        if (!old)
            added.push_back(n);
        else if (!(*old == n)) {
            changedBefore.push_back(*old);
            changedAfter.push_back(n);
        }
    }
    std::vector<Edge> addedEdges;
    for (const Edge& edge : g1.edges())
        if (!g0.edges().count(edge))
            addedEdges.push_back(edge);
    if (!(after.training == before.training))
        new SetTrainingCommand(doc, after.training, after.dataset, QCoreApplication::translate("ApplyRecipe", "recipe"),
                               false, macro.get());
    if (!changedAfter.empty())
        new ChangeNodesCommand(doc, changedBefore, changedAfter, macro->text(), {}, macro.get());
    for (const Edge& edge : g0.edges())
        if (!g1.edges().count(edge) && !touchesRemoved(edge))
            new EdgeCommand(doc, edge, false, macro.get());
    // Takes the removed layers' edges with them (and puts both back on undo).
    if (!removed.empty())
        new RemoveItemsCommand(doc, removed, {}, macro.get());
    if (!added.empty() || !addedEdges.empty())
        new AddNodesCommand(doc, added, addedEdges, macro->text(), macro.get());
    return macro.release();
}
