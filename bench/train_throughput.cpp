// Training throughput of LFC W1A1 (batch 100) against the same model and
// recipe in plain PyTorch (bench/train_throughput.py), measured in one run;
// the trainer runs twice, with float forward products (QNN_TRAIN_XNOR=0) and
// with the W1A1 layers' XNOR-popcount ones (the default).
// Prints one JSON line. Options: --batches N (default 500 = one MNIST epoch),
// --threads N (0 = all cores), --no-python.
#include "core/data/dataset.h"
#include "core/project/project.h"
#include "core/train/torch_info.h"
#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

using namespace qnn;

namespace {

// Which BLAS library the process mapped: Debian switches libblas.so.3 between
// the reference BLAS and OpenBLAS through alternatives, and the difference is 40×.
std::string blasInUse()
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        if (path.find("blas") != std::string::npos || path.find("mkl") != std::string::npos)
            return path;
    }
    return "unknown";
}

// The machine is shared: the 1-minute load average when the bench ends says how busy it was.
double loadAverage()
{
    double load = -1;
    std::ifstream in("/proc/loadavg");
    in >> load;
    return load;
}

// CPU seconds of this process: on a loaded machine images per CPU-second
// (with --threads 1, where no thread spins waiting for another) compare the
// work each trainer does better than images per wall-clock second.
double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0; // kilobytes on Linux
}

nlohmann::json runPython(const std::string& script, int batches, int threads, const std::string& dataDir)
{
    const std::string command = "/usr/bin/python3 " + script + " --batches " + std::to_string(batches) +
                                " --threads " + std::to_string(threads) +
                                (dataDir.empty() ? std::string() : " --data '" + dataDir + "'") + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return {{"error", "cannot start /usr/bin/python3"}};
    std::string output;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe))
        output += buf;
    const int status = ::pclose(pipe);
    const auto start = output.rfind("{\"bench\"");
    if (status != 0 || start == std::string::npos)
        return {{"error", "python script failed: " + output.substr(0, 500)}};
    try {
        return nlohmann::json::parse(output.substr(start));
    } catch (const std::exception&) {
        return {{"error", "python script printed no JSON"}};
    }
}

} // namespace

int main(int argc, char** argv)
{
    int batches = 500;
    int threads = 0;
    bool python = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--batches") && i + 1 < argc)
            batches = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--no-python"))
            python = false;
    }
    const std::string source = QNN_SOURCE_DIR;
    Project project;
    std::string error;
    if (!loadProject(source + "/projects/lfc-w1a1-mnist.qnnproj", project, error)) {
        std::cout << nlohmann::json{{"bench", "train_throughput"}, {"error", error}}.dump() << std::endl;
        return 0;
    }
    DatasetRequest request;
    request.choice = project.dataset;
    request.projectDir = source + "/projects";
    DatasetSplits data;
    std::string dataName = "mnist";
    if (!loadDataset(request, data, error)) {
        // No MNIST here: the synthetic digits have the same shape, so the throughput is comparable.
        request.choice.name = dataName = "synthetic-digits";
        loadDataset(request, data, error);
    }

    TrainOptions options;
    options.config = project.training;
    options.config.epochs = 1; // one epoch: the exponential schedule stays at its start rate, as in the script
    options.config.batchSize = 100;
    options.config.threads = threads;
    options.config.logEveryBatches = 0;
    options.config.randomShift = 0; // the script does not augment
    options.trainLimit = static_cast<size_t>(batches) * 100;
    // The same training twice, float forward products first, then the W1A1
    // layers' XNOR-popcount ones (QNN_TRAIN_XNOR is read when a model is
    // built): the two figures come from the same machine load, and equal
    // test accuracies show the results are the same bits.
    auto trainOnce = [&](bool xnor, TrainResult& r, int& used, double& perCpuSecond) {
        ::setenv("QNN_TRAIN_XNOR", xnor ? "1" : "0", 1);
        Trainer trainer;
        if (!trainer.setup(project.graph, data, dataName, options, error))
            return false;
        // From the end of the first batch to the end of the last: training only, as images_per_s.
        double cpuFirst = 0, cpuLast = 0;
        int64_t first = 0, last = 0;
        trainer.setBatchCallback([&](const BatchProgress& p) {
            (p.batch == 1 ? cpuFirst : cpuLast) = cpuSeconds();
            (p.batch == 1 ? first : last) = p.batch;
        });
        r = trainer.train();
        perCpuSecond = cpuLast > cpuFirst ? (last - first) * 100.0 / (cpuLast - cpuFirst) : 0;
        used = trainer.threads();
        return true;
    };
    TrainResult floatRun, r;
    int usedThreads = 0;
    double floatPerCpu = 0, perCpu = 0;
    if (!trainOnce(false, floatRun, usedThreads, floatPerCpu) || !trainOnce(true, r, usedThreads, perCpu)) {
        std::cout << nlohmann::json{{"bench", "train_throughput"}, {"error", error}}.dump() << std::endl;
        return 0;
    }
    nlohmann::json out{{"bench", "train_throughput"},
                       {"model", "LFC W1A1"},
                       {"data", dataName},
                       {"batch_size", 100},
                       {"batches", batches},
                       {"images_per_s", r.imagesPerSecond},
                       {"test_accuracy", r.testAccuracy},
                       {"float_forward_images_per_s", floatRun.imagesPerSecond},
                       {"float_forward_test_accuracy", floatRun.testAccuracy},
                       {"images_per_cpu_s", perCpu},
                       {"float_forward_images_per_cpu_s", floatPerCpu},
                       {"xnor_speedup", floatRun.imagesPerSecond > 0 ? r.imagesPerSecond / floatRun.imagesPerSecond : 0},
                       {"threads", usedThreads},
                       {"blas", blasInUse()},
                       {"peak_rss_mb", peakRssMb()},
                       {"torch", torchInfo().version}};
    if (python) {
        const nlohmann::json py =
            runPython(source + "/bench/train_throughput.py", batches, usedThreads,
                      dataName == "mnist" ? data.source : std::string("/nonexistent"));
        if (py.contains("images_per_s")) {
            out["python_images_per_s"] = py["images_per_s"];
            out["python_test_accuracy"] = py["test_accuracy"];
            out["ratio"] = r.imagesPerSecond / py["images_per_s"].get<double>();
            out["ratio_float_forward"] = floatRun.imagesPerSecond / py["images_per_s"].get<double>();
            if (py.contains("images_per_cpu_s")) {
                const double pyPerCpu = py["images_per_cpu_s"].get<double>();
                out["python_images_per_cpu_s"] = pyPerCpu;
                out["cpu_ratio"] = perCpu / pyPerCpu;
                out["cpu_ratio_float_forward"] = floatPerCpu / pyPerCpu;
            }
        } else {
            out["python_error"] = py.value("error", std::string("unknown"));
        }
    }
    out["load_avg_1min"] = loadAverage();
    std::cout << out.dump() << std::endl;
    return 0;
}
