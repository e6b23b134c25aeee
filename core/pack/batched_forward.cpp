#include "core/pack/batched_forward.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>

namespace qnn::pack {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Fewest bits that hold 0..range.
int bitsFor(int64_t range)
{
    int c = 1;
    while ((int64_t(1) << c) <= range)
        ++c;
    return c;
}

/** Activations between layers: per plane, per vector (image × pixel), the
 *  channels as bits (channel c = bit c % 64 of word c / 64). */
struct Act {
    int planes = 1;
    int64_t offset = -1, step = 2;
    int64_t channels = 0, pixels = 1, wordsPerVec = 0;
    size_t images = 0;
    std::vector<uint64_t> bits;

    size_t planeStride() const { return images * size_t(pixels * wordsPerVec); }
    uint64_t* vec(int plane, size_t image, int64_t px)
    {
        return bits.data() + size_t(plane) * planeStride() + (image * size_t(pixels) + size_t(px)) * size_t(wordsPerVec);
    }
    void reset(int p, int64_t off, int64_t st, int64_t ch, int64_t px, size_t n)
    {
        planes = p, offset = off, step = st, channels = ch, pixels = px, images = n;
        wordsPerVec = ceilDiv(ch, 64);
        bits.assign(size_t(p) * planeStride(), 0);
    }
};

// ORs n bits of src (bits past n are zero) into dst at bit position `at`; dst has `dstWords` words.
inline __attribute__((always_inline)) void orBits(uint64_t* dst, int64_t dstWords, int64_t at, const uint64_t* src, int64_t n)
{
    const int64_t w0 = at / 64, s = at % 64, srcWords = ceilDiv(n, 64);
    if (s == 0) {
        for (int64_t j = 0; j < srcWords; ++j)
            dst[w0 + j] |= src[j];
        return;
    }
    if (n <= 64 - s) { // a few channels (a first layer's RGB): one shift
        dst[w0] |= src[0] << s;
        return;
    }
    for (int64_t j = 0; j < srcWords; ++j) {
        dst[w0 + j] |= src[j] << s;
        if (s && w0 + j + 1 < dstWords)
            dst[w0 + j + 1] |= src[j] >> (64 - s);
    }
}

// Codes (vector-major, `channels` per vector) into the planes of `act`,
// 64 channels to a word, every plane of a word built in registers.
void packCodes(const int8_t* codes, Act& act)
{
    uint8_t uOf[256];
    for (int c = -128; c < 128; ++c)
        uOf[uint8_t(c)] = uint8_t((c - act.offset) / act.step);
    const size_t vecs = act.images * size_t(act.pixels);
    const int64_t C = act.channels;
    for (size_t v = 0; v < vecs; ++v) {
        const int8_t* in = codes + v * size_t(C);
        for (int64_t w = 0; w < act.wordsPerVec; ++w) {
            uint64_t planes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            const int64_t end = std::min<int64_t>(64, C - w * 64);
            for (int64_t c = 0; c < end; ++c) {
                const uint64_t u = uOf[uint8_t(in[w * 64 + c])];
                for (int b = 0; b < act.planes; ++b)
                    planes[b] |= ((u >> b) & 1) << c;
            }
            for (int b = 0; b < act.planes; ++b)
                act.bits[size_t(b) * act.planeStride() + v * size_t(act.wordsPerVec) + size_t(w)] = planes[b];
        }
    }
}

// Adds this thread's CPU time in its scope to *sum (nothing when sum is null):
// the per-layer profile. CPU time, not wall time, so that other processes on a
// shared machine do not land in whichever layer they interrupt.
class Lap
{
public:
    explicit Lap(double* sum) : m_sum(sum), m_start(m_sum ? now() : 0) {}
    ~Lap()
    {
        if (m_sum)
            *m_sum += now() - m_start;
    }
    Lap(const Lap&) = delete;
    Lap& operator=(const Lap&) = delete;

private:
    static double now()
    {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
    }
    double* m_sum;
    double m_start;
};

// Each vector's window (a dense layer's whole input) as int16 codes, `len`
// per vector, the padded columns (code 0) left out: the direct layer's input.
// Vectors vecs..vecsPad are left as they are (their sums are never read).
void gatherCodes(const int8_t* codes, const PackedLayer& l, size_t n, int64_t inputSize, int64_t len, size_t vecsPad,
                 std::vector<int16_t>& x16, std::vector<int16_t>& wide)
{
    const int64_t opix = l.ofmPixels();
    x16.resize(vecsPad * size_t(len));
    wide.resize(size_t(inputSize));
    for (size_t img = 0; img < n; ++img) {
        const int8_t* in = codes + img * size_t(inputSize);
        // Widened once per image; the windows overlap k² times.
        for (int64_t i = 0; i < inputSize; ++i)
            wide[size_t(i)] = in[i];
        for (int64_t px = 0; px < opix; ++px) {
            int16_t* dst = x16.data() + (img * size_t(opix) + size_t(px)) * size_t(len);
            int64_t at = 0;
            if (l.conv) {
                // A window row (k pixels of ifmCh channels) is contiguous in the codes.
                const int64_t oy = px / l.ofmDim, ox = px % l.ofmDim, run = l.k * l.ifmCh;
                for (int ky = 0; ky < l.k; ++ky, at += run) {
                    const int16_t* row = wide.data() + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride) * l.ifmCh;
                    for (int64_t j = 0; j < run; ++j)
                        dst[at + j] = row[j];
                }
            } else {
                for (; at < l.cols; ++at)
                    dst[at] = wide[size_t(at)];
            }
            for (; at < len; ++at) // an odd column count's last pair
                dst[at] = 0;
        }
    }
}

