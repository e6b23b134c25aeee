#include "core/pack/integer_engine.h"

#include "core/pack/packed_folder.h"
#include "core/pack/popcount.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

namespace qnn::pack {

std::string popcountKernelName() { return xnorPopcountKernel().name; }
std::string engineKernelName() { return engineKernel().name; }

namespace {

int64_t wordsFor(int64_t bits) { return (bits + 63) / 64; }

} // namespace

bool IntegerEngine::load(const PackedNet& net, std::string& error)
{
    m_net = net;
    m_prepared.clear();
    if (net.layers.empty()) {
        error = "the packed network has no layers";
        return false;
    }
    const PackedLayer& first = net.layers.front();
    m_channelsLast = first.conv;
    m_inputSize = int64_t(net.channels) * net.height * net.width;
    if (first.conv ? (first.ifmCh != net.channels || first.ifmDim != net.height || first.ifmDim != net.width)
                   : first.cols != m_inputSize) {
        error = "the first layer (" + first.name + ") takes " + std::to_string(first.inputSize()) +
                " values, but the input is " + std::to_string(net.channels) + "×" + std::to_string(net.height) + "×" +
                std::to_string(net.width);
        return false;
    }
    int64_t flowing = m_inputSize;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        const bool last = i + 1 == net.layers.size();
        // Validation only: a net built in memory (an import, a test) passes the same checks as a manifest.
        if (!validatePackedLayer(l, error))
            return false;
        if (l.weights.size() != size_t(l.mh * l.mw) || l.thresholds.size() != size_t(l.mh * l.thresholdsPerRow)) {
            error = l.name + " has " + std::to_string(l.weights.size()) + " weights and " +
                    std::to_string(l.thresholds.size()) + " thresholds for a " + std::to_string(l.mh) + "×" +
                    std::to_string(l.mw) + " matrix";
            return false;
        }
        const int64_t takes = l.conv ? l.ifmDim * l.ifmDim * l.ifmCh : l.cols;
        if (takes != flowing || (l.conv && l.cols != l.k * l.k * l.ifmCh)) {
            error = l.name + " takes " + std::to_string(takes) + " values, but the layer before gives " +
                    std::to_string(flowing);
            return false;
        }
        if (!last && l.rows != l.mh) {
            error = l.name + " pads its rows, which only the last layer may do";
            return false;
        }
        flowing = l.outputSize(last);
        Prepared p;
        if (l.weightBits == 1 && l.inputBits == 1) {
            p.wordsPerRow = wordsFor(l.mw);
            p.bits.assign(size_t(p.wordsPerRow * l.mh), ~uint64_t(0));
            for (int64_t r = 0; r < l.mh; ++r)
                for (int64_t c = 0; c < l.mw; ++c)
                    if (l.weights[r * l.mw + c] < 0)
                        p.bits[r * p.wordsPerRow + c / 64] &= ~(uint64_t(1) << (c % 64));
        }
        m_prepared.push_back(std::move(p));
    }
    m_binaryChain = true;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        const bool last = i + 1 == net.layers.size();
        m_binaryChain = m_binaryChain && !l.conv && !l.poolAfter && !m_prepared[i].bits.empty() &&
                        (last || (l.bipolarOutput && l.thresholdsPerRow == 1));
    }
    m_whyNotBatched.clear();
    m_batched = m_forward.prepare(m_net, m_whyNotBatched);
    return true;
}

void IntegerEngine::classifyBatched(const int8_t* codes, size_t n, const EngineKernel& kernel, int* predictions,
                                    std::vector<double>* scores, double* layerSeconds) const
{
    m_forward.run(codes, n, kernel, predictions, scores, layerSeconds);
}

int IntegerEngine::classifyBinaryChain(const int8_t* codes) const
{
    thread_local std::vector<uint64_t> a, b;
    thread_local std::vector<int64_t> pops;
    const XnorPopcountKernel& kernel = xnorPopcountKernel();
    const PackedLayer& first = m_net.layers.front();
    a.assign(size_t(m_prepared.front().wordsPerRow), 0);
    for (int64_t c = 0; c < first.cols; ++c)
        if (codes[c] > 0)
            a[size_t(c / 64)] |= uint64_t(1) << (c % 64);
    const size_t n = m_net.layers.size();
    for (size_t i = 0; i < n; ++i) {
        const PackedLayer& l = m_net.layers[i];
        const Prepared& p = m_prepared[i];
        const int64_t rows = i + 1 == n ? l.rows : l.mh;
        pops.resize(size_t(rows));
        kernel.rows(p.bits.data(), rows, p.wordsPerRow, a.data(), pops.data());
        if (i + 1 == n)
            break;
        b.assign(size_t(wordsFor(rows)), 0);
        const int64_t* t = l.thresholds.data();
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t acc = l.popcount ? pops[r] : 2 * pops[r] - l.mw;
            b[size_t(r / 64)] |= uint64_t(t[r] < acc) << (r % 64);
        }
        std::swap(a, b);
    }
    const PackedLayer& l = m_net.layers.back();
    int best = 0;
    double bestScore = -1e300;
    for (int64_t r = 0; r < l.rows; ++r) {
        const double acc = double(l.popcount ? pops[r] : 2 * pops[r] - l.mw);
        const double score = !l.scoreScale.empty()   ? l.scoreScale[r] * acc + l.scoreBias[r]
                             : l.thresholdsPerRow > 0 ? acc - double(l.thresholds[r * l.thresholdsPerRow])
                                                      : acc;
        if (score > bestScore)
            bestScore = score, best = int(r);
    }
    return best;
}

