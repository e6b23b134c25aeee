#include "core/run/pareto.h"

#include <algorithm>
#include <numeric>

namespace qnn {

std::vector<size_t> paretoFront(const std::vector<ParetoPoint>& points)
{
    std::vector<size_t> order(points.size());
    std::iota(order.begin(), order.end(), 0);
    // Cheapest first, and among equal costs the most accurate first.
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (points[a].cost != points[b].cost)
            return points[a].cost < points[b].cost;
        return points[a].accuracy > points[b].accuracy;
    });
    std::vector<size_t> front;
    double best = -1;
    bool any = false;
    for (size_t i : order) {
        // On the front when more accurate than everything cheaper.
        if (!any || points[i].accuracy > best) {
            front.push_back(i);
            best = points[i].accuracy;
            any = true;
        }
    }
    return front;
}

} // namespace qnn
