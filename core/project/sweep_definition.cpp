#include "core/project/sweep_definition.h"

#include "core/run/run_paths.h"
#include "core/sweep/sweep_axis.h"
#include "core/graph/graph_json.h"
#include "core/util/json_file.h"

#include <algorithm>

namespace qnn {

using nlohmann::json;

bool SweepDefinition::operator==(const SweepDefinition& o) const
{
    return name == o.name && axes == o.axes && seeds == o.seeds && firstSeed == o.firstSeed && epochs == o.epochs &&
           trainLimit == o.trainLimit && threads == o.threads && device == o.device && dataDir == o.dataDir &&
           targetFps == o.targetFps && backend == o.backend && jobs == o.jobs && partition == o.partition &&
           time == o.time && cpusPerTask == o.cpusPerTask && gpusPerTask == o.gpusPerTask &&
           maxRunning == o.maxRunning && sbatchArgs == o.sbatchArgs && nodeQnnw == o.nodeQnnw;
}

std::string SweepDefinition::axisText(const Axis& axis)
{
    std::string s = axis.key + "=";
    for (size_t i = 0; i < axis.values.size(); ++i)
        s += (i ? "," : "") + axis.values[i];
    return s;
}

json sweepDefinitionToJson(const SweepDefinition& d)
{
    json axes = json::array();
    for (const SweepDefinition::Axis& a : d.axes)
        axes.push_back({{"key", a.key}, {"values", a.values}});
    return {{"axes", axes},
            {"seeds", d.seeds},
            {"first_seed", d.firstSeed},
            {"epochs", d.epochs},
            {"train_limit", d.trainLimit},
            {"threads", d.threads},
            {"device", d.device},
            {"data_dir", d.dataDir},
            {"target_fps", d.targetFps},
            {"backend", d.backend},
            {"jobs", d.jobs},
            {"slurm",
             {{"partition", d.partition},
              {"time", d.time},
              {"cpus_per_task", d.cpusPerTask},
              {"gpus_per_task", d.gpusPerTask},
              {"max_running", d.maxRunning},
              {"sbatch_args", d.sbatchArgs},
              {"node_qnnw", d.nodeQnnw}}}};
}

namespace {

// Each key this section knows, for the sentence that names an unknown one.
const std::vector<std::string> kKeys{"axes",        "seeds",      "first_seed", "epochs", "train_limit", "threads",
                                     "device",      "data_dir",   "target_fps", "backend", "jobs",       "slurm"};
const std::vector<std::string> kSlurmKeys{"partition",   "time",        "cpus_per_task", "gpus_per_task",
                                          "max_running", "sbatch_args", "node_qnnw"};

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + v[i];
    return s;
}

bool knownKeys(const json& obj, const std::vector<std::string>& keys, const std::string& where, std::string& error)
{
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
            error = where + ": unknown key '" + it.key() + "' (a sweep knows " + joined(keys) + ")";
            return false;
        }
    return true;
}

// Typed reads of optional fields; the first mistake is the sentence.
struct Reader {
    const json& obj;
    std::string where;
    std::string& error;
    bool ok = true;

    const json* find(const char* key)
    {
        if (!ok)
            return nullptr;
        auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }
    bool wrong(const char* key, const char* want, const json& v)
    {
        error = where + "." + key + ": expected " + want + ", got " + jsonTypeName(v);
        ok = false;
        return false;
    }
    template <typename T>
    void integer(const char* key, T& out, T min)
    {
        if (const json* v = find(key)) {
            if (!v->is_number_integer())
                return void(wrong(key, "an integer", *v));
            const long long x = v->get<long long>();
            if (x < static_cast<long long>(min)) {
                error = where + "." + key + ": " + std::to_string(x) + " is below " + std::to_string(min);
                ok = false;
                return;
            }
            out = static_cast<T>(x);
        }
    }
    void number(const char* key, double& out)
    {
        if (const json* v = find(key)) {
            if (!v->is_number() || v->get<double>() < 0)
                return void(wrong(key, "a number of 0 or more", *v));
            out = v->get<double>();
        }
    }
    void str(const char* key, std::string& out)
    {
        if (const json* v = find(key)) {
            if (!v->is_string())
                return void(wrong(key, "a string", *v));
            out = v->get<std::string>();
        }
    }
    void strings(const char* key, std::vector<std::string>& out)
    {
        if (const json* v = find(key)) {
            if (!v->is_array())
                return void(wrong(key, "a list of strings", *v));
            out.clear();
            for (const json& s : *v) {
                if (!s.is_string())
                    return void(wrong(key, "a list of strings", s));
                out.push_back(s.get<std::string>());
            }
        }
    }
};

} // namespace

