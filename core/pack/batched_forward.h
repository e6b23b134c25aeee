#pragma once

#include "core/pack/engine_kernel.h"
#include "core/pack/packed_net.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn::pack {

/** The fast path of IntegerEngine: several images per weight pass, every
 *  layer on packed bits. Binary layers are XNOR-popcount with the thresholds
 *  applied inside the kernel, straight to the next layer's bits; a layer with
 *  multi-bit inputs or weights is a sum of weighted bit-planes (codes written
 *  as offset + step·u, u's bits one plane each: A2 is two AND-popcount
 *  passes, W2A2 four); convolutions gather their windows as bits (im2col on
 *  packed words) and run the same kernels, output pixels as extra vectors.
 *  Bit-exact with the reference loop of IntegerEngine. */
class BatchedForward
{
public:
    /** False (with the reason) when the net has a layer this path does not
     *  cover; the engine then runs its reference loop. */
    bool prepare(const PackedNet& net, std::string& why);

    /** Images per call that keep the largest layer's vectors cache-sized. */
    size_t batchImages() const { return m_batchImages; }

    /** Predictions (and, when `scores` is given, n × classes class scores) of
     *  n inputs of `inputSize` codes each, in the first layer's order. When
     *  `layerSeconds` is given (layerCount() + 1 values), this thread's CPU
     *  time in turning the codes into bits is added to [0] and each layer's
     *  to [1 + layer]: the benchmark's per-layer profile. */
    void run(const int8_t* codes, size_t n, const EngineKernel& kernel, int* predictions,
             std::vector<double>* scores = nullptr, double* layerSeconds = nullptr) const;
    size_t layerCount() const { return m_layers.size(); }

private:
    /** How a layer's codes are written as bit-planes: code = offset + step·u. */
    struct Planes {
        int count = 1;
        int64_t offset = -1;
        int64_t step = 2;
        bool bipolar() const { return count == 1 && offset == -1 && step == 2; }
    };
    struct Layer {
        PackedLayer geometry; // without weights (the planes below hold them)
        int64_t rowsOut = 0;
        int64_t groups = 0;
        int64_t words = 0;
        Planes in;
        Planes weight;
        /** XNOR path: both sides bipolar. */
        bool xnor = false;
        /** Integer path (EngineKernel::dot16): the first layer on multi-bit
         *  codes, taken as they are instead of as bit-planes (an 8-bit input
         *  would be eight AND passes over a word or two). */
        bool direct = false;
        /** direct: weights as int16, sixteen rows × column pairs (engine_kernel.h). */
        std::vector<int16_t> w16;
        int64_t pairs = 0;
        /** direct with bitsOut: row r fires when its sum exceeds t32[r] (padded rows never). */
        std::vector<int32_t> t32;
        /** One threshold and bipolar output, XNOR or direct: bits straight out of the kernel. */
        bool bitsOut = false;
        /** Per weight plane: interleaved rows (engine_kernel.h). */
        std::vector<std::vector<uint64_t>> w;
        /** Σ_c u of each row's weights (AND path). */
        std::vector<int64_t> rowU;
        /** bitsOut: row fires when the popcount exceeds this. */
        std::vector<int64_t> popThreshold;
        /** The thresholds moved to the kernel's side: threshold i of row r is
         *  passed when X > cmp[i*rowsOut + r], X = the XNOR count, or C·P + A·Σu_x
         *  on the AND path (so no accumulator is formed per value). */
        std::vector<int64_t> cmp;
        /** Per input plane: the bits of the padded columns' u (cols..mw); empty where they are 0. */
        std::vector<std::vector<uint64_t>> padBits;
        Planes out;
    };
    /** The direct layer's integer form of `l`, or false when its sums could overflow 32 bits. */
    static bool prepareDirect(const PackedLayer& l, int inputBits, bool last, Layer& L);

    std::vector<Layer> m_layers;
    Planes m_input;
    int m_channels = 1;
    int m_height = 1;
    int m_width = 1;
    bool m_channelsLast = false;
    int64_t m_inputSize = 0;
    int64_t m_classes = 0;
    size_t m_batchImages = 8;
};

} // namespace qnn::pack
