#pragma once

#include "core/data/dataset.h"
#include "core/project/project.h"
#include "core/run/run_store.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace qnn {

/** What a user asks of one run: `qnnw train`'s options, the GUI's Train. */
struct RunRequest {
    std::string projectPath;
    /** Dataset folder (--data); empty: the project's, then the default places. */
    std::string dataDir;
    /** Where run folders go; empty: runs/ beside the project. */
    std::string outDir;
    /** A run folder, or a run name under runs/, to continue. */
    std::string resume;
    /** Overrides of the project's training section; negative = keep. */
    int epochs = -1, batchSize = -1, threads = -1, logEvery = -1;
    double lr = -1;
    long long seed = -1;
    long long trainLimit = -1;
    std::string device = "auto";
    /** A recipe preset (core/project/recipe.h) applied to this run only; empty = none. */
    std::string recipe;
    /** Train the graph with every bit-width at 32 (see fp32Twin). */
    bool fp32Twin = false;
    /** The seed group this run belongs to (--seeds N), recorded in config.json. */
    std::string seedGroup;
    /** Memory available for training; -1 = the machine's (tests pass a figure). */
    int64_t availableMemory = -1;
};

/** A run ready to train: the project as it will be trained (overrides, twin,
 *  or the settings a resumed run started with), its data and, after
 *  startRun, its folder. */
struct PreparedRun {
    Project project;
    std::string runsDir;
    DatasetSplits data;
    std::string dataDir;
    size_t trainLimit = 0;
    std::string device = "auto";
    bool resumed = false;
    bool fp32Twin = false;
    std::string seedGroup;
    std::string twinNotes;
    RunStore store;
};

/** Loads the project (or, for a resume, the graph and settings in the run's
 *  config.json), applies the overrides, makes the FP32 twin, checks that
 *  training fits in memory and loads the dataset. No folder is made yet.
 *  False with a sentence. */
bool prepareRun(const RunRequest& request, PreparedRun& run, std::string& error);

/** Makes the run folder (or opens the resumed one), writes config.json
 *  (with `extra` merged in: threads, torch version), a summary.json saying
 *  "running" with this process id, and records the run in the project's
 *  "runs" list when the folder is under the project's runs/. A project that
 *  cannot be saved is a warning in `warning`, not a failure. */
bool startRun(const RunRequest& request, PreparedRun& run, const nlohmann::json& extra, std::string& error,
              std::string& warning);

/** Adds `runName` to the "runs" list of the project file (atomic rewrite); no-op when listed. */
bool recordRunInProject(const std::string& projectPath, const std::string& runName, std::string& error);
/** Removes it from the list (after a delete) or renames it there. */
bool renameRunInProject(const std::string& projectPath, const std::string& from, const std::string& to,
                        std::string& error);

/** A run folder given as a path, or a safe name under runsDir. */
bool findRunFolder(const std::string& run, const std::string& runsDir, RunStore& store, std::string& error);

} // namespace qnn
