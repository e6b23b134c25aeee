#pragma once

#include <map>
#include <string>

namespace qnn {

/** Parallelism of one matrix-vector-threshold unit (FPGA_NOTES.md): PE rows
 *  and SIMD columns processed per cycle. */
struct LayerFold {
    int pe = 1;
    int simd = 1;
    bool operator==(const LayerFold& o) const { return pe == o.pe && simd == o.simd; }
    bool operator!=(const LayerFold& o) const { return !(*this == o); }
};

/** PE and SIMD of every Dense/Conv2D node, keyed by node name (the key FINN's
 *  folding_config.json uses too). `source` says where it came from
 *  ("bnn-pynq lfcW1A1", "file folding.json", "fps 10000", "max", "project"). */
struct Folding {
    std::map<std::string, LayerFold> layers;
    std::string source;

    bool operator==(const Folding& o) const { return layers == o.layers; }
};

} // namespace qnn
