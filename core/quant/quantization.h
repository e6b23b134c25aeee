#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace qnn {

/** What one QuantSpec bit-width means for one tensor: the integer codes it
 *  may hold and the real value of one step. The trainer's fake quantizers,
 *  the packer and the integer engine all take their numbers from here, so a
 *  value quantized in training is the same value the hardware computes with.
 *
 *  - 32 bits: plain float, no quantization.
 *  - 1 bit: bipolar {-1, +1}; x >= 0 maps to +1 (sign(0) = +1, as XNOR hardware
 *    reads a 0 bit as -1 and a 1 bit as +1, and a zero must land on one of them).
 *  - n bits, signed: symmetric "narrow" range -(2^(n-1)-1) .. 2^(n-1)-1, so that
 *    2 bits is ternary {-1, 0, +1} and the levels are symmetric around 0.
 *  - n bits, unsigned (after ReLU): 0 .. 2^n-1.
 *  Values are clipped to [minValue(), maxValue()] and rounded half to even. */
struct QuantLevels {
    int bits = 32;
    bool isSigned = true;
    int64_t minLevel = 0;
    int64_t maxLevel = 0;
    /** Real value of one integer step; a code q means q * scale. */
    double scale = 1.0;

    bool isFloat() const { return bits >= 32; }
    bool isBipolar() const { return bits == 1; }
    /** How many distinct values the tensor may hold (2 for bipolar). */
    int64_t levelCount() const;
    double minValue() const { return isBipolar() ? -scale : static_cast<double>(minLevel) * scale; }
    double maxValue() const { return isBipolar() ? scale : static_cast<double>(maxLevel) * scale; }
};

/** Weights of Dense/Conv2D: always signed. `range` is the largest magnitude
 *  represented (for n-bit weights the trainer passes max|w| of the tensor; for
 *  bipolar weights it is the magnitude of ±1 and stays 1). */
QuantLevels weightLevels(int bits, double range = 1.0);
/** Activations (Input, Activation, QuantAct): signed over [-range, range] or
 *  unsigned over [0, range]. Bipolar ignores isSigned. `narrow` = false
 *  (signed only, a QuantAct's option, Brevitas' default for activations):
 *  the levels are -2^(n-1) … 2^(n-1)-1, one more below zero, with the same
 *  step range / (2^(n-1)-1). */
QuantLevels activationLevels(int bits, bool isSigned, double range = 1.0, bool narrow = true);

/** The range n-bit weights are quantized over: max|w| of the tensor (one
 *  scale per tensor, so step = max|w| / (2^(n-1)-1)). Training (on the latent
 *  weights of each step) and the packer (on the saved latent weights) both use
 *  it, so they agree on every weight code. */
double weightRange(const float* values, size_t count);
/** weightLevels(bits, weightRange(values)) for n-bit weights; bipolar and float as weightLevels(bits). */
QuantLevels weightLevelsOf(int bits, const float* values, size_t count);

/** The Input node at `bits`: pixels arrive scaled to [-1, 1]; 1 bit
 *  binarizes at 0. `narrow` (the default): codes -(2^(n-1)-1) … 2^(n-1)-1 of
 *  1/(2^(n-1)-1), so 8 bits gives -127..127 of 1/127. Not narrow: the
 *  two's-complement fixed point of [-1, 1), codes -2^(n-1) … 2^(n-1)-1 of
 *  2^-(n-1) (8 bits: -128..127 of 1/128; -1 is code -128, +1 clips to 127),
 *  what Brevitas' signed input quantizers with narrow_range=False and a
 *  power-of-two scale, and BNN-PYNQ's ap_fixed<8,1> input, hold. */
QuantLevels inputLevels(int bits, bool narrow = true);
/** An Activation node: "sign" or 1 bit is bipolar; "relu" is unsigned over
 *  [0, 1]; "hardtanh" (and others) signed over [-1, 1]. */
QuantLevels activationFunctionLevels(const std::string& function, int bits);

/** Round to nearest, ties to even (what torch.round and the FPGA rounding use). */
double roundHalfEven(double x);
/** The integer code of x: clipped to the range, then rounded (bipolar: -1 or +1). */
int64_t quantizeToLevel(double x, const QuantLevels& levels);
/** The real value the quantized x stands for (levels.isFloat(): x unchanged). */
double quantizeValue(double x, const QuantLevels& levels);

} // namespace qnn
