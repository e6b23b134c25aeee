#pragma once

// What the reader tests and the fuzzers share: a small valid packed network.
#include "core/pack/packed_net.h"
#include "core/util/sha256.h"

#include <nlohmann/json.hpp>

// A one-layer binary classifier of 64 inputs: small, valid, and enough for
// every check of the manifest reader and the engine.
inline qnn::pack::PackedNet tinyNet()
{
    qnn::pack::PackedNet net;
    net.network = "tiny";
    net.channels = 1;
    net.height = 1;
    net.width = 64;
    qnn::pack::PackedLayer l;
    l.name = "fc0";
    l.mh = 16;
    l.mw = 64;
    l.rows = 10;
    l.cols = 64;
    l.pe = 2;
    l.simd = 8;
    l.thresholdsPerRow = 1;
    l.popcount = true;
    for (int64_t i = 0; i < l.mh * l.mw; ++i)
        l.weights.push_back((i * 7 % 5) < 2 ? -1 : 1);
    for (int64_t r = 0; r < l.mh; ++r)
        l.thresholds.push_back(30 + r);
    l.scoreScale.assign(size_t(l.rows), 1.0);
    l.scoreBias.assign(size_t(l.rows), 0.0);
    net.layers.push_back(l);
    for (int c = 0; c < 10; ++c)
        net.classes.push_back(std::to_string(c));
    return net;
}

// Recomputes the manifest's own checksum after an edit, so that a test reaches the check it means.
inline void reseal(nlohmann::json& m)
{
    m.erase("manifest_sha256");
    m["manifest_sha256"] = qnn::sha256Hex(m.dump());
}