struct Scratch {
    Act a, b;
    std::vector<uint64_t> x;
    std::vector<int16_t> x16, wide;
    std::vector<int32_t> counts;
    std::vector<int8_t> codes, pooled;
};

} // namespace

bool BatchedForward::prepareDirect(const PackedLayer& l, int inputBits, bool last, Layer& L)
{
    int64_t maxW = 0;
    for (int64_t r = 0; r < L.rowsOut; ++r)
        for (int64_t c = 0; c < l.cols; ++c)
            maxW = std::max<int64_t>(maxW, std::abs(int64_t(l.weights[size_t(r * l.mw + c)])));
    // Codes are int8, so |x| ≤ 128 whatever the encoding says (a caller of
    // classifyCodes may hand any); the padded columns take code 0 and are left out.
    const int64_t maxX = 128;
    if (inputBits > 8 || maxW * maxX * l.cols > std::numeric_limits<int32_t>::max())
        return false;
    const int64_t groups16 = ceilDiv(L.rowsOut, 16);
    L.groups = groups16 * 2; // the counts' rows stay groups·8 wide, as on the other paths
    L.pairs = ceilDiv(l.cols, 2);
    L.w16.assign(size_t(groups16 * L.pairs * 32), 0);
    for (int64_t r = 0; r < L.rowsOut; ++r)
        for (int64_t c = 0; c < l.cols; ++c)
            L.w16[size_t(((r / 16) * L.pairs + c / 2) * 32 + (r % 16) * 2 + c % 2)] = l.weights[size_t(r * l.mw + c)];
    L.bitsOut = !last && l.thresholdsPerRow == 1 && l.bipolarOutput;
    if (L.bitsOut) {
        // |sum| < 2^31 (above), so clamping a threshold to 32 bits keeps every comparison.
        L.t32.assign(size_t(groups16 * 16), std::numeric_limits<int32_t>::max());
        for (int64_t r = 0; r < L.rowsOut; ++r)
            L.t32[size_t(r)] = int32_t(std::clamp<int64_t>(l.thresholds[size_t(r)], std::numeric_limits<int32_t>::min(),
                                                           std::numeric_limits<int32_t>::max()));
    }
    return true;
}

