// The cost model. Cycles follow the dataflow model exactly (FPGA_NOTES.md).
// Resources are a physical model of each unit (what the LUTs and block RAMs
// are spent on), with a few constants fitted to the post-implementation
// Vivado figures of three BNN-PYNQ overlays on the xc7z020 (lfcW1A1: 28,360
// LUT / 110 BRAM36; cnvW1A1: 26,072 / 124; cnvW2A2: 37,302 / 140, all of
// it). Every term below says why it is there; no term depends on which
// network is estimated. The model differs from FINN's formulas in that:
//  1. Memories are per PE. finn-hlslib partitions weights and thresholds
//     per PE, so each PE has its own memory of WMEM words × SIMD*W bits.
//     A memory goes to distributed RAM (LUTRAM) when it is at most
//     kLutramMaxDepth words deep, else to block RAM in the primitive shape
//     that wastes least (512×36 … 16K×1 per BRAM18).
//  2. The MVAU's LUTs are built from the arithmetic: the width of each
//     product, an adder tree over SIMD products, the accumulator, 2^A − 1
//     threshold comparators per output, the encoder of a multi-bit output
//     and the LUTRAM that holds small memories (see mvtu()).
//  3. A sliding window's K+S line-buffer banks each take a whole BRAM36.
//  4. The infrastructure around the network (DMA, AXI interconnect, PS glue)
//     is one line: kInfraLut, kInfraBram36, kInfraDsp.
//  5. When the block RAM of the device runs out, the memories that free the
//     most BRAM per LUT move to LUTRAM (what a designer does with FINN's
//     ram_style, and what cnvW2A2 shows: all 140 BRAM36 used, 11k more LUTs
//     than cnvW1A1).
// Fitted: kAdderLut, kUnitLut (LUT, with kInfraLut fixed beforehand) and
// kInfraBram36 (BRAM). kExpectedErrorPercent is the largest residual on the
// three designs, rounded up; tst_estimate checks both.
#include "core/hw/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>

