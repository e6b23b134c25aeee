#pragma once

#include "core/project/project.h"

#include <string>
#include <vector>

namespace qnn {

/** A named, documented set of training settings with the dropout it puts
 *  in the graph: the recipes that published accuracies were trained with.
 *  A recipe has a version, and a run records "name@version", so changing a
 *  preset later bumps its version and never changes what an old run says it
 *  used. Torch-free: the window and `qnnw train --recipe` apply the same one. */
struct Recipe {
    std::string name;     ///< binarynet, brevitas, brevitas-short, brevitas-shift, brevitas-nodropout, quick: what `--recipe` takes
    int version = 1;
    std::string title;    ///< what the window's list shows
    std::string citation; ///< where the recipe comes from
    std::string doc;      ///< one paragraph: what it sets and why
    /** The settings the recipe fixes: everything in here but the seed, the
     *  thread count and the logging, which stay the user's. */
    TrainingConfig training;
    /** False: the recipe sets only the epochs and keeps the project's other settings. */
    bool setsTraining = true;
    /** Dropout before the first layer and after each hidden activation; < 0 = leave the graph alone,
     *  0 = take out the Dropout layers in those places. */
    double inputDropout = -1;
    double hiddenDropout = -1;
    /** BatchNorm eps and momentum; < 0 = leave them. */
    double batchNormEps = -1;
    double batchNormMomentum = -1;

    std::string id() const { return name + "@" + std::to_string(version); }
};

/** Every recipe, in the order the window lists them. */
const std::vector<Recipe>& recipes();
/** By name ("binarynet") or by id ("binarynet@1"); nullptr when unknown. */
const Recipe* findRecipe(const std::string& nameOrId);
/** "binarynet, brevitas, …, quick": for the sentence that refuses an unknown name. */
std::string recipeNames();

/** What applying a recipe changed, in words a user reads in the log or the undo label. */
struct RecipeChanges {
    std::vector<std::string> lines;
    int dropoutAdded = 0;
    int dropoutRemoved = 0;
};

/** Applies the recipe to the project: the training settings, then the
 *  graph's dropout and BatchNorm settings. Applying it twice changes nothing
 *  the second time (existing Dropout layers in the recipe's places get its
 *  rate instead of a second layer). The graph must be a chain where the
 *  recipe adds dropout; false with a sentence otherwise, and then `project`
 *  is unchanged. */
bool applyRecipe(const Recipe& recipe, Project& project, RecipeChanges* changes, std::string& error);

} // namespace qnn
