#include "core/project/project.h"

#include "core/graph/graph_json.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace qnn {

using nlohmann::json;

bool TrainingConfig::operator==(const TrainingConfig& o) const
{
    return epochs == o.epochs && batchSize == o.batchSize && optimizer == o.optimizer &&
           learningRate == o.learningRate && learningRateEnd == o.learningRateEnd && schedule == o.schedule &&
           stepEpochs == o.stepEpochs && stepGamma == o.stepGamma && momentum == o.momentum &&
           weightDecay == o.weightDecay && loss == o.loss && seed == o.seed && threads == o.threads &&
           logEveryBatches == o.logEveryBatches && randomShift == o.randomShift && recipe == o.recipe &&
           weightInit == o.weightInit && selectBy == o.selectBy;
}

namespace {

/** Reads optional typed fields of one JSON object and reports the first mistake. */
class FieldReader
{
public:
    FieldReader(const json& obj, std::string where, std::string& error)
        : m_obj(obj), m_where(std::move(where)), m_error(error)
    {
    }

    bool ok() const { return m_ok; }

    void str(const char* key, std::string& out) { read(key, out, &json::is_string, "a string"); }
    void integer(const char* key, int& out) { read(key, out, &json::is_number_integer, "an integer"); }
    void number(const char* key, double& out) { read(key, out, &json::is_number, "a number"); }
    void u64(const char* key, uint64_t& out)
    {
        read(key, out, &json::is_number_unsigned, "a whole number of 0 or more");
    }

private:
    template <typename T>
    void read(const char* key, T& out, bool (json::*check)() const noexcept, const char* want)
    {
        if (!m_ok)
            return;
        auto it = m_obj.find(key);
        if (it == m_obj.end())
            return;
        if (!((*it).*check)()) {
            m_error = m_where + "." + key + ": expected " + want + ", got " + jsonTypeName(*it);
            m_ok = false;
            return;
        }
        out = it->get<T>();
    }

    const json& m_obj;
    std::string m_where;
    std::string& m_error;
    bool m_ok = true;
};

bool objectAt(const json& root, const char* key, const json*& out, std::string& error)
{
    auto it = root.find(key);
    if (it == root.end()) {
        out = nullptr;
        return true;
    }
    if (!it->is_object()) {
        error = std::string(key) + ": expected an object, got " + jsonTypeName(*it);
        return false;
    }
    out = &*it;
    return true;
}

} // namespace

std::string serializeProject(const Project& p)
{
    const TrainingConfig& t = p.training;
    json j = json::object();
    // nlohmann sorts object keys, so the layout of the file is fixed by the data alone.
    j["format"] = kProjectFormat;
    j["version"] = kProjectVersion;
    j["name"] = p.name;
    j["description"] = p.description;
    j["graph"] = graphToJson(p.graph);
    j["dataset"] = {{"name", p.dataset.name}, {"path", p.dataset.path}};
    j["training"] = {{"epochs", t.epochs},
                     {"batch_size", t.batchSize},
                     {"optimizer", t.optimizer},
                     {"lr", t.learningRate},
                     {"lr_end", t.learningRateEnd},
                     {"schedule", t.schedule},
                     {"step_epochs", t.stepEpochs},
                     {"step_gamma", t.stepGamma},
                     {"momentum", t.momentum},
                     {"weight_decay", t.weightDecay},
                     {"loss", t.loss},
                     {"seed", t.seed},
                     {"threads", t.threads},
                     {"log_every_batches", t.logEveryBatches},
                     {"random_shift", t.randomShift}};
    if (!t.recipe.empty())
        j["training"]["recipe"] = t.recipe;
    // Written only when not the default, so that older files stay byte-stable.
    if (t.weightInit != TrainingConfig().weightInit)
        j["training"]["weight_init"] = t.weightInit;
    if (t.selectBy != TrainingConfig().selectBy)
        j["training"]["select_by"] = t.selectBy;
    j["deploy"] = {{"board", p.deploy.board},
                   {"part", p.deploy.part},
                   {"clock_mhz", p.deploy.clockMhz},
                   {"host", p.deploy.host}};
    if (!p.deploy.folding.empty())
        j["deploy"]["folding"] = {{"source", p.deploy.folding.source},
                                  {"layers", foldingLayersToJson(p.deploy.folding)}};
    if (!p.deploy.finnReports.empty())
        j["deploy"]["finn_reports"] = p.deploy.finnReports;
    j["runs"] = p.runs;
    if (!p.sweeps.empty()) {
        json sweeps = json::object();
        for (const SweepDefinition& d : p.sweeps)
            sweeps[d.name] = sweepDefinitionToJson(d);
        j["sweeps"] = sweeps;
    }
    return j.dump(2) + "\n";
}