bool IntegerEngine::accepts(const ImageSet& images, std::string& error) const
{
    // A Dense first layer takes the flattened image: only the size must agree.
    const bool same = m_channelsLast ? (images.channels == m_net.channels && images.height == m_net.height &&
                                        images.width == m_net.width)
                                     : int64_t(images.imageBytes()) == m_inputSize;
    if (!same) {
        error = "the images are " + std::to_string(images.channels) + "×" + std::to_string(images.height) + "×" +
                std::to_string(images.width) + ", but " + m_net.network + " takes " + std::to_string(m_net.channels) +
                "×" + std::to_string(m_net.height) + "×" + std::to_string(m_net.width);
        return false;
    }
    return true;
}

void IntegerEngine::encode(const uint8_t* pixels, int8_t* codes) const
{
    const int c = m_net.channels, hw = m_net.height * m_net.width;
    const InputEncoding& e = m_net.input;
    const int64_t hi = (int64_t(1) << (std::max(1, e.bits) - 1)) - 1;
    const int64_t lo = e.lowestCode();
    for (int ch = 0; ch < c; ++ch)
        for (int p = 0; p < hw; ++p) {
            const uint8_t byte = pixels[ch * hw + p];
            int64_t code;
            if (e.bits == 1) {
                code = byte >= 128 ? 1 : -1; // byte/127.5 - 1 >= 0
            } else {
                const double v = (byte / 127.5 - 1.0) / e.scale;
                double q = e.rounding == "floor" ? std::floor(v + 1e-9) : std::nearbyint(v); // nearbyint: ties to even
                code = std::clamp<int64_t>(int64_t(q), lo, hi);
            }
            codes[m_channelsLast ? p * c + ch : ch * hw + p] = static_cast<int8_t>(code);
        }
}

void IntegerEngine::runLayer(size_t index, const std::vector<int8_t>& in, std::vector<int8_t>& out,
                             EngineTrace* trace, bool keepAcc, std::vector<int64_t>* lastAcc) const
{
    const PackedLayer& l = m_net.layers[index];
    const Prepared& p = m_prepared[index];
    const bool last = index + 1 == m_net.layers.size();
    const int64_t rowsOut = last ? l.rows : l.mh;
    const int64_t pixels = l.ofmPixels();
    const bool binary = !p.bits.empty();
    const int8_t padInput = l.inputBits == 1 ? -1 : 0;
    const XnorPopcountKernel& kernel = xnorPopcountKernel();

    std::vector<int8_t> col(size_t(l.mw), padInput);
    std::vector<uint64_t> colBits(size_t(p.wordsPerRow), 0);
    std::vector<int8_t> pre(size_t(pixels * rowsOut));
    std::vector<int64_t> accs(size_t(pixels * rowsOut));
    for (int64_t px = 0; px < pixels; ++px) {
        // im2col of one output pixel: column (ky*K + kx)*C + c.
        if (l.conv) {
            const int64_t oy = px / l.ofmDim, ox = px % l.ofmDim;
            for (int ky = 0; ky < l.k; ++ky)
                for (int kx = 0; kx < l.k; ++kx) {
                    const int8_t* src = in.data() + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride + kx) * l.ifmCh;
                    std::copy(src, src + l.ifmCh, col.begin() + (ky * l.k + kx) * l.ifmCh);
                }
        } else {
            std::copy(in.begin(), in.begin() + l.cols, col.begin());
        }
        if (binary) {
            std::fill(colBits.begin(), colBits.end(), 0);
            for (int64_t c = 0; c < l.cols; ++c)
                if (col[c] > 0)
                    colBits[c / 64] |= uint64_t(1) << (c % 64);
        }
        for (int64_t r = 0; r < rowsOut; ++r) {
            int64_t acc;
            if (binary) {
                const int64_t pop = kernel.fn(p.bits.data() + r * p.wordsPerRow, colBits.data(), p.wordsPerRow);
                acc = l.popcount ? pop : 2 * pop - l.mw;
            } else {
                const int8_t* w = l.weights.data() + r * l.mw;
                int32_t sum = 0;
                for (int64_t c = 0; c < l.mw; ++c)
                    sum += int32_t(w[c]) * int32_t(col[c]);
                acc = sum;
            }
            accs[px * rowsOut + r] = acc;
            int8_t code;
            if (l.thresholdsPerRow == 0) {
                code = 0;
            } else {
                const int64_t* t = l.thresholds.data() + r * l.thresholdsPerRow;
                int count = 0;
                for (int i = 0; i < l.thresholdsPerRow; ++i)
                    count += t[i] < acc;
                code = l.bipolarOutput ? (count ? 1 : -1) : static_cast<int8_t>(l.outputBase + count);
            }
            pre[px * rowsOut + r] = code;
        }
    }
    if (trace) {
        trace->outputs[index].assign(pre.begin(), pre.end());
        if (keepAcc)
            trace->accumulators[index] = accs;
    }
    if (last && lastAcc)
        *lastAcc = std::move(accs);
    if (!l.poolAfter) {
        out = std::move(pre);
        return;
    }
    const int64_t od = l.outputDim(), ch = rowsOut;
    out.assign(size_t(od * od * ch), std::numeric_limits<int8_t>::min());
    for (int64_t y = 0; y < od; ++y)
        for (int64_t x = 0; x < od; ++x)
            for (int ky = 0; ky < l.poolK; ++ky)
                for (int kx = 0; kx < l.poolK; ++kx) {
                    const int8_t* src = pre.data() + ((y * l.poolStride + ky) * l.ofmDim + x * l.poolStride + kx) * ch;
                    int8_t* dst = out.data() + (y * od + x) * ch;
                    for (int64_t c = 0; c < ch; ++c)
                        dst[c] = std::max(dst[c], src[c]);
                }
}