namespace qnn {

namespace {

// ---- fitted constants (see the comment at the top) ----
// LUTs per bit entering an adder tree. Ideally 1 (one LUT6 and a carry bit
// per sum bit); the operand registers and the XNOR/negation folded into the
// first level push it above that.
constexpr double kAdderLut = 1.18;
// Per unit: loop counters, stream handshakes, the AXI-Lite port that loads
// weights and thresholds at run time.
constexpr double kUnitLut = 700;
constexpr double kInfraLut = 5000;    // fixed: AXI DMA ≈ 1.8k, AXI interconnect ≈ 2.5k, reset/AXI-Lite/PS glue ≈ 0.7k
constexpr double kInfraBram36 = 9;    // fitted: DMA and interconnect FIFOs, the DMA's descriptor buffers
constexpr int64_t kInfraDsp = 4;      // DMA address arithmetic (lfcW1A1 has 4 DSPs and no DSP-using unit)
constexpr int64_t kWindowDsp = 3;     // a sliding window's address arithmetic ((24 − 4 − 2) / 6 in cnvW1A1)
constexpr int64_t kPoolDsp = 1;
// ---- physical constants ----
// A SLICEM LUT6 is a 64×1 RAM, or with its neighbours a 32-deep × 6-bit
// RAM32M: memories up to this depth cost a few LUTs per bit, and HLS keeps
// them there; deeper ones it maps to block RAM.
constexpr int64_t kLutramMaxDepth = 32;
constexpr int64_t kLutramWordsPerLut = 64; // RAM64X1: 64 words of one bit per LUT
constexpr int64_t kThresholdBits = 16;    // finn-hlslib thresholds in the overlays: ap_int<16>
constexpr int64_t kUramMinBram18 = 8;     // per-PE memories needing more BRAM18s go to URAM when the part has it
constexpr int kDspMinBits = 4;            // both operands this wide or wider: HLS multiplies in a DSP48
// The largest residuals on the three designs (LUT: lfcW1A1 +1.2 %; BRAM36:
// cnvW1A1 −4.4 %), rounded up. tst_estimate recomputes them.
constexpr double kExpectedLutErrorPercent = 2;
constexpr double kExpectedBramErrorPercent = 5;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// FINN's accumulator width: the bound of arXiv 2301.13376 for MW products.
int accBits(int64_t mw, int w, int a)
{
    const double alpha = std::log2(double(std::max<int64_t>(mw, 1))) + w + a - 1;
    return int(std::ceil(alpha + std::log2(1 + std::pow(2.0, -alpha)) + 1));
}

// FINN's BRAM18 count for one memory of `depth` words × `width` bits (UG573 SDP modes).
int64_t finnBram18For(int64_t depth, int64_t width)
{
    if (width <= 0 || depth <= 0)
        return 0;
    if (width == 1)
        return ceilDiv(depth, 16384);
    if (width == 2)
        return ceilDiv(depth, 8192);
    if (width <= 4)
        return ceilDiv(depth, 4096) * ceilDiv(width, 4);
    if (width <= 9)
        return ceilDiv(depth, 2048) * ceilDiv(width, 9);
    if (width <= 18 || depth > 512)
        return ceilDiv(depth, 1024) * ceilDiv(width, 18);
    return ceilDiv(depth, 512) * ceilDiv(width, 36);
}

// BRAM18s for one memory as Vivado builds it: every primitive shape of a
// BRAM18 (512×36, 1K×18, 2K×9, 4K×4, 8K×2, 16K×1) tiled over depth and
// width, the one that needs fewest (FINN's formula picks 1K×18 for any
// memory deeper than 512, which wastes half the blocks of a 1,152 × 32 one).
int64_t bram18For(int64_t depth, int64_t width)
{
    if (width <= 0 || depth <= 0)
        return 0;
    int64_t best = std::numeric_limits<int64_t>::max();
    for (auto [d, w] : {std::pair<int64_t, int64_t>{512, 36}, {1024, 18}, {2048, 9}, {4096, 4}, {8192, 2}, {16384, 1}})
        best = std::min(best, ceilDiv(depth, d) * ceilDiv(width, w));
    return best;
}

int64_t uramFor(int64_t depth, int64_t width) { return ceilDiv(depth, 4096) * ceilDiv(width, 72); }

// FINN's sliding-window line buffer: K+S banks, width and depth as FPGA_NOTES.
int64_t windowBanks(const MatrixLayer& l, int simd, int64_t& perBank)
{
    const int64_t depth = l.ifmW * l.ifmCh / simd;
    int width = 1;
    for (auto [d, w] : {std::pair<int64_t, int>{512, 36}, {1024, 18}, {2048, 9}, {4096, 4}, {8192, 2}})
        if (depth <= d) {
            width = w;
            break;
        }
    perBank = ceilDiv(int64_t(simd) * l.inputBits, width);
    return l.k + l.stride;
}

int64_t windowCycles(const MatrixLayer& l, int simd)
{
    const int64_t cf = l.ifmCh / simd;
    return l.ifmW * l.k * cf + l.ofmH * std::max(l.ofmW * l.k * l.k * cf, l.stride * l.ifmW * cf);
}

std::string fmtInt(double v)
{
    const int64_t n = int64_t(std::llround(v));
    std::string s = std::to_string(n < 0 ? -n : n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3)
        s.insert(size_t(i), ",");
    return (n < 0 ? "-" : "") + s;
}

std::string fmtFixed(double v, int digits)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}

// Resources of one matrix unit under a fold (cycles included).
UnitEstimate mvtu(const MatrixLayer& l, const LayerFold& f, CostModel model, const Device* device)
{
    UnitEstimate u;
    u.kind = UnitEstimate::Kind::Mvtu;
    u.node = l.node;
    u.name = l.name;
    const PaddedShape s = paddedShape(l, f);
    u.mh = s.mh;
    u.mw = s.mw;
    u.pe = f.pe;
    u.simd = f.simd;
    u.wmem = s.mh * s.mw / (int64_t(f.pe) * f.simd);
    u.tmem = s.mh / f.pe;
    u.cycles = mvtuCycles(l, f);
    const int P = f.pe, Q = f.simd, W = l.weightBits, A = l.inputBits;
    const int B = l.thresholdsPerRow > 0 ? l.outputBits : 0;
    const int64_t thresholds = l.thresholdsPerRow;
    const int acc = accBits(s.mw, W, A);
    std::ostringstream detail;
    detail << "W" << W << "A" << A;
    if (l.kind == LayerKind::Conv2D)
        detail << ", " << l.ofmH << "×" << l.ofmW << " pixels";
    if (thresholds == 0)
        detail << ", scores out";
    u.detail = detail.str();

    if (model == CostModel::Finn) {
        const double mult = double(Q) * (2 * std::ceil((W + A) / 6.0) - 1) * (W + A);
        const double addtree = double(W + A) * (2 * Q - 1);
        double thr = 0, comp = 0;
        if (B > 0) {
            thr = double((1 << B) - 1) * acc * double(ceilDiv(u.tmem, 64));
            comp = double((1 << B) - 1) * acc;
        }
        const bool lutram = u.wmem <= 128;
        const double c2 = lutram ? double(P) * Q * W * double(ceilDiv(u.wmem, 64)) : 0;
        u.lut = 300 + 1.1 * P * (mult + addtree + acc + thr + comp) + c2;
        u.bram36 = lutram ? 0 : double(finnBram18For(u.wmem, int64_t(P) * Q * W)) / 2;
        u.weightsIn = lutram ? "LUTRAM" : "BRAM";
        u.thresholdsIn = B > 0 ? "LUTRAM" : "-";
        return u;
    }

    // Calibrated model: what one PE is built of, times PE, plus the unit's control.
    // Products. W = A = 1: an XNOR, a 1-bit product. One operand 1 bit
    // (bipolar ±1): the other operand, negated or not, one bit wider. Both
    // multi-bit: a W+A-bit product from a LUT multiplier (FINN's count: one
    // LUT6 per product bit while W+A ≤ 6 inputs fit one LUT), or a DSP48 when
    // both are kDspMinBits or wider.
    const bool dspMultiply = W >= kDspMinBits && A >= kDspMinBits;
    int productBits = W + A;
    double multiplier = 0;
    if (W == 1 && A == 1)
        productBits = 1;
    else if (W == 1 || A == 1)
        productBits = std::max(W, A) + 1;
    else if (!dspMultiply)
        multiplier = double(W + A) * (2 * std::ceil((W + A) / 6.0) - 1);
    // Adder tree over SIMD products, kAdderLut LUTs per sum bit.
    //  - XNOR products: finn-hlslib counts the ones of the SIMD-bit word (a
    //    popcount): SIMD/2 adders of 2 bits, SIMD/4 of 3, …: about SIMD·(p+1)
    //    sum bits with p = 1.
    //  - A bipolar operand: the product is the other operand or its negation,
    //    p bits, summed by the same kind of tree: SIMD·(p+1) sum bits (the
    //    negation folds into the first adder's LUTs).
    //  - Both operands multi-bit: the unrolled SIMD loop adds each product
    //    into the accumulator type, so each of the SIMD adders is acc bits
    //    wide (HLS does not narrow a loop-carried sum).
    const bool bothMultiBit = W > 1 && A > 1;
    const double adderTree = kAdderLut * double(bothMultiBit ? acc : productBits + 1);
    const double lane = adderTree + multiplier;
    // Accumulator: an adder and register of acc bits, one LUT per bit.
    // Thresholds: 2^A − 1 comparators of acc bits (thresholdsPerRow), and an
    // encoder from the comparators' thermometer code to B output bits when B > 1.
    const double comparators = double(thresholds) * acc;
    const double encoder = B > 1 ? double(thresholds) : 0;
    double lut = kUnitLut + double(P) * (Q * lane + acc + comparators + encoder);
    double bram18 = 0;
    // Weights: one memory per PE, WMEM words × SIMD*W bits.
    const int64_t wordBits = int64_t(Q) * W;
    const double weightLutram = double(P) * double(wordBits) * double(ceilDiv(u.wmem, kLutramWordsPerLut));
    if (u.wmem <= kLutramMaxDepth) {
        lut += weightLutram;
        u.weightsIn = "LUTRAM";
    } else {
        const int64_t perPe = bram18For(u.wmem, wordBits);
        if (device && device->uram > 0 && perPe > kUramMinBram18) {
            u.uram = int64_t(P) * uramFor(u.wmem, wordBits);
            u.weightsIn = "URAM";
        } else {
            bram18 += double(P) * perPe;
            u.weightsIn = "BRAM";
            u.weightBram36 = double(P) * double(perPe) / 2;
            u.weightLutramLut = weightLutram;
        }
    }
    // Thresholds: one memory per PE, TMEM entries × thresholds × 16 bits.
    if (thresholds > 0) {
        const int64_t entryBits = thresholds * kThresholdBits;
        const double thresholdLutram = double(P) * double(entryBits) * double(ceilDiv(u.tmem, kLutramWordsPerLut));
        if (u.tmem > kLutramMaxDepth) {
            const int64_t perPe = bram18For(u.tmem, entryBits);
            bram18 += double(P) * perPe;
            u.thresholdsIn = "BRAM";
            u.thresholdBram36 = double(P) * double(perPe) / 2;
            u.thresholdLutramLut = thresholdLutram;
        } else {
            lut += thresholdLutram;
            u.thresholdsIn = "LUTRAM";
        }
    }
    u.lut = lut;
    u.bram36 = bram18 / 2;
    if (dspMultiply)
        u.dsp = int64_t(P) * Q; // one DSP48 per lane
    return u;
}

UnitEstimate window(const MatrixLayer& l, const LayerFold& f, CostModel model)
{
    UnitEstimate u;
    u.kind = UnitEstimate::Kind::SlidingWindow;
    u.node = l.node;
    u.name = l.name + " window";
    u.simd = f.simd;
    u.cycles = windowCycles(l, f.simd);
    int64_t perBank = 0;
    const int64_t banks = windowBanks(l, f.simd, perBank);
    const int64_t width = int64_t(f.simd) * l.inputBits;
    u.detail = std::to_string(l.k) + "×" + std::to_string(l.k) + " window, " + std::to_string(width) + " bits out, " +
               std::to_string(banks) + " line banks";
    u.weightsIn = "-";
    if (model == CostModel::Finn) {
        u.lut = 300;
        u.bram36 = double(banks * perBank) / 2;
    } else {
        u.lut = kUnitLut + double(width);
        u.bram36 = double(banks * perBank);
        u.dsp = kWindowDsp;
    }
    return u;
}

UnitEstimate pool(const MatrixLayer& l, CostModel model)
{
    UnitEstimate u;
    u.kind = UnitEstimate::Kind::MaxPool;
    u.node = l.node;
    u.name = l.name + " pool";
    const int64_t k = std::max(1, l.poolK);
    const int64_t width = l.mh * l.outputBits;
    // All channels in parallel: one comparison per channel bit, a row buffer of OFM_W/K entries.
    u.cycles = int64_t(std::llround(double(l.ofmH * l.ofmW) * (1.0 + 1.0 / double(k * k))));
    u.detail = std::to_string(k) + "×" + std::to_string(k) + " max, " + std::to_string(width) + " bits";
    if (model == CostModel::Calibrated) {
        u.lut = 100 + double(width);
        u.dsp = kPoolDsp;
    }
    return u;
}

UnitEstimate converter(const std::string& name, NodeId node, int64_t inBits, int64_t outBits, int64_t words,
                       CostModel model)
{
    UnitEstimate u;
    u.kind = UnitEstimate::Kind::WidthConverter;
    u.node = node;
    u.name = name;
    u.cycles = words;
    u.detail = std::to_string(inBits) + " → " + std::to_string(outBits) + " bits";
    u.lut = model == CostModel::Calibrated ? double(inBits + outBits) : double(std::max(inBits, outBits));
    return u;
}

// Term 5 of the model: when the units need more block RAM than the device
// has, move memories to LUTRAM, the ones that free the most BRAM per LUT
// first (shallow memories: a LUT holds 64 words of a bit), until the BRAM
// fits. Nothing moves when that would not make the design fit (not enough
// BRAM even then, or too few LUTs for the moved memories): it does not fit
// either way, and the figures stay those of the design as built.
void moveToLutramWhenBramRunsOut(std::vector<UnitEstimate>& units, const Device& device)
{
    const double capacity = double(device.bram36);
    double total = 0, lut = 0;
    for (const UnitEstimate& u : units) {
        total += u.bram36;
        lut += u.lut;
    }
    if (total <= capacity)
        return;
    struct Candidate {
        size_t unit;
        bool weights;
        double bram, lut;
    };
    std::vector<Candidate> cs;
    for (size_t i = 0; i < units.size(); ++i) {
        const UnitEstimate& u = units[i];
        if (u.weightBram36 > 0 && u.weightLutramLut > 0)
            cs.push_back({i, true, u.weightBram36, u.weightLutramLut});
        if (u.thresholdBram36 > 0 && u.thresholdLutramLut > 0)
            cs.push_back({i, false, u.thresholdBram36, u.thresholdLutramLut});
    }
    std::stable_sort(cs.begin(), cs.end(),
                     [](const Candidate& a, const Candidate& b) { return a.bram * b.lut > b.bram * a.lut; });
    size_t needed = 0;
    for (double left = total; needed < cs.size() && left > capacity; ++needed)
        left -= cs[needed].bram;
    double after = total;
    for (size_t i = 0; i < needed; ++i) {
        after -= cs[i].bram;
        lut += cs[i].lut;
    }
    if (after > capacity || lut > double(device.lut))
        return;
    for (size_t i = 0; i < needed; ++i) {
        UnitEstimate& u = units[cs[i].unit];
        u.bram36 -= cs[i].bram;
        u.lut += cs[i].lut;
        if (cs[i].weights) {
            u.weightsIn = "LUTRAM";
            u.weightBram36 = 0;
            u.detail += ", weights moved to LUTRAM (BRAM full)";
        } else {
            u.thresholdsIn = "LUTRAM";
            u.thresholdBram36 = 0;
            u.detail += ", thresholds moved to LUTRAM (BRAM full)";
        }
    }
}

} // namespace

