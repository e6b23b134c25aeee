#pragma once
// The exact XNOR-popcount forward of W1A1 Dense layers during training. Torch
// side of qnn_train: only core/train/*.cpp and tests of the trainer include this.

#include <torch/torch.h>

namespace qnn::detail {

/** x · wᵀ computed with the integer engine's popcount kernel, when x holds
 *  only +s, -s and 0 (binary activations, after a dropout or not) and w only
 *  +1 and -1, and s is such that every partial sum of the float product is
 *  exact (s = 1, 2, 1.25, ...; see xnor_dense.cpp): then the result equals the
 *  float product bit for bit, at a fraction of its cost. The backward pass is
 *  the float one, the same two matrix products that torch's own linear()
 *  takes, so gradients are unchanged. Returns an undefined tensor when the
 *  operands do not qualify (a float or multi-bit input, a non-contiguous or
 *  non-CPU tensor): the caller then takes the float product. */
torch::Tensor xnorLinear(const torch::Tensor& x, const torch::Tensor& w);

/** How many products xnorLinear has computed in this process (not declined):
 *  tests and the benchmark check with it that the path is taken. */
uint64_t xnorLinearCount();

/** False when the environment sets QNN_TRAIN_XNOR=0: every Dense layer then
 *  takes the float product (for a comparison, or to rule the path out).
 *  Read when a model is built. */
bool xnorForwardEnabled();

} // namespace qnn::detail
