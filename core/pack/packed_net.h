#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace qnn::pack {

/** One matrix-vector-threshold layer as the integer engine and the packed
 *  files see it (FPGA_NOTES.md): integer weight codes over padded rows and
 *  columns, integer thresholds per row, and how the accumulator is formed. */
struct PackedLayer {
    std::string name;
    bool conv = false;
    /** Rows (output neurons/channels) and columns as stored: padded. */
    int64_t mh = 0;
    int64_t mw = 0;
    /** Rows and columns that carry the model (the rest is padding). */
    int64_t rows = 0;
    int64_t cols = 0;
    int pe = 1;
    int simd = 1;
    int weightBits = 1;
    int inputBits = 1;
    /** Conv2D: square kernel, stride, input channels and square image sizes. Dense: 1s. */
    int k = 1;
    int stride = 1;
    int64_t ifmCh = 0;
    int64_t ifmDim = 1;
    int64_t ofmDim = 1;
    /** Thresholds per row; 0 = the accumulator passes through (CNV's last layer). */
    int thresholdsPerRow = 1;
    /** Output code when no threshold is passed (-1 for bipolar and for A2). */
    int outputBase = -1;
    /** Bipolar output: code -1 or +1 (one threshold); else base + count. */
    bool bipolarOutput = true;
    /** The accumulator is popcount(XNOR) over the padded columns (binary
     *  weights, inputs and outputs); otherwise the signed dot product in which a
     *  padded binary column adds w(+1) * x(-1). */
    bool popcount = true;
    /** A max pool follows (on the thresholded codes). */
    bool poolAfter = false;
    int poolK = 2;
    int poolStride = 2;
    /** mh * mw weight codes, row-major; binary weights as -1/+1. */
    std::vector<int8_t> weights;
    /** mh * thresholdsPerRow, row-major. */
    std::vector<int64_t> thresholds;
    /** Last layer: score = scoreScale[r] * acc + scoreBias[r] for the model's
     *  rows (the trained batch norm of the class outputs); empty when the
     *  class is decoded from the accumulator alone. */
    std::vector<double> scoreScale;
    std::vector<double> scoreBias;

    int64_t ofmPixels() const { return ofmDim * ofmDim; }
    int64_t inputPixels() const { return conv ? ifmDim * ifmDim : 1; }
    /** Values of one input frame in stream order (pixel-major, channel innermost). */
    int64_t inputSize() const { return conv ? ifmDim * ifmDim * ifmCh : mw; }
    int64_t outputDim() const { return poolAfter ? (ofmDim - poolK) / poolStride + 1 : ofmDim; }
    /** Values of one output frame (after the pool; the model's rows only for the last layer). */
    int64_t outputSize(bool last) const { return outputDim() * outputDim() * (last ? rows : mh); }
};

/** How image bytes become the first layer's input codes. */
struct InputEncoding {
    /** 1: bit 1 where the pixel scaled to [-1, 1] is >= 0; n: signed codes. */
    int bits = 1;
    /** A code q stands for q * scale (n bits). */
    double scale = 1.0;
    /** "half-even" (the trainer's Input quantizer) or "floor" (ap_fixed truncation). */
    std::string rounding = "half-even";
    /** Codes ±(2^(bits-1)-1); false: -2^(bits-1) … 2^(bits-1)-1 (the Input's narrow
     *  option off, inputLevels). "floor" implies the wider range too (ap_fixed). */
    bool narrow = true;
    /** The lowest code an n-bit input takes. */
    int64_t lowestCode() const
    {
        const int64_t hi = (int64_t(1) << (std::max(1, bits) - 1)) - 1;
        return rounding == "floor" || !narrow ? -hi - 1 : -hi;
    }
};

/** A packed network: what a packed folder holds. */
struct PackedNet {
    /** "lfcW1A1" for Xilinx's folders, else the project's name. */
    std::string network;
    std::string dataset;
    int channels = 1;
    int height = 28;
    int width = 28;
    InputEncoding input;
    std::vector<PackedLayer> layers;
    std::vector<std::string> classes;

    int64_t classCount() const { return layers.empty() ? 0 : layers.back().rows; }
};

} // namespace qnn::pack