ExpectedError expectedError(CostModel model)
{
    if (model == CostModel::Finn)
        return {};
    return {kExpectedLutErrorPercent, kExpectedBramErrorPercent};
}

std::string expectedErrorText(const ExpectedError& error)
{
    if (error.lutPercent <= 0 && error.bramPercent <= 0)
        return "not calibrated (FINN's formulas as published)";
    return "LUT ±" + fmtFixed(error.lutPercent, 0) + " %, BRAM36 ±" + fmtFixed(error.bramPercent, 0) +
           " % (largest residual on lfcW1A1, cnvW1A1, cnvW2A2)";
}

std::string verdictText(const Estimate& e)
{
    switch (e.verdict) {
    case FitVerdict::Fits:
        return "fits";
    case FitVerdict::MayNotFit: {
        // The error of the resource that is over: BRAM's when BRAM is, else LUT's.
        const double n = e.bramPercent > 100 ? e.error.bramPercent : e.error.lutPercent;
        return "may not fit (within the estimate's error of ±" + fmtFixed(n, 0) + " %)";
    }
    case FitVerdict::DoesNotFit:
        return "does not fit";
    }
    return {};
}

std::string costModelName(CostModel model)
{
    return model == CostModel::Finn ? "finn" : "calibrated";
}

std::string Estimate::provenance() const
{
    std::ostringstream s;
    s << "folding " << (folding.source.empty() ? std::string("(unnamed)") : folding.source) << ", model "
      << (model == CostModel::Finn ? "FINN analytic (uncalibrated)" : "calibrated (FINN + Vivado: lfcW1A1, cnvW1A1, cnvW2A2)")
      << ", " << fmtFixed(clockMhz, clockMhz == std::floor(clockMhz) ? 0 : 1) << " MHz";
    if (!part.empty())
        s << ", " << part;
    return s.str();
}

