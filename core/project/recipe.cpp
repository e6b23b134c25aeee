#include "core/project/recipe.h"

#include <cstdio>

namespace qnn {

namespace {

/** A preset made from another one: everything of `base` but its name, version 1 and its words. */
Recipe variantOf(const Recipe& base, const char* name, const char* title, std::string citation, std::string doc)
{
    Recipe r = base;
    r.name = name;
    r.version = 1;
    r.title = title;
    r.citation = std::move(citation);
    r.doc = std::move(doc);
    return r;
}

std::vector<Recipe> makeRecipes()
{
    std::vector<Recipe> all;
    {
        Recipe r;
        r.name = "binarynet";
        r.title = "BinaryNet (Courbariaux et al. 2016)";
        r.citation = "M. Courbariaux, I. Hubara et al., Binarized Neural Networks, 2016 (the MNIST MLP recipe)";
        r.doc = "Squared hinge loss, Adam, the learning rate decayed exponentially from 0.003 to 3e-7 over the "
                "run, batch 100, dropout 0.2 on the input and 0.5 after every hidden activation, BatchNorm with "
                "eps 1e-4 and momentum 0.1, no augmentation. It needs its long schedule: the paper trains "
                "1,000 epochs; this preset trains 250.";
        r.training.epochs = 250;
        r.training.optimizer = "adam";
        r.training.learningRate = 0.003;
        r.training.learningRateEnd = 3e-7;
        r.training.schedule = "exponential";
        r.training.loss = "squared_hinge";
        r.training.randomShift = 0;
        r.inputDropout = 0.2;
        r.hiddenDropout = 0.5;
        r.batchNormEps = 1e-4;
        r.batchNormMomentum = 0.1;
        all.push_back(r);
    }
    // Version 2 (7 December 2026) adds Brevitas' latent-weight initialisation and its protocol (every
    // training image trained on, the epoch chosen on the test set), and trains 400 epochs instead of 200.
    Recipe brevitas;
    brevitas.name = "brevitas";
    brevitas.version = 2;
    brevitas.title = "Brevitas bnn_pynq";
    brevitas.citation = "Xilinx Brevitas, src/brevitas_examples/bnn_pynq (trainer.py and the FC models)";
    brevitas.doc = "The recipe of Brevitas' bnn_pynq example trainer: squared hinge loss, Adam at 0.02, the rate "
                   "halved every 40 epochs, batch 100, dropout 0.2 on the input and after every hidden "
                   "activation, BatchNorm eps 1e-4, no weight decay, no augmentation, latent weights "
                   "started uniform on [-1, 1]. Its protocol too: every training image is trained on and the "
                   "best epoch is chosen on the test set, as for Brevitas' published figures (optimistic: the "
                   "test set takes part in the choice). Brevitas trains 1,000 epochs, but its rate is below "
                   "2e-5 after epoch 400; this preset trains 400.";
    brevitas.training.epochs = 400;
    brevitas.training.optimizer = "adam";
    brevitas.training.learningRate = 0.02;
    brevitas.training.schedule = "step";
    brevitas.training.stepEpochs = 40;
    brevitas.training.stepGamma = 0.5;
    brevitas.training.loss = "squared_hinge";
    brevitas.training.randomShift = 0;
    brevitas.training.weightInit = "uniform";
    brevitas.training.selectBy = "test";
    brevitas.inputDropout = 0.2;
    brevitas.hiddenDropout = 0.2;
    brevitas.batchNormEps = 1e-4;
    brevitas.batchNormMomentum = 0.1;
    all.push_back(brevitas);
    {
        Recipe r = variantOf(
            brevitas, "brevitas-short", "Brevitas bnn_pynq in 200 epochs", brevitas.citation,
            "Brevitas bnn_pynq with its schedule compressed to half the epochs: the same rates, each held for 20 "
            "epochs instead of 40, 200 epochs in all. For the larger networks (LFC: about an hour on two cores) "
            "where the full preset takes too long; everything else as in 'brevitas'.");
        r.training.epochs = 200;
        r.training.stepEpochs = 20;
        all.push_back(r);
        // The two below (7 December 2026) are not published recipes as
        // written, so each name says what it changes.
        Recipe shift = variantOf(
            r, "brevitas-shift", "Brevitas bnn_pynq in 200 epochs, shifted digits",
            "Brevitas bnn_pynq's recipe (as 'brevitas-short') with QNN Workbench's random shifts",
            "'brevitas-short' with every training image moved by up to 2 pixels each time it is drawn. For the "
            "wide MNIST networks (LFC, 1,024 units a layer), which it makes more accurate in the same hour. Not "
            "for TFC: 64 units a layer cannot fit shifted digits, and TFC W1A2 lost 2 points with it.");
        shift.training.randomShift = 2;
        all.push_back(shift);
        Recipe noDropout = variantOf(
            brevitas, "brevitas-nodropout", "Brevitas bnn_pynq without dropout (narrow networks)",
            "Brevitas bnn_pynq's recipe (as 'brevitas') with no dropout",
            "'brevitas' with no dropout anywhere (Dropout layers in the recipe's places are taken out). For "
            "narrow networks such as TFC (64 units a layer), which dropout keeps from fitting the digits at all: "
            "TFC W1A2 trains to more than a point above its 'brevitas' figure without it. Wide networks (LFC) "
            "over-fit without dropout: use 'brevitas-shift' there.");
        noDropout.inputDropout = 0;
        noDropout.hiddenDropout = 0;
        all.push_back(noDropout);
    }
    {
        Recipe r;
        r.name = "quick";
        r.title = "Quick look";
        r.citation = "QNN Workbench";
        r.doc = "Three epochs with the project's own optimizer, loss and schedule: enough to see that the "
                "network learns, the curves and the hardware figures, in a minute or two.";
        r.setsTraining = false;
        r.training.epochs = 3;
        all.push_back(r);
    }
    return all;
}

NodeId onlySuccessor(const Graph& g, NodeId id)
{
    const std::vector<Edge> out = g.outEdges(id);
    return out.size() == 1 ? out[0].toNode : kInvalidNode;
}

std::string rate(double p)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", p);
    return buf;
}

/** Gives the Dropout right after `after` the rate `p`, or puts one there; a
 *  rate of 0 takes the Dropout there out instead. Returns 1 when a layer was added. */
int dropoutAfter(Graph& g, NodeId after, double p, RecipeChanges& changes)
{
    const NodeId next = onlySuccessor(g, after);
    const std::string afterName = g.node(after)->name;
    if (p == 0) {
        if (next == kInvalidNode || g.node(next)->kind != LayerKind::Dropout)
            return 0;
        // Its inputs and outputs joined again, as if it had never been drawn.
        const Edge in = g.outEdges(after).at(0);
        const std::vector<Edge> outs = g.outEdges(next);
        const std::string name = g.node(next)->name;
        g.removeNode(next);
        for (const Edge& e : outs)
            g.connect({after, in.fromPort, e.toNode, e.toPort});
        changes.lines.push_back(name + " removed (no dropout after " + afterName + ")");
        ++changes.dropoutRemoved;
        return 0;
    }
    if (next != kInvalidNode && g.node(next)->kind == LayerKind::Dropout) {
        Node& d = *g.node(next);
        if (d.attrFloat("p") != p) {
            d.attrs["p"] = p;
            changes.lines.push_back(d.name + ": dropout rate set to " + rate(p));
        }
        return 0;
    }
    const Edge out = g.outEdges(after).at(0);
    // drop_input, drop_act1, …: the name says where the recipe put it.
    const std::string stem = "drop_" + afterName;
    const NodeId id = g.addNode(LayerKind::Dropout, g.findByName(stem) == kInvalidNode ? stem : g.uniqueName(stem));
    Node& d = *g.node(id);
    d.attrs["p"] = p;
    const Node& from = *g.node(after);
    const Node& to = *g.node(out.toNode);
    d.pos = {(from.pos.x + to.pos.x) / 2, (from.pos.y + to.pos.y) / 2};
    g.disconnect(out);
    g.connect({after, out.fromPort, id, 0});
    g.connect({id, 0, out.toNode, out.toPort});
    changes.lines.push_back(d.name + " (p " + rate(p) + ") added after " + afterName);
    return 1;
}

void setTraining(const Recipe& r, TrainingConfig& t, RecipeChanges& changes)
{
    auto note = [&](const char* what, const std::string& value) {
        changes.lines.push_back(std::string(what) + " " + value);
    };
    t.epochs = r.training.epochs;
    note("epochs", std::to_string(t.epochs));
    if (!r.setsTraining)
        return;
    const TrainingConfig mine = t;
    t = r.training;
    t.seed = mine.seed;
    t.threads = mine.threads;
    t.logEveryBatches = mine.logEveryBatches;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", t.learningRate);
    note(("optimizer " + t.optimizer + ", learning rate").c_str(), buf);
    note("schedule", t.schedule);
    note("loss", t.loss);
}

} // namespace

