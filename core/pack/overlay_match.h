#pragma once

#include "core/pack/packed_net.h"

#include <string>

namespace qnn::pack {

/** Which prebuilt BNN-PYNQ overlay runs this packed network with only its
 *  weight files changed: same layers, shapes (padded), precisions, pools and
 *  folding. Returns the overlay's name, or empty with `difference` saying
 *  how the nearest overlay differs (first difference, naming the layer). */
std::string matchPackedOverlay(const PackedNet& net, std::string& difference);

} // namespace qnn::pack