Estimate estimateDesign(const Dataflow& df, const Folding& folding, const EstimateOptions& o)
{
    Estimate e;
    e.folding = folding;
    e.model = o.model;
    e.clockMhz = o.clockMhz;
    e.part = o.device ? o.device->part : std::string();
    e.error = expectedError(o.model);
    e.problems = df.problems;
    if (df.ok()) {
        std::vector<Diagnostic> foldProblems = checkFolding(df, folding);
        e.problems.insert(e.problems.end(), foldProblems.begin(), foldProblems.end());
    }
    if (!e.problems.empty())
        return e;
    e.ok = true;
    e.units.reserve(df.layers.size() * 3 + 3);
    // Input stream: the DMA delivers 64-bit words.
    int64_t streamBits = 64;
    std::string streamFrom = "input";
    for (const MatrixLayer& l : df.layers) {
        const LayerFold& f = *folding.find(l.name);
        // The unit (or its sliding window) takes SIMD lanes per cycle.
        const int64_t wants = int64_t(f.simd) * l.inputBits;
        if (streamBits != wants) {
            const int64_t frameBits = (l.kind == LayerKind::Conv2D ? l.ifmCh * l.ifmH * l.ifmW
                                                                    : paddedShape(l, f).mw) * l.inputBits;
            e.units.push_back(converter("dwc " + streamFrom + "→" + l.name, l.node, streamBits, wants,
                                        ceilDiv(frameBits, std::min(streamBits, wants)), o.model));
        }
        if (l.kind == LayerKind::Conv2D)
            e.units.push_back(window(l, f, o.model));
        e.units.push_back(mvtu(l, f, o.model, o.device));
        streamBits = int64_t(f.pe) * l.outputBits;
        streamFrom = l.name;
        if (l.poolAfter) {
            // The pool takes all channels of a pixel at once.
            const int64_t pixelBits = l.mh * l.outputBits;
            if (streamBits != pixelBits)
                e.units.push_back(converter("dwc " + l.name + "→pool", l.node, streamBits, pixelBits,
                                            l.ofmPixels() * ceilDiv(l.mh, f.pe), o.model));
            e.units.push_back(pool(l, o.model));
            streamBits = pixelBits;
        }
    }
    if (streamBits != 64) {
        const MatrixLayer& last = df.layers.back();
        const LayerFold& f = *folding.find(last.name);
        e.units.push_back(converter("dwc " + streamFrom + "→output", last.node, streamBits, 64,
                                    ceilDiv(paddedShape(last, f).mh * last.outputBits, std::min<int64_t>(streamBits, 64)),
                                    o.model));
    }
    if (o.model == CostModel::Calibrated) {
        UnitEstimate infra;
        infra.kind = UnitEstimate::Kind::Infrastructure;
        infra.name = "infrastructure";
        infra.detail = "DMA, AXI interconnect, PS glue";
        infra.lut = kInfraLut;
        infra.bram36 = kInfraBram36;
        infra.dsp = kInfraDsp;
        e.units.push_back(infra);
    }
    if (o.model == CostModel::Calibrated && o.device)
        moveToLutramWhenBramRunsOut(e.units, *o.device);
    for (const UnitEstimate& u : e.units) {
        e.lut += u.lut;
        e.bram36 += u.bram36;
        e.uram += u.uram;
        e.dsp += u.dsp;
        e.latencyCycles += u.cycles;
        if (u.kind != UnitEstimate::Kind::Infrastructure && u.cycles > e.bottleneckCycles) {
            e.bottleneckCycles = u.cycles;
            e.bottleneck = u.name;
            e.bottleneckNode = u.node;
        }
    }
    e.lut = std::round(e.lut);
    e.fps = e.bottleneckCycles > 0 ? o.clockMhz * 1e6 / double(e.bottleneckCycles) : 0;
    e.latencyUs = double(e.latencyCycles) / o.clockMhz;
    if (o.device) {
        const Device& d = *o.device;
        auto pct = [](double used, int64_t cap) { return cap > 0 ? 100.0 * used / double(cap) : (used > 0 ? 1e9 : 0); };
        e.lutPercent = pct(e.lut, d.lut);
        e.bramPercent = pct(e.bram36, d.bram36);
        e.uramPercent = pct(double(e.uram), d.uram);
        e.dspPercent = pct(double(e.dsp), d.dsp);
        e.fits = e.lutPercent <= 100 && e.bramPercent <= 100 && e.uramPercent <= 100 && e.dspPercent <= 100;
        // Within the error: the design is over by no more than the model can be off,
        // i.e. Vivado's figure may still be at or under the capacity.
        auto within = [](double percent, double errorPercent) {
            return percent <= 100 || percent * (1 - errorPercent / 100) <= 100;
        };
        if (e.fits)
            e.verdict = FitVerdict::Fits;
        else if (e.uramPercent <= 100 && e.dspPercent <= 100 && within(e.lutPercent, e.error.lutPercent) &&
                 within(e.bramPercent, e.error.bramPercent))
            e.verdict = FitVerdict::MayNotFit;
        else
            e.verdict = FitVerdict::DoesNotFit;
    }
    return e;
}

