#pragma once

#include "core/project/project.h"
#include "core/sweep/sweep_axis.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** What a sweep varies and how every point trains: the axes, the seeds and
 *  the overrides `qnnw train` gets for each point. */
struct SweepSpec {
    std::vector<SweepAxis> axes;
    int seeds = 1;
    /** First seed; -1 = the project's. Point seeds are first..first+seeds-1. */
    long long firstSeed = -1;
    /** Overrides for every point; negative = the project's (or the axis'). */
    int epochs = -1;
    long long trainLimit = -1;
    int threads = -1;
    std::string device = "auto";
    /** Dataset folder passed to each run; empty = the project's. */
    std::string dataDir;
    /** The FPS the hardware estimate folds for; 0 = the fastest that fits. */
    double targetFps = 0;
};

nlohmann::json sweepSpecToJson(const SweepSpec& spec);
/** The spec a saved definition describes (its axes parsed; the backend
 *  options are the caller's). False with the axis' sentence. */
bool sweepSpecFromDefinition(const SweepDefinition& d, SweepSpec& out, std::string& error);
/** The definition's spec part from a spec (the backend fields are left alone). */
void sweepSpecToDefinition(const SweepSpec& spec, SweepDefinition& d);
bool sweepSpecFromJson(const nlohmann::json& j, SweepSpec& out, std::string& error);

/** One point: a value per axis and a seed. `valid` false with `reason` when
 *  the values do not make a trainable graph; such a point is never run. */
struct SweepPoint {
    int index = 0;
    /** "p000", "p001", ...: the point's folder name. */
    std::string id;
    /** (axis key, value), in axis order. */
    std::vector<std::pair<std::string, std::string>> values;
    long long seed = 1;
    bool valid = true;
    std::string reason;
    /** Dry-run cost: parameters, MACs per image, training memory, epochs,
     *  and the hardware estimate (see pointHardware). */
    nlohmann::json cost;
};

nlohmann::json sweepPointToJson(const SweepPoint& point);
bool sweepPointFromJson(const nlohmann::json& j, SweepPoint& out, std::string& error);

/** "precision=W1A2 dense*.units=512 seed=2": the point in one line. */
std::string pointLabel(const SweepPoint& point);

/** The project a point trains: the base project with each axis value
 *  applied and the seed set. False with the reason when it is not trainable
 *  (a value that does not apply, a shape error, more memory than the machine
 *  has when `checkMemory`). */
bool makePointProject(const Project& base, const SweepSpec& spec, const SweepPoint& point, Project& out,
                      std::string& reason, bool checkMemory = true);

/** Every point of the grid (axes in order, the last varying fastest, seeds
 *  innermost), each validated and costed. */
std::vector<SweepPoint> expandSweep(const Project& base, const SweepSpec& spec);

/** A name that is the same for the same project and spec, so that
 *  submitting a sweep again finds its folder: "<project>-<8 hex digits>". */
std::string defaultSweepName(const Project& base, const SweepSpec& spec);

} // namespace qnn
