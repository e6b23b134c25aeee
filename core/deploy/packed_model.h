#pragma once

#include "core/data/image_set.h"

#include <string>
#include <vector>

namespace qnn {
struct Project;
}

namespace qnn::deploy {

/** Where a run's packed model lives: <run>/packed. */
std::string packedFolderOf(const std::string& runDir);

/** Packs the run (its best weights, the folding of the matching prebuilt
 *  overlay, else the project's) into packedFolderOf(runDir) unless a
 *  manifest.json is already there. */
bool ensurePacked(const Project& project, const std::string& runDir, bool& packedNow, std::string& error);

/** Which prebuilt BNN-PYNQ overlay runs the packed model unchanged
 *  ("lfcW1A1"); empty with `difference` saying what differs when none does. */
bool matchPrebuiltOverlay(const std::string& packedDir, std::string& network, std::string& difference,
                          std::string& error);

/** Runs images through a packed folder with the integer engine in this process. */
bool runPackedImages(const std::string& packedDir, const ImageSet& images, std::vector<int>& predictions,
                     double& usecPerImage, std::string& error);

} // namespace qnn::deploy