std::vector<Diagnostic> fitProblems(const Estimate& e)
{
    std::vector<Diagnostic> out;
    if (!e.ok || e.fits || e.part.empty())
        return out;
    struct Resource {
        const char* name;
        double percent;
        double UnitEstimate::*field;
    };
    const Resource resources[] = {{"LUT", e.lutPercent, &UnitEstimate::lut},
                                  {"BRAM36", e.bramPercent, &UnitEstimate::bram36}};
    for (const Resource& r : resources) {
        if (r.percent <= 100)
            continue;
        const UnitEstimate* largest = nullptr;
        for (const UnitEstimate& u : e.units)
            if (u.kind != UnitEstimate::Kind::Infrastructure && (!largest || u.*(r.field) > largest->*(r.field)))
                largest = &u;
        Diagnostic d;
        d.node = largest ? largest->node : kInvalidNode;
        const bool may = e.verdict == FitVerdict::MayNotFit;
        d.severity = may ? Severity::Warning : Severity::Error;
        d.category = DiagnosticCategory::HardwareFit;
        const double n = r.field == &UnitEstimate::lut ? e.error.lutPercent : e.error.bramPercent;
        d.message = (may ? "the design may not fit (within the estimate's error of ±" + fmtFixed(n, 0) + " %): it needs "
                         : std::string("the design needs ")) +
                    fmtFixed(r.percent, 0) + " % of the " + e.part + "'s " + r.name +
                    (largest ? "; the largest user is " + largest->name + " (" + fmtInt(largest->*(r.field)) + ")"
                             : std::string());
        d.fix = "lower PE/SIMD of " + (largest ? largest->name : std::string("the largest layers")) +
                ", lower the bit-widths or choose a larger device";
        out.push_back(d);
    }
    auto countOver = [&](const char* name, double percent) {
        if (percent <= 100)
            return;
        Diagnostic d;
        d.severity = Severity::Error;
        d.category = DiagnosticCategory::HardwareFit;
        d.message = std::string("the design needs ") + fmtFixed(percent, 0) + " % of the " + e.part + "'s " + name;
        out.push_back(d);
    };
    countOver("URAM", e.uramPercent);
    countOver("DSP", e.dspPercent);
    return out;
}

