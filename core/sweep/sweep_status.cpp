#include "core/sweep/sweep_status.h"

#include "core/run/run_store.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace qnn {

namespace {

void readRun(const std::string& runDir, PointStatus& st)
{
    RunStore store;
    std::string error;
    if (!RunStore::open(runDir, store, error))
        return;
    st.run = runDir;
    nlohmann::json config;
    if (store.readConfig(config, error) && config.contains("project") && config["project"].is_object()) {
        const nlohmann::json t = config["project"].value("training", nlohmann::json::object());
        if (t.value("epochs", 0) > 0)
            st.epochs = t.value("epochs", 0);
    }
    std::vector<nlohmann::json> lines;
    if (store.readMetrics(lines, error))
        for (const auto& l : lines)
            if (l.value("type", std::string()) == "epoch")
                st.epoch = std::max(st.epoch, l.value("epoch", 0));
    nlohmann::json s;
    if (!store.readSummary(s, error))
        return;
    st.state = s.value("status", std::string("running"));
    if (st.state == "cancelled") // how older run folders say "stopped"
        st.state = "stopped";
    if (s.contains("test_accuracy") && s["test_accuracy"].is_number())
        st.testAccuracy = s["test_accuracy"].get<double>();
    if (s.contains("best_val_accuracy") && s["best_val_accuracy"].is_number())
        st.bestValAccuracy = s["best_val_accuracy"].get<double>();
    st.wallSeconds = s.value("wall_s", -1.0);
    if (s.contains("error") && s["error"].is_string())
        st.reason = s["error"].get<std::string>();
    if (st.state == "diverged")
        st.reason = "the loss became NaN or infinite in epoch " + std::to_string(s.value("diverged_epoch", 0));
    if (s.contains("hardware"))
        st.hardware = s["hardware"];
}

std::string number(double v, const char* format)
{
    if (v < 0 || !std::isfinite(v))
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

double hw(const nlohmann::json& h, const char* key)
{
    return h.is_object() && h.value("ok", false) && h.contains(key) && h[key].is_number() ? h[key].get<double>()
                                                                                         : -1.0;
}

std::string fitsWord(const nlohmann::json& h)
{
    if (!h.is_object() || !h.value("ok", false))
        return "-";
    return h.value("fits", false) ? "yes" : "no";
}

} // namespace

std::vector<PointStatus> collectSweepStatus(const SweepFolder& sweep, const std::map<int, TaskState>& tasks)
{
    const nlohmann::json backend = sweep.readBackend();
    const nlohmann::json submitted = backend.value("submitted", nlohmann::json::array());
    const nlohmann::json cancelled = backend.value("cancelled", nlohmann::json::array());
    auto listed = [](const nlohmann::json& list, int index) {
        for (const auto& v : list)
            if (v.is_number_integer() && v.get<int>() == index)
                return true;
        return false;
    };
    std::vector<PointStatus> out;
    for (const SweepPoint& p : sweep.points()) {
        PointStatus st;
        st.point = &p;
        if (p.cost.is_object() && p.cost.contains("hardware"))
            st.hardware = p.cost["hardware"];
        if (p.cost.is_object())
            st.epochs = p.cost.value("epochs", 0);
        if (!p.valid) {
            st.state = "invalid";
            st.reason = p.reason;
            out.push_back(std::move(st));
            continue;
        }
        const nlohmann::json record = sweep.readPointRecord(p);
        const std::string run = sweep.latestRun(p);
        if (!run.empty())
            readRun(run, st);
        const bool runnerEnded = record.value("state", std::string()) == "ended";
        if (st.state.empty()) {
            if (runnerEnded && record.value("stopped", false)) {
                st.state = "stopped"; // stopped before its run folder existed
            } else if (runnerEnded) {
                st.state = "failed";
                st.reason = record.value("reason", std::string("the run ended before it began"));
            } else if (record.value("state", std::string()) == "started") {
                st.state = "running";
            } else {
                st.state = listed(submitted, p.index) ? "queued" : "not submitted";
            }
        } else if (st.state == "running" && runnerEnded && record.value("stopped", false)) {
            st.state = "stopped";
        } else if (st.state == "running" && runnerEnded) {
            st.state = "failed";
            st.reason = record.value("reason", std::string("the training process ended without a summary"));
        }
        if (st.state == "failed" && st.reason.empty())
            st.reason = record.value("reason", std::string());
        // The scheduler knows what the folders cannot: a task still waiting,
        // or one that vanished (scancel, time limit, node failure).
        auto t = tasks.find(p.index);
        if (t != tasks.end()) {
            // A task waiting or running is a new attempt: it overrides what an
            // earlier one left (failed, cancelled), never a completed run.
            const bool settled = st.state == "completed" || st.state == "invalid";
            if (t->second.state == "queued" && !settled && st.state != "running") {
                st.state = "queued";
                st.reason.clear();
            } else if (t->second.state == "running" && !settled && st.state != "running") {
                st.state = "running";
                st.reason.clear();
            }
            else if (t->second.state == "ended" && (st.state == "queued" || st.state == "running")) {
                const bool wasCancelled = listed(cancelled, p.index);
                st.state = wasCancelled ? "stopped" : "failed";
                st.reason = wasCancelled ? "cancelled with qnnw sweep cancel or scancel; resubmit to resume it" : "the task ended without a result (" +
                                                             (t->second.detail.empty() ? std::string("killed")
                                                                                       : t->second.detail) +
                                                             "); resubmit to resume it from its last checkpoint";
            }
        }
        if (st.state == "stopped" && st.reason.empty())
            st.reason = "stopped; resubmit to resume it";
        out.push_back(std::move(st));
    }
    return out;
}

bool sweepEnded(const std::vector<PointStatus>& status)
{
    for (const PointStatus& s : status)
        if (s.state == "queued" || s.state == "running")
            return false;
    return true;
}

std::map<std::string, int> countStates(const std::vector<PointStatus>& status)
{
    std::map<std::string, int> out;
    for (const PointStatus& s : status)
        ++out[s.state];
    return out;
}

bool needsRun(const PointStatus& s)
{
    return s.state == "not submitted" || s.state == "failed" || s.state == "stopped";
}

std::string formatSweepTable(const SweepFolder& sweep, const std::vector<PointStatus>& status)
{
    std::ostringstream o;
    o << "sweep " << sweep.name() << ": " << sweep.points().size() << " points";
    for (const auto& [state, n] : countStates(status))
        o << ", " << n << " " << state;
    o << "\n";
    std::vector<std::string> header{"point"};
    for (const SweepAxis& a : sweep.spec().axes)
        header.push_back(a.key);
    for (const char* h : {"seed", "state", "epoch", "test acc", "LUT", "BRAM36", "DSP", "FPS", "fits", "reason"})
        header.push_back(h);
    std::vector<std::vector<std::string>> rows{header};
    for (const PointStatus& s : status) {
        std::vector<std::string> r{s.point->id};
        for (const auto& kv : s.point->values)
            r.push_back(kv.second);
        r.push_back(std::to_string(s.point->seed));
        r.push_back(s.state);
        r.push_back(s.epochs > 0 ? std::to_string(s.epoch) + "/" + std::to_string(s.epochs) : "-");
        r.push_back(number(s.testAccuracy >= 0 ? 100 * s.testAccuracy : -1, "%.2f%%"));
        r.push_back(number(hw(s.hardware, "lut"), "%.0f"));
        r.push_back(number(hw(s.hardware, "bram36"), "%.1f"));
        r.push_back(number(hw(s.hardware, "dsp"), "%.0f"));
        r.push_back(number(hw(s.hardware, "fps"), "%.0f"));
        r.push_back(fitsWord(s.hardware));
        r.push_back(s.reason);
        rows.push_back(r);
    }
    std::vector<size_t> width(header.size(), 0);
    for (const auto& r : rows)
        for (size_t i = 0; i + 1 < r.size(); ++i)
            width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size())
                line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        o << line << "\n";
    }
    return o.str();
}

