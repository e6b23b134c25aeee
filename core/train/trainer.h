#pragma once

#include "core/data/dataset.h"
#include "core/data/transforms.h"
#include "core/graph/graph.h"
#include "core/project/project.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qnn {

struct WeightFile;

class RunStore;

/** Settings of one run: the project's TrainingConfig after command-line
 *  overrides, plus what only a run has. */
struct TrainOptions {
    TrainingConfig config;
    /** Train on the first N training images only (0 = all). */
    size_t trainLimit = 0;
    /** auto, cpu or cuda. */
    std::string device = "auto";
};

/** Sent after every training batch. Plain data: watchers (CLI, GUI thread)
 *  never see tensors. */
struct BatchProgress {
    int epoch = 0; ///< 1-based
    int epochs = 0;
    int64_t batch = 0; ///< 1-based within the epoch
    int64_t batches = 0;
    double loss = 0;     ///< this batch
    double accuracy = 0; ///< this batch, 0..1
    double learningRate = 0;
    double imagesPerSecond = 0; ///< training images per second so far in this session
    double etaSeconds = 0;      ///< to the end of the last epoch, evaluations excluded
};

/** One line of history: what an epoch achieved. Accuracies are fractions 0..1. */
struct EpochMetrics {
    int epoch = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    double valLoss = 0;
    double valAccuracy = 0;
    double learningRate = 0;
    double imagesPerSecond = 0;
    double seconds = 0;
};

struct EvalResult {
    double loss = 0;
    double accuracy = 0;
    /** confusion[true][predicted]. */
    std::vector<std::vector<int64_t>> confusion;
    int64_t images = 0;
};

/** How a run ended. status: "completed", "stopped" (Stop or Ctrl+C; resumable), "diverged" or "failed". */
struct TrainResult {
    std::string status = "failed";
    std::string error;
    /** Epochs finished in total (including those before a resume). */
    int epochsDone = 0;
    /** Epoch whose loss became NaN or infinite (status "diverged"), else 0. */
    int divergedEpoch = 0;
    int bestEpoch = 0;
    double bestValAccuracy = 0;
    /** Of the best epoch's weights (testEpoch); negative when not evaluated (stopped, diverged). */
    double testAccuracy = -1;
    /** The epoch whose weights testAccuracy is of: the best epoch, or the last
     *  with a warning when the best epoch's weights could not be loaded back. */
    int testEpoch = 0;
    /** Something the user should know about a completed run (summary.json "warning"); empty = none. */
    std::string warning;
    std::vector<std::vector<int64_t>> confusion;
    double wallSeconds = 0;
    /** Training images per second of this session, evaluation excluded. */
    double imagesPerSecond = 0;
    std::vector<EpochMetrics> history;
    /** The recipe preset of the settings ("brevitas@1"), for summary.json; empty = none. */
    std::string recipe;
    /** training.select_by: "test" when the test set chose the best epoch
     *  (then best_val_accuracy is a test accuracy too); summary.json writes it only then. */
    std::string selectBy = "validation";
};

/** Trains a graph as drawn (bit-widths included) on a dataset. Set up once,
 *  then train() on the calling thread; callbacks run on that thread too.
 *  With a RunStore it writes metrics.jsonl lines, checkpoint.pt after every
 *  epoch (atomically), and summary.json at the end. */
class Trainer
{
public:
    Trainer();
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    /** Builds the model (seeded by options.config.seed) and sets the thread
     *  count. `data` must outlive the Trainer. False with a sentence when the
     *  graph cannot be trained or does not fit the data. `datasetName` picks
     *  the transforms (CIFAR-10 augments). */
    bool setup(const Graph& graph, const DatasetSplits& data, const std::string& datasetName,
               const TrainOptions& options, std::string& error);

    void setBatchCallback(std::function<void(const BatchProgress&)> callback);
    void setEpochCallback(std::function<void(const EpochMetrics&)> callback);
    /** Checked before every batch; once true, train() stops and returns "stopped". */
    void setCancelFlag(const std::atomic<bool>* flag);
    /** Where metrics, checkpoints and the summary go; optional, not owned. */
    void setRunStore(const RunStore* store);

    /** Continues from a checkpoint written by an earlier train(): model,
     *  optimizer, epoch and random state, so the result equals an unbroken run. */
    bool resumeFrom(const std::string& checkpointPath, std::string& error);
    /** Model weights only (for evaluation). */
    bool loadWeights(const std::string& checkpointPath, std::string& error);
    /** Model weights from a weight file (runs made by `qnnw import`, which hold
     *  no checkpoint); false with a sentence when they do not fit the graph. */
    bool loadWeightFile(const WeightFile& file, std::string& error);

    /** Runs the remaining epochs. */
    TrainResult train();
    /** Loss, accuracy and confusion matrix of the current model on a split. */
    EvalResult evaluate(const ImageSet& set);

    /** Epochs finished (after setup: 0; after resumeFrom: the checkpoint's). */
    int epochsDone() const;
    /** Number of trainable parameters. */
    int64_t parameterCount() const;
    /** "cpu" or "cuda". */
    std::string deviceName() const;
    int threads() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/** The learning rate of epoch `epochIndex` (0-based) under the config's
 *  schedule: constant; exponential from lr to lr_end at the last epoch
 *  (BinaryNet); cosine from lr to lr_end; step (× step_gamma every step_epochs). */
double learningRateAt(const TrainingConfig& config, int epochIndex);

/** The summary.json object of a result (keys status, best_epoch,
 *  best_val_accuracy, test_accuracy, confusion_matrix, wall_s, images_per_s, ...). */
nlohmann::json summaryJson(const TrainResult& result);
nlohmann::json epochJson(const EpochMetrics& metrics);

} // namespace qnn