namespace {

const char* kindWord(UnitEstimate::Kind k)
{
    switch (k) {
    case UnitEstimate::Kind::Mvtu:
        return "mvtu";
    case UnitEstimate::Kind::SlidingWindow:
        return "window";
    case UnitEstimate::Kind::MaxPool:
        return "pool";
    case UnitEstimate::Kind::WidthConverter:
        return "dwc";
    case UnitEstimate::Kind::Infrastructure:
        return "infra";
    }
    return "";
}

std::string pad(const std::string& s, size_t width, bool right = false)
{
    // Width in characters, not bytes ("→", "×" are multi-byte in UTF-8).
    size_t chars = 0;
    for (unsigned char c : s)
        chars += (c & 0xC0) != 0x80;
    if (chars >= width)
        return s;
    const std::string fill(width - chars, ' ');
    return right ? fill + s : s + fill;
}

std::string bramText(double b) { return b == std::floor(b) ? fmtInt(b) : fmtFixed(b, 1); }

} // namespace

std::string formatEstimate(const Estimate& e)
{
    std::ostringstream s;
    s << "Estimate: " << e.provenance() << "\n";
    if (!e.ok) {
        for (const Diagnostic& d : e.problems)
            s << "  error: " << d.message << (d.fix.empty() ? "" : " (" + d.fix + ")") << "\n";
        return s.str();
    }
    s << "\n"
      << pad("unit", 22) << pad("MH", 6, true) << pad("MW", 6, true) << pad("PE", 4, true) << pad("SIMD", 5, true)
      << pad("WMEM", 7, true) << pad("TMEM", 6, true) << pad("cycles", 10, true) << pad("LUT", 8, true)
      << pad("BRAM36", 8, true) << pad("URAM", 5, true) << pad("DSP", 5, true) << "  " << pad("weights", 8)
      << pad("thres", 7) << "detail\n";
    for (const UnitEstimate& u : e.units) {
        const bool m = u.kind == UnitEstimate::Kind::Mvtu;
        auto num = [&](int64_t v) { return m ? fmtInt(double(v)) : std::string(); };
        s << pad(u.name, 22) << pad(num(u.mh), 6, true) << pad(num(u.mw), 6, true) << pad(num(u.pe), 4, true)
          << pad(m || u.kind == UnitEstimate::Kind::SlidingWindow ? fmtInt(u.simd) : "", 5, true)
          << pad(num(u.wmem), 7, true) << pad(num(u.tmem), 6, true)
          << pad(u.kind == UnitEstimate::Kind::Infrastructure ? "" : fmtInt(double(u.cycles)), 10, true)
          << pad(fmtInt(u.lut), 8, true) << pad(bramText(u.bram36), 8, true) << pad(fmtInt(double(u.uram)), 5, true)
          << pad(fmtInt(double(u.dsp)), 5, true) << "  " << pad(u.weightsIn, 8) << pad(u.thresholdsIn, 7) << u.detail
          << "\n";
    }
    s << "\n" << pad("total", 22) << pad("", 44) << pad(fmtInt(e.lut), 8, true) << pad(bramText(e.bram36), 8, true)
      << pad(fmtInt(double(e.uram)), 5, true) << pad(fmtInt(double(e.dsp)), 5, true) << "\n";
    if (!e.part.empty())
        s << pad("% of " + e.part, 22) << pad("", 44) << pad(fmtFixed(e.lutPercent, 1), 8, true)
          << pad(fmtFixed(e.bramPercent, 1), 8, true) << pad(fmtFixed(e.uramPercent, 1), 5, true)
          << pad(fmtFixed(e.dspPercent, 1), 5, true) << "  " << verdictText(e) << "\n";
    s << "expected error: " << expectedErrorText(e.error) << "\n";
    s << "\nbottleneck: " << e.bottleneck << ", " << fmtInt(double(e.bottleneckCycles)) << " cycles per frame\n"
      << "throughput: " << fmtFixed(e.fps, 1) << " FPS at " << fmtFixed(e.clockMhz, 1) << " MHz\n"
      << "latency:    " << fmtFixed(e.latencyUs, 1) << " µs (" << fmtInt(double(e.latencyCycles))
      << " cycles, every unit once)\n";
    for (const Diagnostic& d : fitProblems(e))
        s << (d.severity == Severity::Error ? "error: " : "warning: ") << d.message << " (" << d.fix << ")\n";
    return s.str();
}

