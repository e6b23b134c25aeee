#include "core/pack/layer_files.h"

#include <cstring>

namespace qnn::pack {

namespace {

void putWord(std::string& out, uint64_t w)
{
    for (int b = 0; b < 8; ++b)
        out.push_back(static_cast<char>((w >> (8 * b)) & 0xff));
}

uint64_t getWord(const std::string& in, size_t at)
{
    uint64_t w = 0;
    for (int b = 0; b < 8; ++b)
        w |= uint64_t(static_cast<unsigned char>(in[at + b])) << (8 * b);
    return w;
}

int64_t folds(int64_t n, int by) { return by > 0 ? n / by : 0; }

std::string sizeSentence(const std::string& fileName, size_t got, size_t want, const std::string& what)
{
    return fileName + " has " + std::to_string(got) + " bytes; expected " + std::to_string(want) + " (" + what + ")";
}

} // namespace

std::string weightFileName(int layer, int pe) { return std::to_string(layer) + "-" + std::to_string(pe) + "-weights.bin"; }

std::string thresholdFileName(int layer, int pe) { return std::to_string(layer) + "-" + std::to_string(pe) + "-thres.bin"; }

size_t weightFileSize(const PackedLayer& l) { return size_t(folds(l.mh, l.pe) * folds(l.mw, l.simd)) * 8; }

size_t thresholdFileSize(const PackedLayer& l) { return size_t(folds(l.mh, l.pe) * l.thresholdsPerRow) * 8; }

std::string weightBytes(const PackedLayer& l, int pe)
{
    const int64_t nfCount = folds(l.mh, l.pe), sfCount = folds(l.mw, l.simd);
    const uint64_t mask = l.weightBits >= 64 ? ~uint64_t(0) : (uint64_t(1) << l.weightBits) - 1;
    std::string out;
    out.reserve(weightFileSize(l));
    for (int64_t nf = 0; nf < nfCount; ++nf) {
        const int8_t* row = l.weights.data() + (nf * l.pe + pe) * l.mw;
        for (int64_t sf = 0; sf < sfCount; ++sf) {
            uint64_t word = 0;
            for (int j = 0; j < l.simd; ++j) {
                const int8_t w = row[sf * l.simd + j];
                // Binary: bit 1 for +1; n bits: two's complement.
                const uint64_t code = l.weightBits == 1 ? (w >= 0 ? 1u : 0u) : uint64_t(int64_t(w)) & mask;
                word |= code << (j * l.weightBits);
            }
            putWord(out, word);
        }
    }
    return out;
}

std::string thresholdBytes(const PackedLayer& l, int pe)
{
    std::string out;
    out.reserve(thresholdFileSize(l));
    for (int64_t nf = 0; nf < folds(l.mh, l.pe); ++nf)
        for (int t = 0; t < l.thresholdsPerRow; ++t)
            putWord(out, uint64_t(l.thresholds[(nf * l.pe + pe) * l.thresholdsPerRow + t]));
    return out;
}

bool decodeWeights(const std::string& bytes, int pe, const std::string& fileName, PackedLayer& l, std::string& error)
{
    const size_t want = weightFileSize(l);
    if (bytes.size() != want) {
        error = sizeSentence(fileName, bytes.size(), want,
                             std::to_string(l.mh / l.pe) + " neuron folds × " + std::to_string(l.mw / l.simd) +
                                 " synapse folds of 8 bytes, for " + std::to_string(l.mh) + "×" + std::to_string(l.mw) +
                                 " weights at PE " + std::to_string(l.pe) + ", SIMD " + std::to_string(l.simd));
        return false;
    }
    l.weights.resize(size_t(l.mh * l.mw));
    const int64_t sfCount = l.mw / l.simd;
    const uint64_t mask = (uint64_t(1) << l.weightBits) - 1;
    size_t at = 0;
    for (int64_t nf = 0; nf < l.mh / l.pe; ++nf) {
        int8_t* row = l.weights.data() + (nf * l.pe + pe) * l.mw;
        for (int64_t sf = 0; sf < sfCount; ++sf, at += 8) {
            const uint64_t word = getWord(bytes, at);
            for (int j = 0; j < l.simd; ++j) {
                const uint64_t code = (word >> (j * l.weightBits)) & mask;
                int64_t v;
                if (l.weightBits == 1)
                    v = code ? 1 : -1;
                else
                    v = (code & (uint64_t(1) << (l.weightBits - 1))) ? int64_t(code) - int64_t(mask) - 1 : int64_t(code);
                row[sf * l.simd + j] = static_cast<int8_t>(v);
            }
        }
    }
    return true;
}

bool decodeThresholds(const std::string& bytes, int pe, const std::string& fileName, PackedLayer& l,
                      std::string& error)
{
    const size_t want = thresholdFileSize(l);
    if (bytes.size() != want) {
        error = sizeSentence(fileName, bytes.size(), want,
                             std::to_string(l.mh / l.pe) + " neuron folds × " + std::to_string(l.thresholdsPerRow) +
                                 " thresholds of 8 bytes at PE " + std::to_string(l.pe));
        return false;
    }
    l.thresholds.resize(size_t(l.mh * l.thresholdsPerRow));
    size_t at = 0;
    for (int64_t nf = 0; nf < l.mh / l.pe; ++nf)
        for (int t = 0; t < l.thresholdsPerRow; ++t, at += 8)
            l.thresholds[(nf * l.pe + pe) * l.thresholdsPerRow + t] = int64_t(getWord(bytes, at));
    return true;
}

std::vector<std::string> layerFileNames(int index, const PackedLayer& l)
{
    std::vector<std::string> names;
    for (int pe = 0; pe < l.pe; ++pe)
        names.push_back(weightFileName(index, pe));
    if (l.thresholdsPerRow > 0)
        for (int pe = 0; pe < l.pe; ++pe)
            names.push_back(thresholdFileName(index, pe));
    return names;
}

} // namespace qnn::pack