bool BatchedForward::prepare(const PackedNet& net, std::string& why)
{
    m_layers.clear();
    m_channels = net.channels, m_height = net.height, m_width = net.width;
    m_channelsLast = !net.layers.empty() && net.layers.front().conv;
    m_inputSize = int64_t(net.channels) * net.height * net.width;
    m_classes = net.classCount();
    const InputEncoding& e = net.input;
    if (e.bits <= 1) {
        m_input = Planes{};
    } else {
        const int64_t hi = (int64_t(1) << (e.bits - 1)) - 1, lo = e.lowestCode();
        m_input = Planes{bitsFor(hi - lo), lo, 1};
    }
    Planes in = m_input;
    int64_t maxPixels = 1;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        const bool last = i + 1 == net.layers.size();
        Layer L;
        L.geometry = l;
        L.geometry.weights.clear();
        L.rowsOut = last ? l.rows : l.mh;
        L.groups = ceilDiv(L.rowsOut, 8);
        L.words = ceilDiv(l.mw, 64);
        L.in = in;
        maxPixels = std::max(maxPixels, l.ofmPixels());

        L.direct = i == 0 && in.count > 1 && l.inputBits != 1 && !l.popcount && prepareDirect(l, e.bits, last, L);
        if (!L.direct) {
            int8_t lo = 127, hi = -128;
            bool bipolarWeights = true;
            for (int64_t r = 0; r < L.rowsOut; ++r)
                for (int64_t c = 0; c < l.mw; ++c) {
                    const int8_t w = l.weights[size_t(r * l.mw + c)];
                    lo = std::min(lo, w), hi = std::max(hi, w);
                    bipolarWeights = bipolarWeights && (w == 1 || w == -1);
                }
            L.weight = bipolarWeights ? Planes{} : Planes{bitsFor(int64_t(hi) - lo), lo, 1};
            if (L.weight.count * L.in.count > 64) {
                why = l.name + " has " + std::to_string(L.weight.count) + "×" + std::to_string(L.in.count) + " bit-planes";
                return false;
            }
            // The padded columns hold the input code padInput: it must be a u of the input planes.
            const int64_t pad = l.inputBits == 1 ? -1 : 0, padOffset = pad - in.offset;
            if (padOffset < 0 || padOffset % in.step != 0 || padOffset / in.step >= (int64_t(1) << in.count)) {
                why = l.name + " pads with " + std::to_string(pad) + ", which its input codes cannot hold";
                return false;
            }
            const uint64_t padU = uint64_t(padOffset / in.step);
            L.xnor = in.bipolar() && L.weight.bipolar();
            if (l.popcount && !L.xnor) {
                why = l.name + " counts XNOR matches on multi-bit values";
                return false;
            }
            L.bitsOut = L.xnor && !last && l.thresholdsPerRow == 1 && l.bipolarOutput;
            // The AND path needs Σu of each input vector: one more row of ones
            // (weight plane 0 only) has the kernel count it with the rest.
            if (!L.xnor)
                L.groups = ceilDiv(L.rowsOut + 1, 8);

            // Weight planes, interleaved; XNOR keeps the bits past mw at 1 (the
            // input's are 0, so they never match), AND at 0.
            L.w.assign(size_t(L.weight.count), std::vector<uint64_t>(size_t(L.groups * L.words * 8), L.xnor ? ~uint64_t(0) : 0));
            L.rowU.assign(size_t(L.groups * 8), 0);
            for (int64_t r = 0; r < L.rowsOut; ++r)
                for (int64_t c = 0; c < l.mw; ++c) {
                    const uint64_t u = uint64_t((l.weights[size_t(r * l.mw + c)] - L.weight.offset) / L.weight.step);
                    L.rowU[size_t(r)] += int64_t(u);
                    const size_t at = size_t(((r / 8) * L.words + c / 64) * 8 + r % 8);
                    for (int a = 0; a < L.weight.count; ++a) {
                        const uint64_t bit = uint64_t(1) << (c % 64);
                        if ((u >> a) & 1)
                            L.w[size_t(a)][at] |= bit;
                        else
                            L.w[size_t(a)][at] &= ~bit;
                    }
                }
            if (!L.xnor)
                for (int64_t c = 0; c < l.mw; ++c)
                    L.w[0][size_t(((L.rowsOut / 8) * L.words + c / 64) * 8 + L.rowsOut % 8)] |= uint64_t(1) << (c % 64);
            // Empty for a plane whose padded columns are all 0 (most): nothing to OR in.
            L.padBits.assign(size_t(in.count), {});
            for (int b = 0; b < in.count; ++b)
                if (((padU >> b) & 1) && l.mw > l.cols) {
                    L.padBits[size_t(b)].assign(size_t(L.words), 0);
                    for (int64_t c = l.cols; c < l.mw; ++c)
                        L.padBits[size_t(b)][size_t(c / 64)] |= uint64_t(1) << (c % 64);
                }
            if (L.bitsOut) {
                L.popThreshold.assign(size_t(L.groups * 8), std::numeric_limits<int64_t>::max());
                for (int64_t r = 0; r < L.rowsOut; ++r) {
                    const int64_t t = l.thresholds[size_t(r)];
                    L.popThreshold[size_t(r)] = l.popcount ? t : floorDiv(t + l.mw, 2);
                }
            }
        }
        if (!last && l.thresholdsPerRow > 0) {
            // t < acc ⟺ X > cmp: XNOR acc = m or 2m − mw; AND acc = K + A·Σu_x + B·Σu_w + C·P.
            const int64_t K = l.mw * L.weight.offset * in.offset, B = in.offset * L.weight.step;
            L.cmp.resize(size_t(L.rowsOut * l.thresholdsPerRow));
            for (int64_t r = 0; r < L.rowsOut; ++r)
                for (int i = 0; i < l.thresholdsPerRow; ++i) {
                    const int64_t t = l.thresholds[size_t(r * l.thresholdsPerRow + i)];
                    L.cmp[size_t(i * L.rowsOut + r)] =
                        L.direct ? t
                        : L.xnor ? (l.popcount ? t : floorDiv(t + l.mw, 2))
                                 : t - K - B * L.rowU[size_t(r)];
                }
        }
        if (!last) {
            if (l.thresholdsPerRow == 0) {
                why = l.name + " passes its accumulator on, which only the last layer may do";
                return false;
            }
            L.out = l.bipolarOutput ? Planes{} : Planes{bitsFor(l.thresholdsPerRow), l.outputBase, 1};
        }
        in = L.out;
        m_layers.push_back(std::move(L));
    }
    m_batchImages = size_t(std::clamp<int64_t>(2048 / maxPixels, 1, 64));
    return true;
}