nlohmann::json estimateToJson(const Estimate& e)
{
    using nlohmann::json;
    json j;
    j["ok"] = e.ok;
    j["folding"] = {{"source", e.folding.source}, {"layers", foldingLayersToJson(e.folding)}};
    j["model"] = costModelName(e.model);
    j["provenance"] = e.provenance();
    j["clock_mhz"] = e.clockMhz;
    j["part"] = e.part;
    json problems = json::array();
    for (const Diagnostic& d : e.problems)
        problems.push_back({{"node", d.node == kInvalidNode ? json(nullptr) : json(d.node)},
                            {"category", categoryName(d.category)},
                            {"message", d.message},
                            {"fix", d.fix}});
    for (const Diagnostic& d : fitProblems(e))
        problems.push_back({{"node", d.node == kInvalidNode ? json(nullptr) : json(d.node)},
                            {"severity", severityName(d.severity)},
                            {"category", categoryName(d.category)},
                            {"message", d.message},
                            {"fix", d.fix}});
    j["problems"] = problems;
    if (!e.ok)
        return j;
    json units = json::array();
    for (const UnitEstimate& u : e.units) {
        json ju = {{"kind", kindWord(u.kind)}, {"name", u.name},     {"cycles", u.cycles},
                   {"lut", std::round(u.lut)}, {"bram36", u.bram36}, {"uram", u.uram},
                   {"dsp", u.dsp},             {"detail", u.detail}};
        if (u.node != kInvalidNode)
            ju["node"] = u.node;
        if (u.kind == UnitEstimate::Kind::Mvtu) {
            ju["mh"] = u.mh;
            ju["mw"] = u.mw;
            ju["pe"] = u.pe;
            ju["simd"] = u.simd;
            ju["wmem"] = u.wmem;
            ju["tmem"] = u.tmem;
            ju["weights_in"] = u.weightsIn;
            ju["thresholds_in"] = u.thresholdsIn;
        }
        units.push_back(ju);
    }
    j["units"] = units;
    j["totals"] = {{"lut", e.lut}, {"bram36", e.bram36}, {"uram", e.uram}, {"dsp", e.dsp}};
    if (!e.part.empty())
        j["percent"] = {{"lut", e.lutPercent}, {"bram36", e.bramPercent}, {"uram", e.uramPercent}, {"dsp", e.dspPercent}};
    j["fits"] = e.fits;
    j["verdict"] = verdictText(e);
    j["expected_error"] = {{"lut_percent", e.error.lutPercent}, {"bram36_percent", e.error.bramPercent}};
    j["bottleneck"] = {{"unit", e.bottleneck}, {"cycles", e.bottleneckCycles}};
    j["fps"] = e.fps;
    j["latency_cycles"] = e.latencyCycles;
    j["latency_us"] = e.latencyUs;
    return j;
}

// ---- folding search ----

namespace {

struct Choice {
    LayerFold fold;
    int64_t cycles = 0;   // slowest of the layer's own units (window, matrix)
    double cost = 0;      // share of the device, summed over resources
    int64_t inBits = 0;   // stream width the layer takes
    int64_t outBits = 0;  // stream width it hands on (after its pool)
    double lut = 0, bram36 = 0;
    int64_t uram = 0, dsp = 0;
};

struct Capacity {
    double lut, bram36, uram, dsp;
};

Capacity capacityOf(const Device* d)
{
    // Without a device, weigh resources as on the smallest common part (xc7z020).
    if (!d)
        return {53200, 140, 1, 220};
    return {double(d->lut), double(std::max<int64_t>(d->bram36, 1)), double(std::max<int64_t>(d->uram, 1)),
            double(std::max<int64_t>(d->dsp, 1))};
}

double costOf(const Capacity& c, double lut, double bram, int64_t uram, int64_t dsp)
{
    return lut / c.lut + bram / c.bram36 + double(uram) / c.uram + double(dsp) / c.dsp;
}

std::vector<std::vector<Choice>> layerChoices(const Dataflow& df, const EstimateOptions& o)
{
    const Capacity cap = capacityOf(o.device);
    std::vector<std::vector<Choice>> all;
    for (const MatrixLayer& l : df.layers) {
        std::vector<Choice> cs;
        for (int pe : validPe(l))
            for (int simd : validSimd(l)) {
                Choice c;
                c.fold = {pe, simd};
                const UnitEstimate m = mvtu(l, c.fold, o.model, o.device);
                c.cycles = m.cycles;
                c.lut = m.lut;
                c.bram36 = m.bram36;
                c.uram = m.uram;
                c.dsp = m.dsp;
                if (l.kind == LayerKind::Conv2D) {
                    const UnitEstimate w = window(l, c.fold, o.model);
                    c.cycles = std::max(c.cycles, w.cycles);
                    c.lut += w.lut;
                    c.bram36 += w.bram36;
                    c.dsp += w.dsp;
                }
                c.inBits = int64_t(simd) * l.inputBits;
                c.outBits = l.poolAfter ? l.mh * l.outputBits : int64_t(pe) * l.outputBits;
                if (l.poolAfter && int64_t(pe) * l.outputBits != c.outBits)
                    c.lut += converter("", l.node, int64_t(pe) * l.outputBits, c.outBits, 0, o.model).lut;
                c.cost = costOf(cap, c.lut, c.bram36, c.uram, c.dsp);
                cs.push_back(c);
            }
        all.push_back(std::move(cs));
    }
    return all;
}

double dwcCost(const Capacity& cap, int64_t from, int64_t to, CostModel model)
{
    return from == to ? 0 : converter("", kInvalidNode, from, to, 0, model).lut / cap.lut;
}

// Cheapest chain of choices with every layer's cycles ≤ limit (Viterbi over
// the chain: a converter's cost depends on two neighbours). False when some
// layer cannot reach the limit.
bool cheapestWithin(const std::vector<std::vector<Choice>>& choices, int64_t limit, const Capacity& cap,
                    CostModel model, std::vector<int>& picked)
{
    const size_t n = choices.size();
    std::vector<std::vector<double>> best(n);
    std::vector<std::vector<int>> from(n);
    for (size_t i = 0; i < n; ++i) {
        const std::vector<Choice>& cs = choices[i];
        best[i].assign(cs.size(), std::numeric_limits<double>::infinity());
        from[i].assign(cs.size(), -1);
        bool any = false;
        for (size_t j = 0; j < cs.size(); ++j) {
            if (cs[j].cycles > limit)
                continue;
            if (i == 0) {
                best[i][j] = cs[j].cost + dwcCost(cap, 64, cs[j].inBits, model);
                any = true;
                continue;
            }
            for (size_t k = 0; k < choices[i - 1].size(); ++k) {
                if (!std::isfinite(best[i - 1][k]))
                    continue;
                const double c = best[i - 1][k] + cs[j].cost + dwcCost(cap, choices[i - 1][k].outBits, cs[j].inBits, model);
                if (c < best[i][j]) {
                    best[i][j] = c;
                    from[i][j] = int(k);
                    any = true;
                }
            }
        }
        if (!any)
            return false;
    }
    int arg = -1;
    double bestCost = std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < choices[n - 1].size(); ++j) {
        const double c = best[n - 1][j] + dwcCost(cap, choices[n - 1][j].outBits, 64, model);
        if (c < bestCost || (c == bestCost && arg >= 0 && choices[n - 1][j].cycles < choices[n - 1][size_t(arg)].cycles)) {
            bestCost = c;
            arg = int(j);
        }
    }
    picked.assign(n, -1);
    for (size_t i = n; i-- > 0;) {
        picked[i] = arg;
        arg = from[i][size_t(arg)];
    }
    return true;
}

