// qnnw data list|fetch: the datasets a user has, and downloading the ones
// they lack (libcurl through qnn_fetch; no Qt). The window runs
// `qnnw data fetch --json` and `qnnw data list --json` as child processes.
#include "app/cli/cli_command.h"

#include "core/data/dataset.h"
#include "core/data/dataset_catalog.h"
#include "core/fetch/dataset_fetcher.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace qnn::cli {

namespace {

std::atomic<bool> g_cancel{false};

void onFetchInterrupt(int)
{
    g_cancel.store(true);
}

// The one JSON-lines shape every child process of the window speaks.
nlohmann::json event(const char* kind)
{
    return nlohmann::json{{"event", kind}, {"version", 1}};
}

void emit(const nlohmann::json& line)
{
    std::cout << line.dump() << std::endl;
}

std::string namesOf(const std::vector<CatalogEntry>& catalog)
{
    std::string s;
    for (const CatalogEntry& e : catalog)
        s += (s.empty() ? "" : ", ") + e.name;
    return s;
}

struct ListOptions {
    bool json = false;
};

struct FetchCommandOptions {
    std::string name;
    std::vector<std::string> mirrors;
    std::string dir;
    bool json = false;
};

int fail(bool json, const std::string& message, bool cancelled = false)
{
    if (json) {
        nlohmann::json e = event("error");
        e["message"] = message;
        e["cancelled"] = cancelled;
        emit(e);
    }
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    return 1;
}

int runList(const ListOptions& o)
{
    std::vector<CatalogEntry> catalog;
    std::string error;
    if (!datasetCatalogWithOverrides(catalog, error))
        return fail(o.json, error);
    nlohmann::json items = nlohmann::json::array();
    for (const CatalogEntry& e : catalog) {
        DatasetRequest request;
        request.choice.name = e.name;
        const DatasetState s = inspectDataset(e, findDatasetDir(request));
        items.push_back({{"name", e.name},
                         {"title", e.title},
                         {"found", !s.dir.empty()},
                         {"dir", s.dir},
                         {"bytes", s.bytes},
                         {"verified", s.verified < 0 ? nlohmann::json() : nlohmann::json(s.verified == 1)},
                         {"verification", s.verification},
                         {"download_bytes", e.totalBytes()},
                         {"sources", e.sources},
                         {"homepage", e.homepage},
                         {"licence", e.licence}});
    }
    const std::string user = userDatasetsDir();
    if (o.json) {
        nlohmann::json r = event("result");
        r["user_dir"] = user;
        r["datasets"] = items;
        emit(r);
        return 0;
    }
    for (const auto& d : items) {
        std::printf("%-14s %s\n", d["name"].get<std::string>().c_str(), d["title"].get<std::string>().c_str());
        if (d["found"].get<bool>())
            std::printf("  found:    %s (%s); %s\n", d["dir"].get<std::string>().c_str(),
                        formatBytes(d["bytes"].get<uint64_t>()).c_str(), d["verification"].get<std::string>().c_str());
        else
            std::printf("  found:    no (qnnw data fetch %s downloads %s)\n", d["name"].get<std::string>().c_str(),
                        formatBytes(d["download_bytes"].get<uint64_t>()).c_str());
        std::string sources;
        for (const auto& s : d["sources"])
            sources += (sources.empty() ? "" : ", then ") + s.get<std::string>();
        std::printf("  source:   %s\n", sources.c_str());
        std::printf("  licence:  %s\n", d["licence"].get<std::string>().c_str());
    }
    std::printf("\nqnnw data fetch NAME downloads into %s\n", user.empty() ? "(no HOME: pass --dir)" : user.c_str());
    return 0;
}

// One line, redrawn in place: "mnist [#####-------] 4.2 / 11.6 MB  train-images-idx3-ubyte.gz".
void drawBar(const std::string& name, const FetchProgress& p)
{
    const int width = 24;
    const int filled = p.total ? static_cast<int>(width * std::min<uint64_t>(p.done, p.total) / p.total) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '-');
    std::fprintf(stderr, "\r\033[K%s [%s] %s / %s  %s", name.c_str(), bar.c_str(), formatBytes(p.done).c_str(),
                 formatBytes(p.total).c_str(), p.file.c_str());
    std::fflush(stderr);
}

