#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** A sweep saved in the project (its "sweeps" section): the axes and seeds,
 *  the overrides every point trains with, and the backend with its options,
 *  so that `qnnw sweep PROJECT --name NAME` and the New Sweep dialog run the
 *  same thing again. Plain text values: whether an axis suits the graph is
 *  decided when the sweep is expanded (core/sweep), as for `--grid`. */
struct SweepDefinition {
    struct Axis {
        /** As `--grid` writes it before '=': "precision", "dense*.units", "lr". */
        std::string key;
        std::vector<std::string> values;
        bool operator==(const Axis& o) const { return key == o.key && values == o.values; }
    };
    /** The key in the project's "sweeps" object, and the sweep folder's name. */
    std::string name;
    std::vector<Axis> axes;
    int seeds = 1;
    /** -1 = the project's seed. */
    long long firstSeed = -1;
    /** -1 = the project's (or the axis'). */
    int epochs = -1;
    long long trainLimit = -1;
    int threads = -1;
    std::string device = "auto";
    std::string dataDir;
    /** 0 = the fastest folding that fits. */
    double targetFps = 0;
    /** local or slurm. */
    std::string backend = "local";
    /** local: points at once. */
    int jobs = 1;
    // slurm (see SlurmOptions; 0 or empty = the cluster's default)
    std::string partition;
    std::string time;
    int cpusPerTask = 0;
    int gpusPerTask = 0;
    int maxRunning = 0;
    std::vector<std::string> sbatchArgs;
    std::string nodeQnnw;

    bool operator==(const SweepDefinition& o) const;
    bool operator!=(const SweepDefinition& o) const { return !(*this == o); }
    /** "KEY=V1,V2" of one axis, as `--grid` and the dialog write it. */
    static std::string axisText(const Axis& axis);
};

/** One definition's object (without its name, which is the key). */
nlohmann::json sweepDefinitionToJson(const SweepDefinition& d);
/** Reads `sweeps.NAME`; an unknown key, a wrong type, an axis that is not
 *  `KEY=V1,V2` or an unknown backend is a sentence naming the field. */
bool sweepDefinitionFromJson(const nlohmann::json& j, const std::string& name, SweepDefinition& out,
                             std::string& error);

/** The definition called `name` in `sweeps`, or nullptr. */
const SweepDefinition* findSweepDefinition(const std::vector<SweepDefinition>& sweeps, const std::string& name);
/** Adds or replaces `d` (by name), keeping the list sorted by name. */
void putSweepDefinition(std::vector<SweepDefinition>& sweeps, const SweepDefinition& d);

} // namespace qnn
