#pragma once

#include "core/data/image_set.h"

#include <string>

namespace qnn {

/** Whole file, gunzipped when it is gzip (zlib reads plain files unchanged).
 *  False with a sentence naming the file when it is missing or a broken gzip. */
bool readMaybeGzipped(const std::string& path, std::string& out, std::string& error);

/** An IDX image file (magic 2051: count, rows, cols, then bytes) into a
 *  one-channel ImageSet without labels. Errors name the file and say what was
 *  expected (magic number, size). */
bool readIdxImages(const std::string& path, ImageSet& out, std::string& error);
/** An IDX label file (magic 2049: count, then one byte per label). */
bool readIdxLabels(const std::string& path, std::vector<int32_t>& out, std::string& error);

/** Images and labels of one split; checks that counts agree and labels are below `classes`. */
bool readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int classes, ImageSet& out,
                 std::string& error);

} // namespace qnn