void BatchedForward::run(const int8_t* codes, size_t n, const EngineKernel& kernel, int* predictions,
                         std::vector<double>* scores, double* layerSeconds) const
{
    thread_local Scratch s;
    Act* cur = &s.a;
    Act* next = &s.b;
    const int64_t inChannels = m_channelsLast ? m_channels : m_inputSize;
    const int64_t inPixels = m_channelsLast ? int64_t(m_height) * m_width : 1;
    {
        Lap lap(layerSeconds);
        // A direct first layer reads the codes themselves.
        if (m_layers.empty() || !m_layers.front().direct) {
            cur->reset(m_input.count, m_input.offset, m_input.step, inChannels, inPixels, n);
            packCodes(codes, *cur);
        }
    }
    if (scores)
        scores->assign(n * size_t(m_classes), 0.0);

    for (size_t li = 0; li < m_layers.size(); ++li) {
        Lap lap(layerSeconds ? layerSeconds + 1 + li : nullptr);
        const Layer& L = m_layers[li];
        const PackedLayer& l = L.geometry;
        const bool last = li + 1 == m_layers.size();
        const int64_t opix = l.ofmPixels();
        const size_t vecs = n * size_t(opix), vecsPad = size_t(ceilDiv(int64_t(vecs), 8) * 8);
        const size_t planeWords = vecsPad * size_t(L.words);

        if (!L.direct) {
            // Gather each output pixel's window (or a dense layer's whole input) as bits.
            // Windows of whole 64-channel words fill every word of x: no zeroing first.
            const bool wholeWords = l.conv && l.ifmCh % 64 == 0 && cur->wordsPerVec == l.ifmCh / 64 &&
                                    L.words == l.k * l.k * (l.ifmCh / 64);
            if (wholeWords)
                s.x.resize(size_t(L.in.count) * planeWords);
            else
                s.x.assign(size_t(L.in.count) * planeWords, 0);
            for (int b = 0; b < L.in.count; ++b)
                for (size_t img = 0; img < n; ++img)
                    for (int64_t px = 0; px < opix; ++px) {
                        uint64_t* dst = s.x.data() + size_t(b) * planeWords + (img * size_t(opix) + size_t(px)) * size_t(L.words);
                        if (l.conv) {
                            const int64_t oy = px / l.ofmDim, ox = px % l.ofmDim;
                            const uint64_t* src = cur->vec(b, img, 0);
                            const int64_t spw = cur->wordsPerVec;
                            if (wholeWords) {
                                // A window row's k taps are contiguous words: one copy per row.
                                const int64_t run = l.k * spw;
                                for (int ky = 0; ky < l.k; ++ky) {
                                    const uint64_t* row = src + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride) * spw;
                                    for (int64_t j = 0; j < run; ++j) // a few words: a loop beats memmove's call
                                        dst[ky * run + j] = row[j];
                                }
                            } else if (l.ifmCh % 64 == 0) {
                                // Whole words per tap: a copy.
                                const int64_t wpc = l.ifmCh / 64;
                                for (int ky = 0; ky < l.k; ++ky) {
                                    const uint64_t* row = src + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride) * spw;
                                    for (int kx = 0; kx < l.k; ++kx)
                                        for (int64_t w = 0; w < wpc; ++w)
                                            dst[(ky * l.k + kx) * wpc + w] = row[kx * spw + w];
                                }
                            } else if (l.k * l.k * l.ifmCh <= 64) {
                                // The whole window in one word (a first layer's RGB taps).
                                uint64_t word = 0;
                                for (int ky = 0; ky < l.k; ++ky) {
                                    const uint64_t* row = src + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride) * spw;
                                    for (int kx = 0; kx < l.k; ++kx)
                                        word |= row[kx * spw] << ((ky * l.k + kx) * l.ifmCh);
                                }
                                dst[0] |= word;
                            } else {
                                for (int ky = 0; ky < l.k; ++ky)
                                    for (int kx = 0; kx < l.k; ++kx)
                                        orBits(dst, L.words, (ky * l.k + kx) * l.ifmCh,
                                               src + ((oy * l.stride + ky) * l.ifmDim + ox * l.stride + kx) * spw, l.ifmCh);
                            }
                        } else {
                            for (int64_t p = 0; p < cur->pixels; ++p)
                                orBits(dst, L.words, p * cur->channels, cur->vec(b, img, p), cur->channels);
                        }
                        const std::vector<uint64_t>& pad = L.padBits[size_t(b)];
                        if (!pad.empty())
                            for (int64_t k = 0; k < L.words; ++k)
                                dst[k] |= pad[size_t(k)];
                    }

        }

        if (L.bitsOut) {
            // Thresholds to bits inside the kernel: the next layer's input directly.
            const int64_t outWords = ceilDiv(L.rowsOut, 64);
            Act& o = *next;
            o.reset(1, -1, 2, L.rowsOut, opix, n);
            o.bits.resize(std::max(o.bits.size(), vecsPad * size_t(outWords)), 0);
            if (L.direct) {
                const int64_t rowsPad = L.groups * 8;
                s.counts.resize(vecsPad * size_t(rowsPad));
                gatherCodes(codes, l, n, m_inputSize, L.pairs * 2, vecsPad, s.x16, s.wide);
                kernel.dot16(L.w16.data(), L.groups / 2, L.pairs, s.x16.data(), int64_t(vecsPad), s.counts.data());
                kernel.sumsToBits(s.counts.data(), rowsPad, int64_t(vecsPad), L.t32.data(), o.bits.data(), outWords);
            } else {
                kernel.xnorThreshold(L.w[0].data(), L.groups, L.words, s.x.data(), int64_t(vecsPad),
                                     L.popThreshold.data(), o.bits.data(), outWords);
            }
            o.bits.resize(o.planeStride());
            if (l.poolAfter) {
                // Max of bipolar codes is an OR of their bits.
                const int64_t od = l.outputDim();
                Act& p = *cur;
                p.reset(1, -1, 2, L.rowsOut, od * od, n);
                for (size_t img = 0; img < n; ++img)
                    for (int64_t y = 0; y < od; ++y)
                        for (int64_t x = 0; x < od; ++x) {
                            uint64_t* dst = p.vec(0, img, y * od + x);
                            for (int ky = 0; ky < l.poolK; ++ky)
                                for (int kx = 0; kx < l.poolK; ++kx) {
                                    const uint64_t* src = o.vec(0, img, (y * l.poolStride + ky) * l.ofmDim + x * l.poolStride + kx);
                                    for (int64_t k = 0; k < outWords; ++k)
                                        dst[k] |= src[k];
                                }
                        }
            } else {
                std::swap(cur, next);
            }
            continue;
        }

        // Counts: XNOR matches, or the AND-popcounts of every pair of planes
        // weighted 2^(a+b) by the kernel (plus Σu of each vector in row rowsOut).
        const int64_t rowsPad = L.groups * 8;
        s.counts.resize(vecsPad * size_t(rowsPad));
        if (L.direct) {
            gatherCodes(codes, l, n, m_inputSize, L.pairs * 2, vecsPad, s.x16, s.wide);
            kernel.dot16(L.w16.data(), L.groups / 2, L.pairs, s.x16.data(), int64_t(vecsPad), s.counts.data());
        } else if (L.xnor) {
            kernel.counts(L.w[0].data(), L.groups, L.words, s.x.data(), int64_t(vecsPad), true, 0, false,
                          s.counts.data());
        } else {
            for (int a = 0; a < L.weight.count; ++a)
                for (int b = 0; b < L.in.count; ++b)
                    kernel.counts(L.w[size_t(a)].data(), L.groups, L.words, s.x.data() + size_t(b) * planeWords,
                                  int64_t(vecsPad), false, a + b, a + b > 0, s.counts.data());
            // Row rowsOut is ones in weight plane 0 and zeros in the others, so
            // it sums to Σ_b 2^b popcount(x_b) = Σu of the vector.
        }
        // Σ w·x = N·wo·xo + wo·xs·Σu_x + xo·ws·Σu_w + ws·xs·Σ u_w·u_x over all mw columns.
        const int64_t wo = L.weight.offset, ws = L.weight.step, xo = L.in.offset, xs = L.in.step;
        auto accumulator = [&](size_t v, int64_t r) -> int64_t {
            const int32_t* c = s.counts.data() + v * size_t(rowsPad);
            if (L.direct)
                return int64_t(c[r]);
            if (L.xnor)
                return l.popcount ? c[r] : 2 * int64_t(c[r]) - l.mw;
            return l.mw * wo * xo + wo * xs * c[L.rowsOut] + xo * ws * L.rowU[size_t(r)] + ws * xs * int64_t(c[r]);
        };

        if (last) {
            for (size_t img = 0; img < n; ++img) {
                int best = 0;
                double bestScore = 0;
                for (int64_t r = 0; r < L.rowsOut; ++r) {
                    const double v = double(accumulator(img, r));
                    const double score = !l.scoreScale.empty()     ? l.scoreScale[size_t(r)] * v + l.scoreBias[size_t(r)]
                                         : l.thresholdsPerRow > 0 ? v - double(l.thresholds[size_t(r * l.thresholdsPerRow)])
                                                                  : v;
                    if (r == 0 || score > bestScore)
                        bestScore = score, best = int(r);
                    if (scores)
                        (*scores)[img * size_t(m_classes) + size_t(r)] = score;
                }
                predictions[img] = best;
            }
            return;
        }

        // Thresholds as finn-hlslib applies them: code = base + (thresholds below the accumulator).
        auto thresholdCount = [&](int64_t acc, int64_t r) {
            const int64_t* t = l.thresholds.data() + r * l.thresholdsPerRow;
            int count = 0;
            for (int i = 0; i < l.thresholdsPerRow; ++i)
                count += t[i] < acc;
            return count;
        };
        if (!l.poolAfter) {
            // Straight to the next layer's planes: u = count (bipolar: fired or not).
            Act& o = *next;
            o.reset(L.out.count, L.out.offset, L.out.step, L.rowsOut, opix, n);
            // Direct and XNOR: the count is what the thresholds compare (cmp).
            const bool plain = L.xnor || L.direct;
            const int64_t C = plain ? 1 : ws * xs;
            for (size_t v = 0; v < vecs; ++v) {
                const int32_t* P = s.counts.data() + v * size_t(rowsPad);
                const int64_t Sv = plain ? 0 : wo * xs * int64_t(P[L.rowsOut]);
                kernel.thresholdPlanes(P, L.rowsOut, C, Sv, L.cmp.data(), l.thresholdsPerRow, l.bipolarOutput, o.planes,
                                       o.bits.data() + v * size_t(o.wordsPerVec), o.planeStride());
            }
            std::swap(cur, next);
            continue;
        }
        // Max pool on the codes, then the planes.
        s.codes.resize(vecs * size_t(L.rowsOut));
        for (size_t v = 0; v < vecs; ++v)
            for (int64_t r = 0; r < L.rowsOut; ++r) {
                const int count = thresholdCount(accumulator(v, r), r);
                s.codes[v * size_t(L.rowsOut) + size_t(r)] =
                    l.bipolarOutput ? int8_t(count ? 1 : -1) : int8_t(l.outputBase + count);
            }
        const int64_t od = l.outputDim(), ch = L.rowsOut;
        s.pooled.assign(n * size_t(od * od * ch), std::numeric_limits<int8_t>::min());
        for (size_t img = 0; img < n; ++img)
            for (int64_t y = 0; y < od; ++y)
                for (int64_t x = 0; x < od; ++x)
                    for (int ky = 0; ky < l.poolK; ++ky)
                        for (int kx = 0; kx < l.poolK; ++kx) {
                            const int8_t* src = s.codes.data() +
                                                (img * size_t(opix) + size_t((y * l.poolStride + ky) * l.ofmDim + x * l.poolStride + kx)) * size_t(ch);
                            int8_t* dst = s.pooled.data() + (img * size_t(od * od) + size_t(y * od + x)) * size_t(ch);
                            for (int64_t c = 0; c < ch; ++c)
                                dst[c] = std::max(dst[c], src[c]);
                        }
        next->reset(L.out.count, L.out.offset, L.out.step, L.rowsOut, od * od, n);
        packCodes(s.pooled.data(), *next);
        std::swap(cur, next);
    }
}

} // namespace qnn::pack
