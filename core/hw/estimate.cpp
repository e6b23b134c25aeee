// The cost model. Cycles follow the dataflow model exactly (FPGA_NOTES.md).
// Resources start from FINN's analytic formulas and are calibrated against
// the post-implementation Vivado figures of two BNN-PYNQ overlays on the
// xc7z020 (lfcW1A1: 28,360 LUT / 110 BRAM36; cnvW1A1: 26,072 / 124). The
// calibrated model differs from FINN's in four explained ways:
//  1. Memories per PE. finn-hlslib partitions weights and thresholds per PE,
//     so each PE has its own memory of WMEM words × SIMD*W bits; FINN's
//     formula sizes one memory PE*SIMD*W bits wide. HLS keeps runtime-loaded
//     weight arrays in block RAM unless they are tiny (≤ 16 words).
//  2. A sliding window's K+S line-buffer banks each take a whole BRAM36 tile
//     (FINN counts BRAM18s; the Vivado figure of cnvW1A1 needs the tiles).
//  3. LUTs per SIMD lane: an XNOR-popcount lane costs `kLaneLut` LUTs; a
//     lane whose product has w = W + A - 1 bits costs (w + 1)/2 times that
//     (an adder tree grows with the width it adds), plus W*A partial-product
//     LUTs when both operands are multi-bit; per PE the
//     accumulator and one comparator per threshold (acc bits each) as in
//     FINN; per unit a fixed control cost `kUnitLut` (loop counters, stream
//     handshakes, the weight-loading port).
//  4. The infrastructure around the network: DMA, AXI interconnect and the
//     glue to the processor system, as one line: kInfraLut, kInfraBram36, kInfraDsp.
// kLaneLut and kUnitLut are solved from the two calibration designs with
// kInfraLut fixed beforehand; kInfraBram36 is what lfcW1A1 has beyond its
// weight memories. Nothing depends on which network is estimated.
#include "core/hw/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>

namespace qnn {

namespace {

// ---- calibrated constants (see the comment at the top) ----
constexpr double kLaneLut = 2.37;  // solved: lfcW1A1 and cnvW1A1 LUTs, given kInfraLut
constexpr double kUnitLut = 712;   // solved with kLaneLut
constexpr double kInfraLut = 5000;    // AXI DMA ≈ 1.8k, AXI interconnect ≈ 2.5k, reset/AXI-Lite/PS glue ≈ 0.7k
constexpr double kInfraBram36 = 6;    // DMA and interconnect FIFOs
constexpr int64_t kInfraDsp = 4;      // DMA address arithmetic (lfcW1A1 has 4 DSPs and no DSP-using unit)
constexpr int64_t kWindowDsp = 3;     // a sliding window's address arithmetic ((24 − 4 − 2) / 6 in cnvW1A1)
constexpr int64_t kPoolDsp = 1;
constexpr int64_t kLutramMaxWords = 16;   // deeper per-PE weight memories go to block RAM
constexpr int64_t kThresholdBits = 16;    // finn-hlslib thresholds in the overlays: ap_int<16>
constexpr int64_t kThresholdBramBits = 4096; // smaller per-PE threshold memories stay in LUTRAM
constexpr int64_t kUramMinBram18 = 8;     // per-PE memories needing more BRAM18s go to URAM when the part has it

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// FINN's accumulator width: the bound of arXiv 2301.13376 for MW products.
int accBits(int64_t mw, int w, int a)
{
    const double alpha = std::log2(double(std::max<int64_t>(mw, 1))) + w + a - 1;
    return int(std::ceil(alpha + std::log2(1 + std::pow(2.0, -alpha)) + 1));
}

// FINN's BRAM18 count for one memory of `depth` words × `width` bits (UG573 SDP modes).
int64_t bram18For(int64_t depth, int64_t width)
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
        u.bram36 = lutram ? 0 : double(bram18For(u.wmem, int64_t(P) * Q * W)) / 2;
        u.weightsIn = lutram ? "LUTRAM" : "BRAM";
        u.thresholdsIn = B > 0 ? "LUTRAM" : "-";
        return u;
    }

    // Calibrated model.
    // An adder tree over SIMD lanes of w-bit products costs about (w + 1)
    // LUTs per lane; XNOR-popcount (w = 1) is the calibrated unit.
    const double productBits = W + A - 1;
    const double partial = (W > 1 && A > 1) ? double(W) * A : 0;
    const double lane = kLaneLut * (productBits + 1) / 2 + partial;
    const double comparators = double(thresholds) * acc;
    double lut = kUnitLut + double(P) * (Q * lane + acc + comparators);
    double bram18 = 0;
    // Weights: one memory per PE, WMEM words × SIMD*W bits.
    const int64_t wordBits = int64_t(Q) * W;
    if (u.wmem <= kLutramMaxWords) {
        lut += double(P) * wordBits * double(ceilDiv(u.wmem, 64));
        u.weightsIn = "LUTRAM";
    } else {
        const int64_t perPe = bram18For(u.wmem, wordBits);
        if (device && device->uram > 0 && perPe > kUramMinBram18) {
            u.uram = int64_t(P) * uramFor(u.wmem, wordBits);
            u.weightsIn = "URAM";
        } else {
            bram18 += double(P) * perPe;
            u.weightsIn = "BRAM";
        }
    }
    // Thresholds: one memory per PE, TMEM entries × thresholds × 16 bits.
    if (thresholds > 0) {
        const int64_t entryBits = thresholds * kThresholdBits;
        if (u.tmem * entryBits >= kThresholdBramBits) {
            bram18 += double(P) * bram18For(u.tmem, entryBits);
            u.thresholdsIn = "BRAM";
        } else {
            lut += double(P) * double(thresholds) * acc * double(ceilDiv(u.tmem, 64));
            u.thresholdsIn = "LUTRAM";
        }
    }
    u.lut = lut;
    u.bram36 = bram18 / 2;
    if (W >= 4 && A >= 4)
        u.dsp = int64_t(P) * Q; // wide products go to DSP slices, one per lane
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

} // namespace

std::string costModelName(CostModel model)
{
    return model == CostModel::Finn ? "finn" : "calibrated";
}

std::string Estimate::provenance() const
{
    std::ostringstream s;
    s << "folding " << (folding.source.empty() ? std::string("(unnamed)") : folding.source) << ", model "
      << (model == CostModel::Finn ? "FINN analytic (uncalibrated)" : "calibrated (FINN + Vivado: lfcW1A1, cnvW1A1)")
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
        d.severity = Severity::Error;
        d.category = DiagnosticCategory::HardwareFit;
        d.message = std::string("the design needs ") + fmtFixed(r.percent, 0) + " % of the " + e.part + "'s " + r.name +
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
          << pad(fmtFixed(e.dspPercent, 1), 5, true) << (e.fits ? "  fits" : "  DOES NOT FIT") << "\n";
    s << "\nbottleneck: " << e.bottleneck << ", " << fmtInt(double(e.bottleneckCycles)) << " cycles per frame\n"
      << "throughput: " << fmtFixed(e.fps, 1) << " FPS at " << fmtFixed(e.clockMhz, 1) << " MHz\n"
      << "latency:    " << fmtFixed(e.latencyUs, 1) << " µs (" << fmtInt(double(e.latencyCycles))
      << " cycles, every unit once)\n";
    for (const Diagnostic& d : fitProblems(e))
        s << "error: " << d.message << " (" << d.fix << ")\n";
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
