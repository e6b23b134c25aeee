#pragma once

#include "core/data/image_set.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** How bytes become network input. */
enum class PixelMode {
    /** x / 127.5 - 1: [-1, 1]. */
    Scale,
    /** +1 for pixels of 128 and above, -1 below: the input of a 1-bit Input node. */
    Binarize,
    /** (x / 255 - mean[c]) / std[c] per channel. */
    Normalize,
};

/** Pixel mapping plus the random augmentation of training batches. */
struct Transform {
    PixelMode mode = PixelMode::Scale;
    std::vector<float> mean;
    std::vector<float> std;
    /** Random crop: pad each side by this many zero pixels, then cut the original size back out (0 = off). */
    int cropPadding = 0;
    bool horizontalFlip = false;

    bool augments() const { return cropPadding > 0 || horizontalFlip; }
};

/** The float a pixel byte becomes in channel c (no augmentation). */
float transformPixel(uint8_t value, int channel, const Transform& transform);

/** Writes images[indices[0..n)] as floats (C×H×W each, back to back) and
 *  their labels. Crop offsets and flips come from augmentSeed and the
 *  position in the batch only, so a resumed run sees the same batches. */
void fillBatch(const ImageSet& set, const int64_t* indices, size_t n, const Transform& transform,
               uint64_t augmentSeed, float* images, int64_t* labels);

/** What each dataset gets: binarized input for a 1-bit Input node, [-1, 1]
 *  otherwise. Training batches of CIFAR-10 add random crops (padding 4) and
 *  flips; randomShift >= 0 sets the crop padding for any dataset instead. */
Transform defaultTransform(const std::string& datasetName, int inputActBits, bool training, int randomShift = -1);

} // namespace qnn
