#pragma once
// One pass of the integer engine over a set of images and what it reports:
// shared by `qnnw run-packed` and the board runtime `qnn-run`, so that both
// print the same lines.

#include "core/data/image_set.h"
#include "core/pack/integer_engine.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn::pack {

struct PackedRunReport {
    std::string network;
    std::string folder;
    size_t images = 0;
    /** False for images without labels (--images without --labels): no accuracy. */
    bool labelled = true;
    size_t correct = 0;
    double seconds = 0;
    int threads = 1;
    std::string kernel;
    std::vector<int> predictions;
    /** Print every prediction (--predictions). */
    bool listPredictions = false;

    double accuracy() const { return images ? 100.0 * double(correct) / double(images) : 0.0; }
    double imagesPerSecond() const { return seconds > 0 ? double(images) / seconds : 0.0; }
};

/** Classifies every image on `threads` threads (0 = every core) and times it. */
PackedRunReport runPackedImages(const IntegerEngine& engine, const ImageSet& images, bool labelled, int threads);

/** The `{"event": "result", ...}` line of --json. */
nlohmann::json packedRunJson(const PackedRunReport& report);
/** The lines a person reads. */
std::string packedRunText(const PackedRunReport& report);

/** The test split in `dir` for a packed network's dataset, reading only the
 *  test files (a board has no room or time for the training set):
 *  t10k-images/labels (IDX, raw or gzip where built with zlib) or
 *  test_batch.bin (CIFAR-10). False with a sentence naming what is missing. */
bool readTestSplit(const std::string& dir, const std::string& dataset, ImageSet& out, std::string& error);

/** --images FILE [--labels FILE]: an IDX image file (labels from `labelsFile`)
 *  or a CIFAR-10 batch (labels inline); `labelled` is false without labels. */
bool readImageFile(const std::string& imagesFile, const std::string& labelsFile, ImageSet& out, bool& labelled,
                   std::string& error);

} // namespace qnn::pack
