#include "core/hw/finn_comparison.h"

#include <algorithm>
#include <regex>

namespace qnn {

namespace {

const char* kOther = "other units";

void add(ResourceFigures& f, double lut, double bram18, double dsp, double cycles)
{
    f.present = true;
    f.lut += lut;
    f.bram18 += bram18;
    f.dsp += dsp;
    if (cycles >= 0)
        f.cycles = std::max(f.cycles, cycles);
}

void addFinn(ResourceFigures& f, const FinnLayerResources& r, double cycles)
{
    add(f, r.lut(), r.bram18(), r.dsp(), cycles);
}

} // namespace

const MatrixLayer* finnUnitLayer(const Dataflow& df, const std::string& unit)
{
    // Names across FINN's versions: MVAU_hls/_rtl (0.10+), MatrixVectorActivation
    // (0.8-0.9), StreamingFCLayer_Batch (older); post-synthesis names carry the
    // partition in front.
    static const std::regex matrix(
        R"((?:MVAU|MatrixVectorActivation|StreamingFCLayer_Batch|VectorVectorActivation)(?:_hls|_rtl)?_(\d{1,6})$)");
    static const std::regex window(R"(ConvolutionInputGenerator(?:1D)?(?:_hls|_rtl)?_(\d{1,6})$)");
    std::smatch m;
    if (std::regex_search(unit, m, matrix)) {
        const size_t index = std::stoul(m[1].str());
        return index < df.layers.size() ? &df.layers[index] : nullptr;
    }
    if (std::regex_search(unit, m, window)) {
        size_t index = std::stoul(m[1].str());
        for (const MatrixLayer& l : df.layers)
            if (l.kind == LayerKind::Conv2D && index-- == 0)
                return &l;
    }
    return nullptr;
}

FinnComparison compareWithFinn(const Dataflow& df, const Estimate& ours, const FinnReport& finn)
{
    FinnComparison c;
    c.hasEstimate = finn.hasEstimate;
    c.hasPerformance = finn.hasPerformance;
    c.hasSynthesis = finn.hasSynthesis;
    for (const MatrixLayer& l : df.layers)
        c.rows.push_back(FinnComparisonRow{l.name, {}, {}, {}, {}});
    FinnComparisonRow other{kOther, {}, {}, {}, {}};
    auto rowOf = [&](const std::string& unit) -> FinnComparisonRow& {
        const MatrixLayer* l = finnUnitLayer(df, unit);
        return l ? c.rows[size_t(l->index)] : other;
    };
    auto note = [](FinnComparisonRow& row, const std::string& unit) {
        if (std::find(row.finnUnits.begin(), row.finnUnits.end(), unit) == row.finnUnits.end())
            row.finnUnits.push_back(unit);
    };

    if (ours.ok) {
        for (const UnitEstimate& u : ours.units) {
            FinnComparisonRow* row = &other;
            for (FinnComparisonRow& r : c.rows)
                if (u.name == r.layer || u.name == r.layer + " window")
                    row = &r;
            add(row->ours, u.lut, 2 * u.bram36, double(u.dsp), double(u.cycles));
        }
        c.total.ours = ResourceFigures{true, ours.lut, 2 * ours.bram36, double(ours.dsp), double(ours.bottleneckCycles)};
        c.oursFps = ours.fps;
        c.oursLatencyUs = ours.latencyUs;
        c.oursMaxCycles = double(ours.bottleneckCycles);
        c.oursBottleneck = ours.bottleneck;
    }
    for (const FinnLayerResources& r : finn.estimateLayers) {
        auto cycles = finn.layerCycles.find(r.name);
        FinnComparisonRow& row = rowOf(r.name);
        addFinn(row.estimate, r, cycles == finn.layerCycles.end() ? -1 : cycles->second);
        note(row, r.name);
    }
    // Cycles of units the resource report leaves out (FIFOs have no cycles entry, but older reports vary).
    for (const auto& [name, cycles] : finn.layerCycles) {
        FinnComparisonRow& row = rowOf(name);
        if (row.estimate.present)
            row.estimate.cycles = std::max(row.estimate.cycles, cycles);
    }
    for (const FinnLayerResources& r : finn.synthLayers) {
        FinnComparisonRow& row = rowOf(r.name);
        addFinn(row.synthesis, r, -1);
        note(row, r.name);
    }
    if (other.ours.present || other.estimate.present || other.synthesis.present)
        c.rows.push_back(other);

    c.total.layer = "total";
    if (finn.hasEstimate)
        addFinn(c.total.estimate, finn.estimateTotal, finn.hasPerformance ? finn.maxCycles : -1);
    if (finn.hasSynthesis)
        addFinn(c.total.synthesis, finn.synthTotal, -1);
    if (finn.hasPerformance) {
        c.finnFps = finn.estimatedFps;
        c.finnLatencyUs = finn.estimatedLatencyNs / 1000.0;
        c.finnMaxCycles = finn.maxCycles;
        const MatrixLayer* l = finnUnitLayer(df, finn.maxCyclesNode);
        c.finnBottleneck = l ? l->name : finn.maxCyclesNode;
    }
    return c;
}

} // namespace qnn
