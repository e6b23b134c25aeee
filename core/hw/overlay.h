#pragma once

#include "core/hw/dataflow.h"
#include "core/hw/folding.h"

#include <string>
#include <vector>

namespace qnn {

/** One matrix layer of a prebuilt overlay: the shape and precision its
 *  bitstream was built for, and its folding. */
struct OverlayLayer {
    LayerKind kind = LayerKind::Dense;
    int64_t mh = 0;
    /** Unpadded columns, as the graph gives them (784 for LFC's first layer). */
    int64_t mw = 0;
    int k = 1;
    int64_t ifmCh = 0;
    int64_t ifmDim = 1;
    int weightBits = 1;
    int inputBits = 1;
    /** Bits of the thresholded output; 0 when scores pass through (CNV's last layer). */
    int outputBits = 1;
    bool poolAfter = false;
    LayerFold fold;
};

/** A prebuilt BNN-PYNQ overlay (FPGA_NOTES.md): name as the `bnn` package
 *  knows it ("lfcW1A1"), the dataset it classifies and its layers. */
struct Overlay {
    std::string name;
    std::string network; // "LFC" or "CNV"
    std::string dataset; // "mnist" or "cifar10"
    int inputBits = 1;
    std::vector<OverlayLayer> layers;
};

/** lfcW1A1, lfcW1A2, cnvW1A1, cnvW1A2, cnvW2A2, in that order. */
const std::vector<Overlay>& prebuiltOverlays();
const Overlay* findOverlay(const std::string& name);
/** The prebuilt overlays' names, in that order: the one list the CLI's
 *  --network choices and every "is not a BNN-PYNQ network" sentence read. */
std::vector<std::string> prebuiltOverlayNames();
/** The names joined by `separator` ("lfcW1A1, lfcW1A2, …" or "lfcW1A1|lfcW1A2|…"). */
std::string prebuiltOverlayList(const std::string& separator);

/** One way a graph's layer differs from an overlay's. */
struct OverlayDifference {
    NodeId node = kInvalidNode; // kInvalidNode: the graph as a whole (layer count, input)
    std::string text;
};

/** How a graph compares with the prebuilt overlays. */
struct OverlayMatch {
    bool matches = false;
    /** The matching overlay, or the nearest one (fewest differing layers);
     *  nullptr when the graph is not a dataflow at all. */
    const Overlay* overlay = nullptr;
    /** Empty when it matches; otherwise every difference, in layer order. */
    std::vector<OverlayDifference> differences;
    /** "matches the prebuilt lfcW1A1 overlay: only the weights change", or
     *  which layers differ from the nearest overlay and how. */
    std::string verdict;
};

OverlayMatch matchOverlay(const Dataflow& dataflow);

/** The differences of the graph from one given overlay (empty = it matches). */
std::vector<OverlayDifference> compareWithOverlay(const Dataflow& dataflow, const Overlay& overlay);

/** The overlay's folding under the graph's node names (layers matched by
 *  position); source "bnn-pynq <name>". */
Folding overlayFolding(const Dataflow& dataflow, const Overlay& overlay);

/** True when `folding` gives every layer the overlay's PE and SIMD. */
bool overlayFoldingMatches(const Dataflow& dataflow, const Overlay& overlay, const Folding& folding);

/** The verdict under a folding: a prebuilt bitstream has one folding, so a
 *  graph that matches an overlay but is folded otherwise needs a rebuild
 *  ("has the shapes of the prebuilt lfcW1A1 overlay, but dense2 has PE 128
 *  where the overlay has 64: this folding needs a rebuild (Vivado), ..."). */
std::string overlayVerdict(const OverlayMatch& match, const Dataflow& dataflow, const Folding& folding);

/** `--folding bnn-pynq`: the folding of the overlay the graph matches; false
 *  with a sentence naming the nearest overlay and the first difference otherwise. */
bool bnnPynqFolding(const Dataflow& dataflow, Folding& out, std::string& error);

} // namespace qnn