bool parseProject(const std::string& text, Project& out, std::string& error)
{
    json root;
    if (!parseJson(text, root, error))
        return false;
    if (!root.is_object()) {
        error = "expected a JSON object at the top, got " + jsonTypeName(root);
        return false;
    }
    auto format = root.find("format");
    if (format == root.end() || !format->is_string() || format->get<std::string>() != kProjectFormat) {
        error = std::string("not a QNN Workbench project: \"format\" must be \"") + kProjectFormat + "\"";
        return false;
    }
    auto version = root.find("version");
    if (version == root.end()) {
        error = "missing field 'version'";
        return false;
    }
    if (!version->is_number_integer()) {
        error = "version: expected an integer, got " + jsonTypeName(*version);
        return false;
    }
    // Read at full width: get<int>() would wrap 4294967297 to version 1.
    const int64_t v = version->is_number_unsigned() && version->get<uint64_t>() > uint64_t(INT64_MAX)
                          ? INT64_MAX
                          : version->get<int64_t>();
    if (v > kProjectVersion) {
        error = "this project was written by a newer QNN Workbench (file version " + std::to_string(v) +
                "; this one reads up to " + std::to_string(kProjectVersion) + "); please update";
        return false;
    }
    if (v < 1) {
        error = "version: " + std::to_string(v) + " is not a valid project version";
        return false;
    }

    Project p;
    FieldReader top(root, "project", error);
    top.str("name", p.name);
    top.str("description", p.description);
    if (!top.ok())
        return false;
    auto graph = root.find("graph");
    if (graph == root.end()) {
        error = "missing field 'graph'";
        return false;
    }
    if (!graphFromJson(*graph, p.graph, error, "graph", &p.fileNotes))
        return false;

    const json* section = nullptr;
    if (!objectAt(root, "dataset", section, error))
        return false;
    if (section) {
        FieldReader r(*section, "dataset", error);
        r.str("name", p.dataset.name);
        r.str("path", p.dataset.path);
        if (!r.ok())
            return false;
    }
    if (!objectAt(root, "training", section, error))
        return false;
    if (section) {
        TrainingConfig& t = p.training;
        FieldReader r(*section, "training", error);
        r.integer("epochs", t.epochs);
        r.integer("batch_size", t.batchSize);
        r.str("optimizer", t.optimizer);
        r.number("lr", t.learningRate);
        r.number("lr_end", t.learningRateEnd);
        r.str("schedule", t.schedule);
        r.integer("step_epochs", t.stepEpochs);
        r.number("step_gamma", t.stepGamma);
        r.number("momentum", t.momentum);
        r.number("weight_decay", t.weightDecay);
        r.str("loss", t.loss);
        r.u64("seed", t.seed);
        r.integer("threads", t.threads);
        r.integer("log_every_batches", t.logEveryBatches);
        r.integer("random_shift", t.randomShift);
        r.str("recipe", t.recipe);
        r.str("weight_init", t.weightInit);
        r.str("select_by", t.selectBy);
        if (!r.ok())
            return false;
    }
    if (!objectAt(root, "deploy", section, error))
        return false;
    if (section) {
        FieldReader r(*section, "deploy", error);
        r.str("board", p.deploy.board);
        r.str("part", p.deploy.part);
        r.number("clock_mhz", p.deploy.clockMhz);
        r.str("host", p.deploy.host);
        r.str("finn_reports", p.deploy.finnReports);
        if (!r.ok())
            return false;
        if (auto folding = section->find("folding"); folding != section->end()) {
            json layers = folding->is_object() ? folding->value("layers", json()) : json();
            if (!layers.is_object() || layers.empty() || !foldingFromJson(layers, p.deploy.folding, error)) {
                error = "deploy.folding: " +
                        (layers.is_object() && !layers.empty() ? error
                                                                : std::string("expected {\"source\", \"layers\": "
                                                                              "{name: {\"pe\", \"simd\"}}}"));
                return false;
            }
            if (auto source = folding->find("source"); source != folding->end() && source->is_string())
                p.deploy.folding.source = source->get<std::string>();
        }
    }
    if (auto runs = root.find("runs"); runs != root.end()) {
        if (!runs->is_array()) {
            error = "runs: expected a list, got " + jsonTypeName(*runs);
            return false;
        }
        for (size_t i = 0; i < runs->size(); ++i) {
            if (!(*runs)[i].is_string()) {
                error = "runs[" + std::to_string(i) + "]: expected a string, got " + jsonTypeName((*runs)[i]);
                return false;
            }
            p.runs.push_back((*runs)[i].get<std::string>());
        }
    }
    // Saved sweeps (optional; files without them load as before).
    if (!objectAt(root, "sweeps", section, error))
        return false;
    if (section) {
        for (auto it = section->begin(); it != section->end(); ++it) {
            SweepDefinition d;
            if (!sweepDefinitionFromJson(it.value(), it.key(), d, error))
                return false;
            p.sweeps.push_back(std::move(d)); // nlohmann's object order: sorted by name
        }
    }
    out = std::move(p);
    return true;
}

bool loadProject(const std::string& path, Project& out, std::string& error)
{
    std::string text;
    if (!readFile(path, text, error))
        return false;
    if (!parseProject(text, out, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

bool saveProject(const std::string& path, const Project& project, std::string& error)
{
    return writeFileAtomic(path, serializeProject(project), error);
}

} // namespace qnn