bool sweepDefinitionFromJson(const json& j, const std::string& name, SweepDefinition& out, std::string& error)
{
    const std::string where = "sweeps." + name;
    std::string nameError;
    if (!isSafeRunName(name, nameError)) {
        error = where + ": the name is the sweep folder's, and " + nameError;
        return false;
    }
    if (!j.is_object()) {
        error = where + ": expected an object, got " + jsonTypeName(j);
        return false;
    }
    if (!knownKeys(j, kKeys, where, error))
        return false;
    SweepDefinition d;
    d.name = name;
    auto axes = j.find("axes");
    if (axes == j.end() || !axes->is_array() || axes->empty()) {
        error = where + ".axes: expected a list of at least one {\"key\": ..., \"values\": [...]}";
        return false;
    }
    for (size_t i = 0; i < axes->size(); ++i) {
        const json& a = (*axes)[i];
        const std::string at = where + ".axes[" + std::to_string(i) + "]";
        if (!a.is_object() || !knownKeys(a, {"key", "values"}, at, error)) {
            if (!a.is_object())
                error = at + ": expected {\"key\": ..., \"values\": [...]}, got " + jsonTypeName(a);
            return false;
        }
        SweepDefinition::Axis axis;
        Reader r{a, at, error};
        r.str("key", axis.key);
        r.strings("values", axis.values);
        if (!r.ok)
            return false;
        SweepAxis parsed;
        std::string axisError;
        if (!parseAxis(SweepDefinition::axisText(axis), parsed, axisError)) {
            error = at + ": " + axisError;
            return false;
        }
        for (const SweepDefinition::Axis& before : d.axes)
            if (before.key == axis.key) {
                error = at + ": the axis " + axis.key + " is given twice; list every value in one axis";
                return false;
            }
        d.axes.push_back(axis);
    }
    Reader r{j, where, error};
    r.integer("seeds", d.seeds, 1);
    r.integer("first_seed", d.firstSeed, -1LL);
    r.integer("epochs", d.epochs, -1);
    r.integer("train_limit", d.trainLimit, -1LL);
    r.integer("threads", d.threads, -1);
    r.str("device", d.device);
    r.str("data_dir", d.dataDir);
    r.number("target_fps", d.targetFps);
    r.str("backend", d.backend);
    r.integer("jobs", d.jobs, 1);
    if (!r.ok)
        return false;
    if (d.device != "auto" && d.device != "cpu" && d.device != "cuda") {
        error = where + ".device: '" + d.device + "' is none of auto, cpu, cuda";
        return false;
    }
    if (d.backend != "local" && d.backend != "slurm") {
        error = where + ".backend: '" + d.backend + "' is neither local nor slurm";
        return false;
    }
    if (auto slurm = j.find("slurm"); slurm != j.end()) {
        if (!slurm->is_object()) {
            error = where + ".slurm: expected an object, got " + jsonTypeName(*slurm);
            return false;
        }
        if (!knownKeys(*slurm, kSlurmKeys, where + ".slurm", error))
            return false;
        Reader s{*slurm, where + ".slurm", error};
        s.str("partition", d.partition);
        s.str("time", d.time);
        s.integer("cpus_per_task", d.cpusPerTask, 0);
        s.integer("gpus_per_task", d.gpusPerTask, 0);
        s.integer("max_running", d.maxRunning, 0);
        s.strings("sbatch_args", d.sbatchArgs);
        s.str("node_qnnw", d.nodeQnnw);
        if (!s.ok)
            return false;
    }
    out = std::move(d);
    return true;
}

const SweepDefinition* findSweepDefinition(const std::vector<SweepDefinition>& sweeps, const std::string& name)
{
    for (const SweepDefinition& d : sweeps)
        if (d.name == name)
            return &d;
    return nullptr;
}

void putSweepDefinition(std::vector<SweepDefinition>& sweeps, const SweepDefinition& d)
{
    auto it = std::find_if(sweeps.begin(), sweeps.end(), [&](const SweepDefinition& s) { return s.name == d.name; });
    if (it != sweeps.end()) {
        *it = d;
        return;
    }
    sweeps.push_back(d);
    std::sort(sweeps.begin(), sweeps.end(),
              [](const SweepDefinition& a, const SweepDefinition& b) { return a.name < b.name; });
}

} // namespace qnn
