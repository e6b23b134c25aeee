#pragma once

#include "core/data/image_set.h"

#include <string>

namespace qnn {

/** An IDX image file (magic 2051: count, rows, cols, then bytes) into a
 *  one-channel ImageSet without labels; gzip or raw. The header's geometry is
 *  checked against the file's size before anything is allocated, and no more
 *  than the header promises is decompressed (at most 4 GiB). Errors name the
 *  file and say what was expected (magic number, size). */
bool readIdxImages(const std::string& path, ImageSet& out, std::string& error);
/** An IDX label file (magic 2049: count, then one byte per label). */
bool readIdxLabels(const std::string& path, std::vector<int32_t>& out, std::string& error);

/** Images and labels of one split; checks that counts agree and labels are below `classes`. */
bool readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int classes, ImageSet& out,
                 std::string& error);

} // namespace qnn
