#pragma once

#include "core/data/image_set.h"

#include <string>
#include <vector>

namespace qnn {

/** Bytes per CIFAR-10 record: a label byte, then 3×32×32 pixels (CHW). */
constexpr size_t kCifarRecordBytes = 3073;

/** Appends the records of one CIFAR-10 binary batch (data_batch_N.bin,
 *  test_batch.bin) to `out` (3×32×32, 10 classes). Errors name the file and
 *  say what was expected (a multiple of 3,073 bytes, labels 0..9). */
bool readCifarBatch(const std::string& path, ImageSet& out, std::string& error);

/** batches.meta.txt: ten class names, one per line; empty lines ignored. */
bool readCifarMeta(const std::string& path, std::vector<std::string>& names, std::string& error);

} // namespace qnn