int runFetch(const FetchCommandOptions& o)
{
    std::vector<CatalogEntry> catalog;
    std::string error;
    if (!datasetCatalogWithOverrides(catalog, error))
        return fail(o.json, error);
    const CatalogEntry* entry = findCatalogEntry(catalog, o.name);
    if (!entry) {
        fail(o.json, "no dataset named '" + o.name + "' can be downloaded; choose one of " + namesOf(catalog));
        return 2;
    }
    FetchOptions f;
    f.root = o.dir.empty() ? userDatasetsDir() : o.dir;
    if (f.root.empty())
        return fail(o.json, "neither $XDG_DATA_HOME nor $HOME is set, so there is no user data folder; pass --dir DIR");
    f.sources = o.mirrors;
    if (f.sources.empty())
        if (const char* mirror = std::getenv("QNN_DATASET_MIRROR"); mirror && *mirror)
            f.sources = {mirror};
    f.cancel = &g_cancel;
    // Ctrl-C and the window's Cancel stop the transfer; the .part file stays for a resume.
    struct sigaction sa {};
    sa.sa_handler = onFetchInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A file size limit (ulimit -f) then fails the write with EFBIG: a sentence, not a core dump.
    std::signal(SIGXFSZ, SIG_IGN);

    const bool tty = !o.json && ::isatty(STDERR_FILENO);
    auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    bool drawn = false;
    uint64_t lastDone = ~0ull;
    f.progress = [&](const FetchProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        // Every file's end is shown (once); in between at most ten lines a second.
        const bool fileDone = p.fileTotal && p.fileDone == p.fileTotal;
        if (p.done == lastDone || (!fileDone && now - last < std::chrono::milliseconds(100)))
            return;
        last = now;
        lastDone = p.done;
        if (o.json) {
            nlohmann::json e = event("progress");
            e["dataset"] = entry->name;
            e["file"] = p.file;
            e["file_done"] = p.fileDone;
            e["file_total"] = p.fileTotal;
            e["done"] = p.done;
            e["total"] = p.total;
            emit(e);
        } else if (tty) {
            drawBar(entry->name, p);
            drawn = true;
        }
    };
    f.step = [&](const std::string& s) {
        if (o.json) {
            nlohmann::json e = event("step");
            e["step"] = "fetch"; // the protocol's step name; the message says which part
            e["dataset"] = entry->name;
            e["message"] = s;
            emit(e);
        } else {
            std::fprintf(stderr, "%s%s\n", drawn ? "\r\033[K" : "", s.c_str());
            drawn = false;
        }
    };
    FetchResult result;
    const bool ok = fetchDataset(*entry, f, result, error);
    if (drawn)
        std::fprintf(stderr, "\n");
    if (!ok) {
        fail(o.json, error, result.cancelled);
        return result.cancelled ? 130 : 1;
    }
    if (o.json) {
        nlohmann::json r = event("result");
        r["dataset"] = entry->name;
        r["dir"] = result.dir;
        r["downloaded"] = result.downloaded;
        r["already_there"] = result.alreadyThere;
        emit(r);
        return 0;
    }
    if (result.alreadyThere)
        std::printf("%s is already in %s, verified\n", entry->name.c_str(), result.dir.c_str());
    else
        std::printf("%s: downloaded %s, verified against the published checksums, in %s\n", entry->name.c_str(),
                    formatBytes(result.downloaded).c_str(), result.dir.c_str());
    if (!o.dir.empty())
        std::printf("this folder is not searched by default: train with --data %s, or set QNN_DATASETS=%s\n",
                    result.dir.c_str(), o.dir.c_str());
    return 0;
}

} // namespace

void addDataCommand(CLI::App& app, int& exitCode)
{
    CLI::App* data = app.add_subcommand("data", "the datasets you have, and downloading MNIST, Fashion-MNIST, CIFAR-10");
    data->require_subcommand(1);

    auto list = std::make_shared<ListOptions>();
    CLI::App* l = data->add_subcommand("list", "every known dataset: where it was found, its size, whether its "
                                               "checksums match, its source and licence");
    l->add_flag("--json", list->json, "one JSON result line");
    l->callback([list, &exitCode] { exitCode = runList(*list); });

    auto fetch = std::make_shared<FetchCommandOptions>();
    CLI::App* f = data->add_subcommand(
        "fetch", "download a dataset into the user data folder ($XDG_DATA_HOME/qnn-workbench/datasets), verify it "
                 "against the published checksums; resumes an interrupted download; Ctrl-C stops it");
    std::string fetchable;
    for (const CatalogEntry& e : datasetCatalog())
        fetchable += (fetchable.empty() ? "" : ", ") + e.name;
    f->add_option("NAME", fetch->name, fetchable)->required();
    f->add_option("--mirror", fetch->mirrors,
                  "a base URL under which the dataset's original file names are found (instead of the canonical "
                  "source and its known mirrors; may be repeated; default $QNN_DATASET_MIRROR)");
    f->add_option("--dir", fetch->dir, "the folder in which the dataset's folder is created");
    f->add_flag("--json", fetch->json, "JSON lines (step, progress, result, error) instead of the progress bar");
    f->footer("For testing mirrors: $QNN_DATASET_CHECKSUMS names a JSON file of checksums that replace the "
              "published ones ({\"cifar10\": {\"cifar-10-binary.tar.gz\": {\"sha256\": \"...\"}}}).");
    f->callback([fetch, &exitCode] { exitCode = runFetch(*fetch); });
}

} // namespace qnn::cli
