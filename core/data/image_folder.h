#pragma once

#include "core/data/image_set.h"

#include <string>

namespace qnn {

/** Reads an image-folder dataset: one sub-folder per class (sorted by name;
 *  the sorted position is the label), PNG/JPEG/BMP files inside (sorted by
 *  name). Every image must have the size of the first; grey images give one
 *  channel, colour ones three (colour wins when both occur). Errors name the
 *  file at fault. */
bool readImageFolder(const std::string& dir, ImageSet& out, std::string& error);

} // namespace qnn
