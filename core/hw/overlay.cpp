#include "core/hw/overlay.h"

#include <sstream>

namespace qnn {

namespace {

OverlayLayer dense(int64_t mh, int64_t mw, int w, int a, int out, LayerFold fold)
{
    OverlayLayer l;
    l.kind = LayerKind::Dense;
    l.mh = mh;
    l.mw = mw;
    l.ifmCh = mw;
    l.weightBits = w;
    l.inputBits = a;
    l.outputBits = out;
    l.fold = fold;
    return l;
}

OverlayLayer conv(int64_t filters, int64_t ifmCh, int64_t ifmDim, int w, int a, int out, bool pool, LayerFold fold)
{
    OverlayLayer l;
    l.kind = LayerKind::Conv2D;
    l.mh = filters;
    l.k = 3;
    l.ifmCh = ifmCh;
    l.ifmDim = ifmDim;
    l.mw = 9 * ifmCh;
    l.weightBits = w;
    l.inputBits = a;
    l.outputBits = out;
    l.poolAfter = pool;
    l.fold = fold;
    return l;
}

Overlay lfc(const std::string& name, int a)
{
    // 784 binarized pixels → 1024 → 1024 → 1024 → 10 (thresholded, one bit per class).
    Overlay o{name, "LFC", "mnist", 1, {}};
    o.layers = {dense(1024, 784, 1, 1, a, {32, 64}), dense(1024, 1024, 1, a, a, {64, 32}),
                dense(1024, 1024, 1, a, a, {32, 64}), dense(10, 1024, 1, a, 1, {16, 8})};
    return o;
}

Overlay cnv(const std::string& name, int w, int a, const std::vector<LayerFold>& f)
{
    // 3×32×32 8-bit pixels; convs 64, 64, pool, 128, 128, pool, 256, 256; Dense 512, 512, 10 (scores).
    Overlay o{name, "CNV", "cifar10", 8, {}};
    o.layers = {conv(64, 3, 32, w, 8, a, false, f[0]),     conv(64, 64, 30, w, a, a, true, f[1]),
                conv(128, 64, 14, w, a, a, false, f[2]),   conv(128, 128, 12, w, a, a, true, f[3]),
                conv(256, 128, 5, w, a, a, false, f[4]),   conv(256, 256, 3, w, a, a, false, f[5]),
                dense(512, 256, w, a, a, f[6]),            dense(512, 512, w, a, a, f[7]),
                dense(10, 512, w, a, 0, f[8])};
    return o;
}

std::vector<Overlay> buildOverlays()
{
    const std::vector<LayerFold> cnvA1{{16, 3}, {32, 32}, {16, 32}, {16, 32}, {4, 32}, {1, 32}, {1, 4}, {1, 8}, {4, 1}};
    const std::vector<LayerFold> cnvW2{{8, 3}, {16, 16}, {8, 16}, {8, 16}, {4, 8}, {1, 8}, {1, 2}, {2, 2}, {4, 1}};
    return {lfc("lfcW1A1", 1), lfc("lfcW1A2", 2), cnv("cnvW1A1", 1, 1, cnvA1), cnv("cnvW1A2", 1, 2, cnvA1),
            cnv("cnvW2A2", 2, 2, cnvW2)};
}

std::string bitsWord(int bits) { return std::to_string(bits) + "-bit"; }

std::string outputWord(int bits) { return bits == 0 ? "scores passed through" : bitsWord(bits) + " outputs"; }

int layersDiffering(const std::vector<OverlayDifference>& diffs)
{
    int count = 0;
    NodeId last = kInvalidNode - 1;
    for (const OverlayDifference& d : diffs)
        if (d.node != last) {
            ++count;
            last = d.node;
        }
    return count;
}

} // namespace

const std::vector<Overlay>& prebuiltOverlays()
{
    static const std::vector<Overlay> overlays = buildOverlays();
    return overlays;
}

std::vector<std::string> prebuiltOverlayNames()
{
    std::vector<std::string> names;
    for (const Overlay& o : prebuiltOverlays())
        names.push_back(o.name);
    return names;
}

std::string prebuiltOverlayList(const std::string& separator)
{
    std::string out;
    for (const Overlay& o : prebuiltOverlays())
        out += (out.empty() ? "" : separator) + o.name;
    return out;
}

const Overlay* findOverlay(const std::string& name)
{
    for (const Overlay& o : prebuiltOverlays())
        if (o.name == name)
            return &o;
    return nullptr;
}

std::vector<OverlayDifference> compareWithOverlay(const Dataflow& df, const Overlay& o)
{
    std::vector<OverlayDifference> out;
    if (df.inputBits != o.inputBits)
        out.push_back({kInvalidNode, "the input has " + bitsWord(df.inputBits) + " pixels, the " + o.name +
                                         " overlay takes " + bitsWord(o.inputBits) + " ones"});
    if (df.layers.size() != o.layers.size())
        out.push_back({kInvalidNode, "the graph has " + std::to_string(df.layers.size()) +
                                         " Dense/Conv2D layers, the " + o.name + " overlay has " +
                                         std::to_string(o.layers.size())});
    const size_t n = std::min(df.layers.size(), o.layers.size());
    for (size_t i = 0; i < n; ++i) {
        const MatrixLayer& g = df.layers[i];
        const OverlayLayer& ol = o.layers[i];
        auto add = [&](const std::string& what) { out.push_back({g.node, g.name + ": " + what}); };
        const bool isConv = ol.kind == LayerKind::Conv2D;
        if (g.kind != ol.kind) {
            add("a " + layerKindName(g.kind) + ", the overlay has a " + layerKindName(ol.kind) + " there");
            continue;
        }
        const std::string rows = isConv ? " filters" : " units";
        if (g.mh != ol.mh)
            add(std::to_string(g.mh) + rows + ", the overlay has " + std::to_string(ol.mh));
        if (isConv) {
            if (g.k != ol.k || g.stride != 1 || g.pad != 0)
                add("kernel " + std::to_string(g.k) + " stride " + std::to_string(g.stride) + " padding " +
                    std::to_string(g.pad) + ", the overlay has kernel 3 stride 1 padding 0");
            if (g.ifmCh != ol.ifmCh || g.ifmH != ol.ifmDim || g.ifmW != ol.ifmDim)
                add("input " + std::to_string(g.ifmCh) + "×" + std::to_string(g.ifmH) + "×" + std::to_string(g.ifmW) +
                    ", the overlay has " + std::to_string(ol.ifmCh) + "×" + std::to_string(ol.ifmDim) + "×" +
                    std::to_string(ol.ifmDim));
        } else if (g.mw != ol.mw) {
            add(std::to_string(g.mw) + " inputs, the overlay has " + std::to_string(ol.mw));
        }
        if (g.weightBits != ol.weightBits)
            add(bitsWord(g.weightBits) + " weights, the overlay has " + bitsWord(ol.weightBits));
        if (g.inputBits != ol.inputBits)
            add(bitsWord(g.inputBits) + " inputs, the overlay has " + bitsWord(ol.inputBits));
        const int gOut = g.thresholdsPerRow == 0 ? 0 : g.outputBits;
        if (gOut != ol.outputBits)
            add(outputWord(gOut) + ", the overlay has " + outputWord(ol.outputBits));
        if (g.poolAfter != ol.poolAfter || (g.poolAfter && (g.poolK != 2 || g.poolStride != 2)))
            add(ol.poolAfter ? std::string("the overlay has a 2×2 max pool after it")
                             : std::string("followed by a max pool the overlay does not have"));
    }
    return out;
}

OverlayMatch matchOverlay(const Dataflow& df)
{
    OverlayMatch m;
    if (!df.ok()) {
        m.verdict = "no prebuilt overlay: " + df.problems.front().message;
        return m;
    }
    int best = -1;
    std::vector<OverlayDifference> bestDiffs;
    for (const Overlay& o : prebuiltOverlays()) {
        std::vector<OverlayDifference> diffs = compareWithOverlay(df, o);
        const int countDiff = std::abs(int(df.layers.size()) - int(o.layers.size()));
        const int score = countDiff * 1000 + layersDiffering(diffs) * 10 + int(diffs.size());
        if (best < 0 || score < best) {
            best = score;
            bestDiffs = std::move(diffs);
            m.overlay = &o;
        }
        if (best == 0)
            break;
    }
    m.differences = std::move(bestDiffs);
    m.matches = m.differences.empty();
    if (m.matches) {
        m.verdict = "matches the prebuilt " + m.overlay->name + " overlay: only the weights change";
        return m;
    }
    std::ostringstream s;
    const int layers = layersDiffering(m.differences);
    s << "no prebuilt overlay matches; the nearest, " << m.overlay->name << ", differs";
    if (m.differences.front().node != kInvalidNode || layers > 1)
        s << " in " << layers << (layers == 1 ? " place" : " places");
    s << ": ";
    for (size_t i = 0; i < m.differences.size(); ++i)
        s << (i ? "; " : "") << m.differences[i].text;
    m.verdict = s.str();
    return m;
}

Folding overlayFolding(const Dataflow& df, const Overlay& o)
{
    Folding f;
    f.source = "bnn-pynq " + o.name;
    for (size_t i = 0; i < df.layers.size() && i < o.layers.size(); ++i)
        f.layers[df.layers[i].name] = o.layers[i].fold;
    return f;
}

bool overlayFoldingMatches(const Dataflow& df, const Overlay& o, const Folding& folding)
{
    if (df.layers.size() != o.layers.size())
        return false;
    for (size_t i = 0; i < df.layers.size(); ++i) {
        const LayerFold* f = folding.find(df.layers[i].name);
        if (!f || *f != o.layers[i].fold)
            return false;
    }
    return true;
}

std::string overlayVerdict(const OverlayMatch& m, const Dataflow& df, const Folding& folding)
{
    if (!m.matches || !m.overlay || overlayFoldingMatches(df, *m.overlay, folding))
        return m.verdict;
    std::ostringstream s;
    s << "has the shapes and precisions of the prebuilt " << m.overlay->name << " overlay, but not its folding (";
    int shown = 0, differing = 0;
    for (size_t i = 0; i < df.layers.size() && i < m.overlay->layers.size(); ++i) {
        const LayerFold* f = folding.find(df.layers[i].name);
        const LayerFold& want = m.overlay->layers[i].fold;
        if (f && *f == want)
            continue;
        ++differing;
        if (shown++ < 2)
            s << (shown > 1 ? "; " : "") << df.layers[i].name << " PE " << (f ? f->pe : 0) << " SIMD "
              << (f ? f->simd : 0) << ", the overlay's " << want.pe << " × " << want.simd;
    }
    if (differing > shown)
        s << "; " << differing - shown << " more";
    s << "): this folding needs a rebuild of the bitstream; its own folding would keep it (only the weights change)";
    return s.str();
}

bool bnnPynqFolding(const Dataflow& df, Folding& out, std::string& error)
{
    const OverlayMatch m = matchOverlay(df);
    if (!m.matches) {
        if (!m.overlay)
            error = "the graph has no BNN-PYNQ folding: " + m.verdict.substr(std::string("no prebuilt overlay: ").size());
        else
            error = "the graph matches no prebuilt BNN-PYNQ overlay; the nearest is " + m.overlay->name +
                    ", and the first difference is: " + m.differences.front().text;
        return false;
    }
    out = overlayFolding(df, *m.overlay);
    return true;
}

} // namespace qnn
