#pragma once

#include "core/graph/graph.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

struct Project;

/** One epoch line of metrics.jsonl. Accuracies are fractions 0..1. */
struct RunEpoch {
    int epoch = 0;
    double trainLoss = 0, trainAccuracy = 0, valLoss = 0, valAccuracy = 0, learningRate = 0;
    double imagesPerSecond = 0, seconds = 0;
};

/** A run folder as the runs list, the compare view and `qnnw runs` show it.
 *  Read from config.json, summary.json and metrics.jsonl only: the folder is
 *  the one source of truth. */
struct RunInfo {
    std::string name; ///< the folder name under runs/
    std::string dir;
    /** False when a file of the folder is damaged; `problem` says which and why. */
    bool readable = true;
    std::string problem;
    /** running, completed, stopped, diverged or failed. */
    std::string status;
    /** For failed: why. */
    std::string error;
    /** A checkpoint exists and the run did not finish: `qnnw train --resume` continues it. */
    bool resumable = false;
    bool listed = false; ///< named in the project's "runs" list
    std::string started; ///< local time, "2026-12-02 17:40:03"
    std::string precision; ///< W1A1, FP32, mixed
    std::string colour;    ///< "#1f77b4": one colour per run, everywhere
    bool fp32Twin = false;
    std::string seedGroup;
    /** The recipe preset the run trained with, "brevitas@1"; empty = none. */
    std::string recipe;
    /** training.select_by of the run: "test" when the test set chose its best
     *  epoch (then best_val_accuracy is that epoch's test accuracy). */
    std::string selectBy = "validation";
    uint64_t seed = 0;
    int epochs = 0, epochsDone = 0, bestEpoch = 0;
    double bestValAccuracy = -1, finalValAccuracy = -1, testAccuracy = -1;
    double imagesPerSecond = 0, wallSeconds = 0;
    int64_t params = 0, weightBits = 0, bops = 0;
    double compression = 1;
    std::vector<RunEpoch> history;
    std::vector<std::vector<int64_t>> confusion;
    Graph graph; ///< as trained
    std::string datasetName;
};

/** Never fails: a damaged folder comes back with readable = false and the reason. */
RunInfo readRunInfo(const std::string& dir);

/** The project's listed runs in list order, then run folders found under
 *  runs/ that the list lacks (listed = false: offer to add them). Unsafe
 *  names in the list come back unreadable with the sentence. */
std::vector<RunInfo> listRuns(const std::string& projectPath, const Project& project);

/** W1A1 when every weight and activation bit-width agree, FP32 when all are
 *  32, otherwise "mixed". */
std::string graphPrecisionLabel(const Graph& graph);

/** The run colours, in the order new runs take them. */
const std::vector<std::string>& runPalette();
/** The first palette colour not used by the runs in runsDir (cycling when all are). */
std::string nextRunColour(const std::string& runsDir);

/** Keys: name, status, error, resumable, listed, started, precision, colour,
 *  fp32_twin, seed, seed_group, recipe, epochs, epochs_done, best_epoch,
 *  best_val_accuracy, test_accuracy, images_per_s, wall_s, params,
 *  weight_bits, bops, compression, readable, problem. */
nlohmann::json runInfoJson(const RunInfo& run);

/** Whether a process with this id is alive on this machine. */
bool processAlive(long long pid);

} // namespace qnn