std::string formatSweepCsv(const SweepFolder& sweep, const std::vector<PointStatus>& status)
{
    std::ostringstream o;
    o << "point";
    for (const SweepAxis& a : sweep.spec().axes)
        o << "," << csvField(a.key);
    o << ",seed,state,epoch,epochs,test_accuracy,best_val_accuracy,lut,bram36,dsp,fps,fits,run,reason\n";
    for (const PointStatus& s : status) {
        o << s.point->id;
        for (const auto& kv : s.point->values)
            o << "," << csvField(kv.second);
        o << "," << s.point->seed << "," << s.state << "," << s.epoch << "," << s.epochs << ","
          << (s.testAccuracy >= 0 ? number(s.testAccuracy, "%.6f") : "") << ","
          << (s.bestValAccuracy >= 0 ? number(s.bestValAccuracy, "%.6f") : "") << ","
          << (hw(s.hardware, "lut") >= 0 ? number(hw(s.hardware, "lut"), "%.0f") : "") << ","
          << (hw(s.hardware, "bram36") >= 0 ? number(hw(s.hardware, "bram36"), "%.1f") : "") << ","
          << (hw(s.hardware, "dsp") >= 0 ? number(hw(s.hardware, "dsp"), "%.0f") : "") << ","
          << (hw(s.hardware, "fps") >= 0 ? number(hw(s.hardware, "fps"), "%.1f") : "") << ","
          << (fitsWord(s.hardware) == "-" ? "" : fitsWord(s.hardware)) << "," << csvField(s.run) << ","
          << csvField(s.reason) << "\n";
    }
    return o.str();
}

nlohmann::json sweepStatusToJson(const SweepFolder& sweep, const std::vector<PointStatus>& status)
{
    nlohmann::json points = nlohmann::json::array();
    for (const PointStatus& s : status) {
        nlohmann::json values = nlohmann::json::object();
        for (const auto& kv : s.point->values)
            values[kv.first] = kv.second;
        nlohmann::json j{{"index", s.point->index}, {"id", s.point->id}, {"values", values},
                         {"seed", s.point->seed}, {"state", s.state}, {"epoch", s.epoch},
                         {"epochs", s.epochs}, {"run", s.run}, {"reason", s.reason},
                         {"hardware", s.hardware.is_null() ? nlohmann::json::object() : s.hardware}};
        j["test_accuracy"] = s.testAccuracy >= 0 ? nlohmann::json(s.testAccuracy) : nlohmann::json(nullptr);
        j["best_val_accuracy"] =
            s.bestValAccuracy >= 0 ? nlohmann::json(s.bestValAccuracy) : nlohmann::json(nullptr);
        points.push_back(j);
    }
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [state, n] : countStates(status))
        counts[state] = n;
    return {{"sweep", sweep.dir()}, {"name", sweep.name()}, {"project", sweep.projectPath()},
            {"ended", sweepEnded(status)}, {"counts", counts}, {"points", points}};
}

} // namespace qnn
