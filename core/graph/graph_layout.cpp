#include "core/graph/graph_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qnn {

namespace {

struct Columns {
    /** Column index → node ids, top to bottom. */
    std::map<int, std::vector<NodeId>> ids;
};

Columns layerColumns(const Graph& graph, const GraphAnalysis& analysis)
{
    std::map<NodeId, int> column;
    for (NodeId id : analysis.order) {
        int c = 0;
        for (const Edge& e : graph.inEdges(id))
            if (auto it = column.find(e.fromNode); it != column.end())
                c = std::max(c, it->second + 1);
        column[id] = c;
    }
    std::vector<NodeId> ordered = analysis.order;
    for (const auto& [id, n] : graph.nodes())
        if (!column.count(id)) { // on a cycle: no topological place
            column[id] = 0;
            ordered.push_back(id);
        }
    std::map<int, std::vector<NodeId>> byColumn;
    for (NodeId id : ordered)
        byColumn[column[id]].push_back(id);
    // Rows within a column follow their inputs' rows, which keeps edges short and mostly uncrossed.
    std::map<NodeId, double> row;
    Columns out;
    for (auto& [c, ids] : byColumn) {
        std::vector<std::pair<double, NodeId>> keyed;
        for (NodeId id : ids) {
            double sum = 0;
            int count = 0;
            for (const Edge& e : graph.inEdges(id))
                if (auto it = row.find(e.fromNode); it != row.end()) {
                    sum += it->second;
                    ++count;
                }
            keyed.push_back({count ? sum / count : 0.0, id});
        }
        std::stable_sort(keyed.begin(), keyed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (size_t i = 0; i < keyed.size(); ++i) {
            row[keyed[i].second] = double(i);
            out.ids[c].push_back(keyed[i].second);
        }
    }
    return out;
}

std::map<NodeId, Point> place(const Columns& columns, int perBand, const LayoutGrid& grid)
{
    std::map<NodeId, Point> positions;
    perBand = std::max(1, perBand);
    std::map<int, size_t> bandRows;
    for (const auto& [c, ids] : columns.ids)
        bandRows[c / perBand] = std::max(bandRows[c / perBand], ids.size());
    std::map<int, double> bandTop;
    double y = grid.top;
    for (const auto& [band, rows] : bandRows) {
        bandTop[band] = y;
        y += double(rows) * grid.rowStep + grid.bandGap;
    }
    for (const auto& [c, ids] : columns.ids)
        for (size_t r = 0; r < ids.size(); ++r)
            positions[ids[r]] = {grid.left + double(c % perBand) * grid.columnStep,
                                 bandTop[c / perBand] + double(r) * grid.rowStep};
    return positions;
}

} // namespace

std::map<NodeId, Point> arrangeLayers(const Graph& graph, const GraphAnalysis& analysis, int columnsPerBand,
                                      const LayoutGrid& grid)
{
    return place(layerColumns(graph, analysis), columnsPerBand, grid);
}

double fittedZoom(const std::map<NodeId, Point>& positions, const LayoutGrid& grid, double viewWidth,
                  double viewHeight, double margin)
{
    if (positions.empty())
        return 1.0;
    double left = std::numeric_limits<double>::max(), top = left;
    double right = std::numeric_limits<double>::lowest(), bottom = right;
    for (const auto& [id, p] : positions) {
        left = std::min(left, p.x);
        top = std::min(top, p.y);
        right = std::max(right, p.x + grid.nodeWidth);
        bottom = std::max(bottom, p.y + grid.nodeHeight);
    }
    const double w = right - left + 2 * margin, h = bottom - top + 2 * margin;
    return std::min(viewWidth / w, viewHeight / h);
}

int bestColumnsPerBand(const Graph& graph, const GraphAnalysis& analysis, double viewWidth, double viewHeight,
                       const LayoutGrid& grid)
{
    const Columns columns = layerColumns(graph, analysis);
    const int count = columns.ids.empty() ? 1 : columns.ids.rbegin()->first + 1;
    int best = count;
    double bestZoom = -1;
    // From one band down: a wider band wins a tie, so that a short network stays one row.
    for (int perBand = count; perBand >= 1; --perBand) {
        const double zoom = std::min(1.0, fittedZoom(place(columns, perBand, grid), grid, viewWidth, viewHeight));
        if (zoom > bestZoom + 1e-9) {
            bestZoom = zoom;
            best = perBand;
        }
    }
    return best;
}

} // namespace qnn
