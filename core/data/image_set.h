#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** Labelled images held as bytes (0..255), channel-major (C×H×W) per image.
 *  Bytes, not floats: MNIST stays at 47 MB instead of 188 MB, and the
 *  transform to floats happens per batch (see transforms.h). */
struct ImageSet {
    int channels = 1;
    int height = 0;
    int width = 0;
    int classes = 10;
    std::vector<uint8_t> pixels;
    std::vector<int32_t> labels;
    /** Optional, one per class. */
    std::vector<std::string> classNames;

    size_t size() const { return labels.size(); }
    size_t imageBytes() const { return static_cast<size_t>(channels) * height * width; }
    const uint8_t* image(size_t i) const { return pixels.data() + i * imageBytes(); }

    /** Images [begin, end) as a new set with the same geometry and classes. */
    ImageSet slice(size_t begin, size_t end) const;
    /** Keeps only the first n images (no-op when n == 0 or n >= size()). */
    void truncate(size_t n);
    /** Adds the images of `more`, which must have this set's geometry (false, unchanged, otherwise). */
    bool append(const ImageSet& more);
};

} // namespace qnn