Folding foldingFrom(const Dataflow& df, const std::vector<std::vector<Choice>>& choices, const std::vector<int>& picked,
                    const std::string& source)
{
    Folding f;
    f.source = source;
    for (size_t i = 0; i < df.layers.size(); ++i)
        f.layers[df.layers[i].name] = choices[i][size_t(picked[i])].fold;
    return f;
}

} // namespace

bool foldForFps(const Dataflow& df, double fps, const EstimateOptions& o, Folding& out, std::string& error)
{
    if (!df.ok()) {
        error = df.problems.front().message;
        return false;
    }
    if (!(fps > 0)) {
        error = "the target FPS must be more than 0";
        return false;
    }
    const double limitD = std::floor(o.clockMhz * 1e6 / fps);
    const auto choices = layerChoices(df, o);
    const int64_t limit = int64_t(std::min(limitD, 9e18));
    std::vector<int> picked;
    if (limit < 1 || !cheapestWithin(choices, limit, capacityOf(o.device), o.model, picked)) {
        // Name the layer that cannot get there.
        for (size_t i = 0; i < choices.size(); ++i) {
            int64_t fastest = std::numeric_limits<int64_t>::max();
            for (const Choice& c : choices[i])
                fastest = std::min(fastest, c.cycles);
            if (fastest > limit) {
                error = "no folding reaches " + fmtFixed(fps, fps == std::floor(fps) ? 0 : 1) + " FPS at " +
                        fmtFixed(o.clockMhz, 0) + " MHz: " + df.layers[i].name + " needs at least " +
                        fmtInt(double(fastest)) + " cycles per frame even fully unfolded, so at most " +
                        fmtFixed(o.clockMhz * 1e6 / double(fastest), 1) + " FPS";
                return false;
            }
        }
        error = "no folding reaches " + fmtFixed(fps, 0) + " FPS";
        return false;
    }
    out = foldingFrom(df, choices, picked, "fps " + fmtFixed(fps, fps == std::floor(fps) ? 0 : 1));
    return true;
}

bool foldForMax(const Dataflow& df, const EstimateOptions& o, Folding& out, std::string& error)
{
    if (!df.ok()) {
        error = df.problems.front().message;
        return false;
    }
    if (!o.device) {
        error = "the fastest folding that fits needs a device";
        return false;
    }
    const auto choices = layerChoices(df, o);
    const Capacity cap = capacityOf(o.device);
    std::vector<int64_t> limits;
    for (const auto& cs : choices)
        for (const Choice& c : cs)
            limits.push_back(c.cycles);
    std::sort(limits.begin(), limits.end());
    limits.erase(std::unique(limits.begin(), limits.end()), limits.end());
    // Feasible limits form a suffix of the sorted list (a looser limit is
    // never more expensive): binary search the first one whose cheapest
    // folding fits the device.
    auto fitsAt = [&](int64_t limit, std::vector<int>& picked) {
        if (!cheapestWithin(choices, limit, cap, o.model, picked))
            return false;
        const Estimate e = estimateDesign(df, foldingFrom(df, choices, picked, "max"), o);
        return e.ok && e.fits;
    };
    size_t lo = 0, hi = limits.size();
    std::vector<int> picked, bestPicked;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (fitsAt(limits[mid], picked)) {
            bestPicked = picked;
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    if (bestPicked.empty()) {
        error = "no folding of this graph fits the " + o.device->part + ", not even the slowest (PE = SIMD = 1)";
        return false;
    }
    out = foldingFrom(df, choices, bestPicked, "max");
    return true;
}

} // namespace qnn