const std::vector<Recipe>& recipes()
{
    static const std::vector<Recipe> all = makeRecipes();
    return all;
}

const Recipe* findRecipe(const std::string& nameOrId)
{
    for (const Recipe& r : recipes())
        if (r.name == nameOrId || r.id() == nameOrId)
            return &r;
    return nullptr;
}

std::string recipeNames()
{
    std::string s;
    for (const Recipe& r : recipes())
        s += (s.empty() ? "" : ", ") + r.name;
    return s;
}

bool applyRecipe(const Recipe& recipe, Project& project, RecipeChanges* changesOut, std::string& error)
{
    Project p = project;
    RecipeChanges changes;
    setTraining(recipe, p.training, changes);
    p.training.recipe = recipe.id();

    Graph& g = p.graph;
    if (recipe.batchNormEps >= 0 || recipe.batchNormMomentum >= 0)
        for (NodeId id : g.nodeIds()) {
            Node& n = *g.node(id);
            if (n.kind != LayerKind::BatchNorm)
                continue;
            if (recipe.batchNormEps >= 0)
                n.attrs["eps"] = recipe.batchNormEps;
            if (recipe.batchNormMomentum >= 0)
                n.attrs["momentum"] = recipe.batchNormMomentum;
        }

    // Dropout goes where the recipe's multi-layer perceptron has it: on the
    // input of a first Dense layer and after each activation that feeds
    // another Dense layer. Convolutions get none, as in BinaryNet's CNNs.
    if (recipe.inputDropout >= 0 || recipe.hiddenDropout >= 0) {
        std::vector<NodeId> inputs, activations;
        for (const auto& [id, n] : g.nodes()) {
            if (n.kind == LayerKind::Input)
                inputs.push_back(id);
            else if (n.kind == LayerKind::Activation || n.kind == LayerKind::QuantAct)
                activations.push_back(id);
        }
        // A node whose every path meets a Dense layer before a convolution.
        auto leadsToDense = [&](NodeId id) {
            for (NodeId n = id; n != kInvalidNode; n = onlySuccessor(g, n)) {
                const LayerKind k = g.node(n)->kind;
                if (k == LayerKind::Dense)
                    return true;
                if (k == LayerKind::Conv2D || k == LayerKind::Output)
                    return false;
            }
            return false;
        };
        // Returns -1 after an error, else the number of layers added.
        auto place = [&](NodeId id, double p) {
            const std::vector<Edge> out = g.outEdges(id);
            bool dense = false;
            for (const Edge& e : out)
                dense = dense || leadsToDense(e.toNode);
            // No dropout to put in: a place that feeds several layers has none of the recipe's to take out.
            if (!dense || (p == 0 && out.size() != 1))
                return 0;
            if (out.size() != 1) {
                error = "the recipe puts dropout after '" + g.node(id)->name +
                        "', which feeds more than one layer; add the Dropout layers by hand";
                return -1;
            }
            return dropoutAfter(g, id, p, changes);
        };
        for (NodeId id : inputs)
            if (recipe.inputDropout >= 0) {
                const int added = place(id, recipe.inputDropout);
                if (added < 0)
                    return false;
                changes.dropoutAdded += added;
            }
        for (NodeId id : activations)
            if (recipe.hiddenDropout >= 0) {
                const int added = place(id, recipe.hiddenDropout);
                if (added < 0)
                    return false;
                changes.dropoutAdded += added;
            }
    }
    project = std::move(p);
    if (changesOut)
        *changesOut = std::move(changes);
    return true;
}

} // namespace qnn
