#pragma once

#include "core/data/image_set.h"
#include "core/pack/integer_engine.h"

#include <string>

namespace qnn::cli {

/** `qnnw run-packed DIR --compare RUN`: the run's float model (FloatModel,
 *  torch) and the integer engine on the same images, layer by layer. Prints
 *  a table or one JSON line; returns the exit code. */
int comparePacked(const std::string& packedDir, const pack::IntegerEngine& engine, const ImageSet& images,
                  const std::string& run, const std::string& projectPath, const std::string& epoch, bool json);

} // namespace qnn::cli
