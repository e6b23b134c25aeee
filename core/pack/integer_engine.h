#pragma once

#include "core/data/image_set.h"
#include "core/pack/batched_forward.h"
#include "core/pack/engine_kernel.h"
#include "core/pack/packed_net.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn::pack {

/** Every layer's result for one image, for a layer-by-layer comparison. */
struct EngineTrace {
    /** Per layer: output codes before the pool (bipolar as -1/+1), the model's
     *  rows only, in stream order (pixel-major, channel innermost). */
    std::vector<std::vector<int32_t>> outputs;
    /** Per layer: the accumulators, same order (only kept when asked). */
    std::vector<std::vector<int64_t>> accumulators;
    /** The class scores the prediction is the argmax of. */
    std::vector<double> scores;
};

/** The popcount of the per-image reference loop (classify(), and the trace of --compare). */
std::string popcountKernelName();
/** The kernel family the engine runs on this CPU ("avx512", "avx2", "neon", "portable"). */
std::string engineKernelName();

/** Runs a packed network bit-exactly on the CPU, as the FPGA's units do:
 *  XNOR-popcount for binary layers, integer multiply-accumulate otherwise,
 *  thresholds as finn-hlslib applies them (base + number of thresholds
 *  strictly below the accumulator), max pool on the codes. */
class IntegerEngine
{
public:
    /** False with a sentence when the layers do not chain (sizes, bits). */
    bool load(const PackedNet& net, std::string& error);
    const PackedNet& net() const { return m_net; }

    /** Codes of one image's input (first layer's order). */
    int64_t inputSize() const { return m_inputSize; }
    /** Image bytes (C×H×W) → input codes, with the net's input encoding. */
    void encode(const uint8_t* pixels, int8_t* codes) const;
    /** Checks that the images fit the network's input; a sentence otherwise. */
    bool accepts(const ImageSet& images, std::string& error) const;

    /** The predicted class of one image; `trace` (optional) gets every layer. */
    int classify(const int8_t* codes, EngineTrace* trace = nullptr, bool keepAccumulators = false) const;
    /** Predictions for every image, on `threads` threads (0 = all cores). */
    std::vector<int> classifyAll(const ImageSet& images, int threads = 0) const;
    /** Predictions for pre-encoded inputs (n * inputSize() codes): the
     *  batched kernels (BatchedForward) where they cover the net, on
     *  `threads` threads (0 = all cores), blocks of images per weight pass;
     *  `kernel` (default: engineKernel()) for the benchmark's AVX2 figure. */
    std::vector<int> classifyCodes(const int8_t* codes, size_t n, int threads = 0,
                                   const EngineKernel* kernel = nullptr) const;

    /** Images per call of classifyBatched() that keep its vectors cache-sized. */
    size_t batchImages() const { return m_forward.batchImages(); }
    /** True when classifyCodes() runs the batched kernels; else the reference loop below. */
    bool batched() const { return m_batched; }
    /** Why the batched kernels do not cover this net (empty when they do). */
    const std::string& whyNotBatched() const { return m_whyNotBatched; }
    /** The batched path on this thread with a given kernel, for tests and the
     *  benchmark: predictions of n inputs and, optionally, their class scores
     *  and the time of each layer (BatchedForward::run). */
    void classifyBatched(const int8_t* codes, size_t n, const EngineKernel& kernel, int* predictions,
                         std::vector<double>* scores = nullptr, double* layerSeconds = nullptr) const;

private:
    struct Prepared {
        int64_t wordsPerRow = 0;
        /** Binary layers: weight rows as bits (padded columns and the word's tail set to 1). */
        std::vector<uint64_t> bits;
    };
    /** Every layer binary Dense with bipolar outputs (LFC W1A1): bits stay bits from layer to layer. */
    int classifyBinaryChain(const int8_t* codes) const;
    void runLayer(size_t index, const std::vector<int8_t>& in, std::vector<int8_t>& out, EngineTrace* trace,
                  bool keepAcc, std::vector<int64_t>* lastAcc) const;

    PackedNet m_net;
    BatchedForward m_forward;
    bool m_batched = false;
    std::string m_whyNotBatched;
    std::vector<Prepared> m_prepared;
    int64_t m_inputSize = 0;
    bool m_channelsLast = false;
    bool m_binaryChain = false;
};

} // namespace qnn::pack
