#pragma once

#include "core/pack/packed_net.h"

#include <string>
#include <vector>

namespace qnn::pack {

/** The per-PE files of one layer in the BNN-PYNQ layout (FPGA_NOTES.md):
 *  row r goes to PE r mod PE at neuron fold r div PE; word nf*SF + sf holds
 *  columns [sf*SIMD, (sf+1)*SIMD), element j at bit j*Wbits, LSB first, as
 *  64-bit little-endian words; thresholds one int64 LE per fold and threshold. */
std::string weightFileName(int layer, int pe);
std::string thresholdFileName(int layer, int pe);

/** Bytes of `<layer>-<pe>-weights.bin` / `-thres.bin` for one PE. */
std::string weightBytes(const PackedLayer& layer, int pe);
std::string thresholdBytes(const PackedLayer& layer, int pe);
/** The sizes those files must have. */
size_t weightFileSize(const PackedLayer& layer);
size_t thresholdFileSize(const PackedLayer& layer);

/** Fills layer.weights / layer.thresholds (sized by its shape) from one PE's
 *  bytes; false with a sentence naming `fileName` when the size is wrong. */
bool decodeWeights(const std::string& bytes, int pe, const std::string& fileName, PackedLayer& layer,
                   std::string& error);
bool decodeThresholds(const std::string& bytes, int pe, const std::string& fileName, PackedLayer& layer,
                      std::string& error);

/** Every file of a layer: weights for each PE, then thresholds for each PE (none when it passes scores through). */
std::vector<std::string> layerFileNames(int index, const PackedLayer& layer);

} // namespace qnn::pack
