// What a device can do at each precision: the peak operations per second if
// a fraction of it is filled with multiply-accumulate units, from a LUT and
// DSP cost per operation. This is the view of the project's seed deck; it is
// an upper bound (no memory, no control, no data movement), not an estimate
// of any network: that is estimate.cpp's job.
#include "core/hw/peak.h"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace qnn {

namespace {

std::string fixed(double v, int digits)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}

std::string pad(const std::string& s, size_t width)
{
    size_t chars = 0;
    for (unsigned char c : s)
        chars += (c & 0xC0) != 0x80;
    return chars >= width ? s : std::string(width - chars, ' ') + s;
}

} // namespace

const std::vector<PrecisionCost>& precisionCosts()
{
    // 2 bits: a b-bit multiplier costs about b² LUTs and its adder about b,
    // so a·b² + c·b through the seed's 4- and 8-bit figures (16 and 45):
    // a = 13/32, c = 19/8, which gives 6.375 at 2 bits (and 2.78 at 1 bit,
    // where the seed's 2.5 is an XNOR, cheaper than a multiplier).
    static const std::vector<PrecisionCost> costs{
        {1, 2.5, 0, "seed"},   {2, 6.375, 0, "interpolated"}, {4, 16, 0, "seed"},
        {8, 45, 0, "seed"},    {16, 15, 0.5, "seed"},         {32, 178, 2, "seed"},
    };
    return costs;
}

double peakClockMhz(const Device& device)
{
    return device.peakClockMhz > 0 ? device.peakClockMhz : device.defaultClockMhz;
}

PeakTable peakTable(const Device& device, double clockMhz, double fill)
{
    PeakTable t;
    t.part = device.part;
    t.clockMhz = clockMhz;
    t.fill = fill;
    for (const PrecisionCost& c : precisionCosts()) {
        PeakRow r;
        r.cost = c;
        r.lutOpsPerCycle = fill * double(device.lut) / c.lutPerOp;
        r.dspOpsPerCycle =
            c.dspPerOp > 0 ? fill * double(device.dsp) / c.dspPerOp : std::numeric_limits<double>::infinity();
        const bool dspBound = r.dspOpsPerCycle < r.lutOpsPerCycle;
        r.limitedBy = dspBound ? "DSP" : "LUT";
        r.opsPerSecond = (dspBound ? r.dspOpsPerCycle : r.lutOpsPerCycle) * clockMhz * 1e6;
        t.rows.push_back(r);
    }
    return t;
}

double opsPerFrame(const Dataflow& df)
{
    double macs = 0;
    for (const MatrixLayer& l : df.layers)
        macs += double(l.mh) * double(l.mw) * double(l.ofmPixels());
    return 2 * macs;
}

std::string formatOps(double ops)
{
    static const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
    int i = 0;
    while (i < 5 && std::abs(ops) >= 1000) {
        ops /= 1000;
        ++i;
    }
    return fixed(ops, ops >= 100 || i == 0 ? 0 : ops >= 10 ? 1 : 2) + " " + prefixes[i] + "op/s";
}

std::string formatPeakTable(const PeakTable& t, double requiredOps, const std::string& requiredWhat)
{
    std::ostringstream s;
    s << "Peak operations per second of the " << t.part << ": " << fixed(t.fill * 100, 0)
      << " % of its LUTs and DSPs as multiply-accumulate units at " << fixed(t.clockMhz, 0) << " MHz\n\n"
      << pad("bits", 5) << pad("LUT/op", 9) << pad("DSP/op", 8) << pad("ops/cycle", 12) << pad("peak", 14)
      << "  limited by\n";
    for (const PeakRow& r : t.rows) {
        const double perCycle = std::min(r.lutOpsPerCycle, r.dspOpsPerCycle);
        s << pad(std::to_string(r.cost.bits), 5)
          << pad(fixed(r.cost.lutPerOp, r.cost.lutPerOp == std::floor(r.cost.lutPerOp) ? 0 : 1) +
                     (r.cost.source == "seed" ? "" : "*"),
                 9)
          << pad(r.cost.dspPerOp > 0 ? fixed(r.cost.dspPerOp, 1) : "-", 8) << pad(fixed(perCycle, 0), 12)
          << pad(formatOps(r.opsPerSecond), 14) << "  " << r.limitedBy << "\n";
    }
    s << "(* not among the seed's figures: interpolated, a·b² + c·b through 4 and 8 bits)\n";
    if (requiredOps > 0) {
        s << "\nthe network needs " << formatOps(requiredOps) << (requiredWhat.empty() ? "" : " (" + requiredWhat + ")")
          << "; peak reaches it at:";
        bool any = false;
        for (const PeakRow& r : t.rows)
            if (r.opsPerSecond >= requiredOps) {
                s << " " << r.cost.bits;
                any = true;
            }
        s << (any ? " bits\n" : " no precision\n");
    }
    return s.str();
}

nlohmann::json peakTableToJson(const PeakTable& t)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const PeakRow& r : t.rows)
        rows.push_back({{"bits", r.cost.bits},
                        {"lut_per_op", r.cost.lutPerOp},
                        {"dsp_per_op", r.cost.dspPerOp},
                        {"cost_source", r.cost.source},
                        {"ops_per_cycle", std::min(r.lutOpsPerCycle, r.dspOpsPerCycle)},
                        {"ops_per_second", r.opsPerSecond},
                        {"limited_by", r.limitedBy}});
    return {{"part", t.part}, {"clock_mhz", t.clockMhz}, {"fill", t.fill}, {"rows", rows}};
}

} // namespace qnn