int IntegerEngine::classify(const int8_t* codes, EngineTrace* trace, bool keepAccumulators) const
{
    if (!trace && m_binaryChain)
        return classifyBinaryChain(codes);
    std::vector<int8_t> a(codes, codes + m_inputSize), b;
    if (trace) {
        trace->outputs.assign(m_net.layers.size(), {});
        trace->accumulators.assign(m_net.layers.size(), {});
    }
    std::vector<int64_t> acc;
    for (size_t i = 0; i < m_net.layers.size(); ++i) {
        runLayer(i, a, b, trace, keepAccumulators, &acc);
        std::swap(a, b);
    }
    const PackedLayer& l = m_net.layers.back();
    // Scores: the trained batch norm of the class outputs when the packer kept
    // it; otherwise the margin over the (first) threshold, or the accumulator.
    std::vector<double> scores(size_t(l.rows));
    for (int64_t r = 0; r < l.rows; ++r) {
        const double v = double(acc[size_t(r)]);
        if (!l.scoreScale.empty())
            scores[r] = l.scoreScale[r] * v + l.scoreBias[r];
        else if (l.thresholdsPerRow > 0)
            scores[r] = v - double(l.thresholds[r * l.thresholdsPerRow]);
        else
            scores[r] = v;
    }
    const int best = int(std::max_element(scores.begin(), scores.end()) - scores.begin());
    if (trace)
        trace->scores = std::move(scores);
    return best;
}

std::vector<int> IntegerEngine::classifyCodes(const int8_t* codes, size_t n, int threads,
                                             const EngineKernel* chosen) const
{
    std::vector<int> predictions(n, -1);
    const size_t block = m_batched ? m_forward.batchImages() : 16;
    const size_t blocks = (n + block - 1) / block;
    unsigned t = threads > 0 ? unsigned(threads) : std::max(1u, std::thread::hardware_concurrency());
    t = unsigned(std::max<size_t>(1, std::min<size_t>(t, blocks)));
    const EngineKernel& kernel = chosen ? *chosen : engineKernel();
    // Blocks handed out in order from one counter: threads stay busy to the end.
    std::atomic<size_t> nextBlock{0};
    auto work = [&] {
        for (size_t b = nextBlock++; b < blocks; b = nextBlock++) {
            const size_t start = b * block, count = std::min(block, n - start);
            const int8_t* in = codes + start * size_t(m_inputSize);
            if (m_batched)
                m_forward.run(in, count, kernel, predictions.data() + start);
            else
                for (size_t i = 0; i < count; ++i)
                    predictions[start + i] = classify(in + i * size_t(m_inputSize));
        }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < t; ++w)
        pool.emplace_back(work);
    work();
    for (auto& th : pool)
        th.join();
    return predictions;
}

std::vector<int> IntegerEngine::classifyAll(const ImageSet& images, int threads) const
{
    std::vector<int8_t> codes(images.size() * size_t(m_inputSize));
    for (size_t i = 0; i < images.size(); ++i)
        encode(images.image(i), codes.data() + i * size_t(m_inputSize));
    return classifyCodes(codes.data(), images.size(), threads);
}

} // namespace qnn::pack
