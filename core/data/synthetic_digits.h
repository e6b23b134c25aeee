#pragma once

#include "core/data/image_set.h"

#include <cstdint>

namespace qnn {

/** Built-in dataset so that the whole pipeline runs with no download:
 *  handwriting-like digits 0..9 drawn as strokes with a random affine jitter
 *  (rotation, scale, shear, shift), stroke thickness and pixel noise, 1×28×28.
 *  Image i depends only on (seed, i), so any slice can be generated alone and
 *  the same seed gives the same bytes on every run. Labels cycle 0..9. */
ImageSet generateSyntheticDigits(size_t count, uint64_t seed, size_t firstIndex = 0);

} // namespace qnn
