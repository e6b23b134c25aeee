#pragma once

#include "core/data/dataset_choice.h"
#include "core/graph/diagnostic.h"
#include "core/graph/graph.h"
#include "core/hw/folding.h"
#include "core/project/sweep_definition.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {


/** How to train; the command line can override each field for one run. */
struct TrainingConfig {
    int epochs = 10;
    int batchSize = 100;
    /** adam or sgd. */
    std::string optimizer = "adam";
    double learningRate = 1e-3;
    /** Final rate for the exponential (BinaryNet) and cosine schedules. */
    double learningRateEnd = 1e-5;
    /** constant, exponential, cosine or step. */
    std::string schedule = "constant";
    /** step schedule: multiply the rate by stepGamma every stepEpochs. */
    int stepEpochs = 10;
    double stepGamma = 0.1;
    double momentum = 0.9;
    double weightDecay = 0.0;
    /** squared_hinge (targets ±1, BinaryNet) or cross_entropy. */
    std::string loss = "cross_entropy";
    uint64_t seed = 1;
    /** 0 = every core of the machine. */
    int threads = 0;
    /** Write a per-batch line to metrics.jsonl every N batches (0 = never). */
    int logEveryBatches = 50;
    /** Training augmentation: shift each image by up to N pixels at random
     *  (a random crop of the image padded by N). -1 = the dataset's default:
     *  4 for CIFAR-10 (with random horizontal flips), 0 otherwise. */
    int randomShift = -1;
    /** The recipe preset these settings came from, as "name@version"
     *  (see core/project/recipe.h); empty = none. Written only when set. */
    std::string recipe;
    /** How the latent weights of quantized layers start: "default" (PyTorch's
     *  Kaiming-uniform, as for float layers) or "uniform" (uniform on [-1, 1],
     *  as Brevitas' bnn_pynq models start them: with Adam at 0.02 a sign then
     *  flips only after consistent gradients, not at the first steps). */
    std::string weightInit = "default";
    /** Which images pick the best epoch: "validation" (the last training
     *  images are held out and never trained on; the test set is scored once,
     *  at the end) or "test" (every training image is trained on and the best
     *  epoch is the one with the best test accuracy, the protocol behind
     *  Brevitas' and BNN-PYNQ's published figures: optimistic, since the test
     *  set then takes part in a choice). */
    std::string selectBy = "validation";

    bool operator==(const TrainingConfig& o) const;
};

/** Where the packed network goes. */
struct DeployTarget {
    std::string board = "pynq-z1";
    std::string part = "xc7z020clg400-1";
    double clockMhz = 100.0;
    /** Board address for SSH deployment; empty = not set. */
    std::string host;
    /** The folding chosen last (qnnw estimate, the Hardware dock); empty =
     *  none chosen. Written only when set, so older files stay byte-stable. */
    Folding folding;
    /** The folder FINN's reports are read from (a `qnnw export --finn-build`
     *  folder, FINN's output_dir or its report/), relative to the project
     *  file's folder unless absolute; empty = none. Written only when set. */
    std::string finnReports;
    bool operator==(const DeployTarget& o) const
    {
        return board == o.board && part == o.part && clockMhz == o.clockMhz && host == o.host &&
               folding == o.folding && folding.source == o.folding.source && finnReports == o.finnReports;
    }
};

/** Everything in a *.qnnproj file. */
struct Project {
    std::string name;
    std::string description;
    Graph graph;
    DatasetChoice dataset;
    TrainingConfig training;
    DeployTarget deploy;
    /** Run folder names under runs/, oldest first. */
    std::vector<std::string> runs;
    /** Saved sweep definitions, sorted by name (the file's "sweeps" object,
     *  written only when there is one, so older files stay byte-stable). */
    std::vector<SweepDefinition> sweeps;
    /** Warnings about the file as read, not part of the project: attributes
     *  it left to a default a user might not expect (AttrSpec::absentNote).
     *  Never saved (a save writes every attribute) and not compared. */
    std::vector<Diagnostic> fileNotes;

    bool operator==(const Project& o) const
    {
        return name == o.name && description == o.description && graph == o.graph && dataset == o.dataset &&
               training == o.training && deploy == o.deploy && runs == o.runs && sweeps == o.sweeps;
    }
};

constexpr const char* kProjectFormat = "qnn-workbench-project";
constexpr int kProjectVersion = 1;

/** The file's bytes: 2-space JSON, nodes by id, ending in a newline. */
std::string serializeProject(const Project& project);
/** Parses file text; the error says where (line and column for bad JSON, a
 *  field path otherwise) but not which file. */
bool parseProject(const std::string& text, Project& out, std::string& error);
/** Reads a file; the error starts with the path. */
bool loadProject(const std::string& path, Project& out, std::string& error);
/** Atomic: on failure the old file is still there, whole. */
bool saveProject(const std::string& path, const Project& project, std::string& error);

} // namespace qnn
