#pragma once

#include <QString>

class GraphDocument;
class QUndoCommand;

namespace qnn {
struct Recipe;
}

/** Applying a recipe preset as one undo step: the training settings, the
 *  BatchNorm settings and the Dropout layers it puts in the graph, all from
 *  qnn::applyRecipe, so the window and `qnnw train --recipe` agree. Returns
 *  nullptr with a sentence in `error` when the recipe does not fit the graph,
 *  and an empty macro never: when nothing would change it returns nullptr
 *  and leaves `error` empty. */
QUndoCommand* makeApplyRecipeCommand(GraphDocument* doc, const qnn::Recipe& recipe, QString* error);
