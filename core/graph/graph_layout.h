#pragma once

#include "core/graph/graph_analysis.h"

#include <map>

namespace qnn {

/** Spacing of an arranged graph, in canvas units; the editor passes its node size. */
struct LayoutGrid {
    double nodeWidth = 140;
    double nodeHeight = 76;
    /** From one column's left edge to the next one's. */
    double columnStep = 200;
    /** From one row's top edge to the next one's, inside a band. */
    double rowStep = 100;
    /** Extra space between two bands, for the edge that wraps from one to the next. */
    double bandGap = 40;
    double left = 40;
    double top = 80;
};

/** Layered left-to-right layout: a node's column is its longest path from an
 *  input, rows in a column follow their inputs' rows. When there are more
 *  columns than `columnsPerBand`, they wrap into bands below one another, as
 *  text wraps into lines, so that a 31-layer chain fills a window instead of
 *  one long row. Nodes on a cycle go to the first column. Pure function. */
std::map<NodeId, Point> arrangeLayers(const Graph& graph, const GraphAnalysis& analysis, int columnsPerBand,
                                      const LayoutGrid& grid = {});

/** The columns per band whose arrangement, fitted into a view of this size
 *  (canvas units at zoom 1), is drawn largest; ties go to fewer bands. */
int bestColumnsPerBand(const Graph& graph, const GraphAnalysis& analysis, double viewWidth, double viewHeight,
                       const LayoutGrid& grid = {});

/** The zoom at which these positions (nodes of the grid's size) just fit the view, with `margin` around them. */
double fittedZoom(const std::map<NodeId, Point>& positions, const LayoutGrid& grid, double viewWidth,
                  double viewHeight, double margin = 40);

} // namespace qnn
