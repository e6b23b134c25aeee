#pragma once

#include <cstdint>

namespace qnn::pack {

/** popcount(~(w ^ x)) over `words` 64-bit words: the XNOR-popcount of one
 *  binary row against one binary input. */
using XnorPopcountFn = int64_t (*)(const uint64_t* w, const uint64_t* x, int64_t words);

/** The same for `rows` rows of `words` words each, back to back, against one input: out[r]. */
using XnorPopcountRowsFn = void (*)(const uint64_t* w, int64_t rows, int64_t words, const uint64_t* x, int64_t* out);

struct XnorPopcountKernel {
    XnorPopcountFn fn = nullptr;
    XnorPopcountRowsFn rows = nullptr;
    const char* name = "";
};

/** The fastest kernel this CPU runs (AVX2, POPCNT or portable): the CPU's
 *  features say which may run, a few milliseconds of timing on LFC-sized
 *  rows at first use say which is fastest. */
const XnorPopcountKernel& xnorPopcountKernel();
/** The portable kernel (no CPU features), the reference the others must equal. */
const XnorPopcountKernel& portableXnorPopcountKernel();
/** Every kernel this CPU can run, for tests and the benchmark. */
int availableXnorPopcountKernels(const XnorPopcountKernel** out, int capacity);

} // namespace qnn::pack
