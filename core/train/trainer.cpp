// The training loop: batches, loss, optimizer, schedules, checkpoints.
#include "core/train/trainer.h"

#include "core/train/detail/graph_model.h"
#include "core/train/detail/weight_io.h"
#include "core/weights/weight_file.h"
#include "core/train/detail/kernels.h"
#include "core/run/run_store.h"
#include "core/train/torch_info.h"
#include "core/util/atomic_file.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

namespace qnn {

using torch::Tensor;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// The order of an epoch depends only on (seed, epoch): a resumed run shuffles
// exactly as an unbroken one, with no generator state to carry along.
std::vector<int64_t> epochOrder(size_t n, uint64_t seed, int epoch)
{
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    uint64_t state = mix64(seed * 0x100000001B3ull + static_cast<uint64_t>(epoch));
    for (size_t i = n; i > 1; --i) {
        state = mix64(state);
        const size_t j = static_cast<size_t>(state % i);
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

bool isOneOf(const std::string& v, std::initializer_list<const char*> options)
{
    for (const char* o : options)
        if (v == o)
            return true;
    return false;
}

bool checkConfig(const TrainingConfig& c, std::string& error)
{
    error.clear();
    if (c.epochs < 1)
        error = "training.epochs must be 1 or more (it is " + std::to_string(c.epochs) + ")";
    else if (c.batchSize < 2)
        error = "training.batch_size must be 2 or more, since batch normalization needs two samples (it is " +
                std::to_string(c.batchSize) + ")";
    else if (!isOneOf(c.optimizer, {"adam", "sgd"}))
        error = "training.optimizer '" + c.optimizer + "' is not known; use adam or sgd";
    else if (!isOneOf(c.loss, {"cross_entropy", "squared_hinge"}))
        error = "training.loss '" + c.loss + "' is not known; use cross_entropy or squared_hinge";
    else if (!isOneOf(c.schedule, {"constant", "exponential", "cosine", "step"}))
        error = "training.schedule '" + c.schedule + "' is not known; use constant, exponential, cosine or step";
    else if (!isOneOf(c.weightInit, {"default", "uniform"}))
        error = "training.weight_init '" + c.weightInit + "' is not known; use default or uniform";
    else if (!isOneOf(c.selectBy, {"validation", "test"}))
        error = "training.select_by '" + c.selectBy + "' is not known; use validation or test";
    else if (!(c.learningRate > 0))
        error = "training.lr must be above 0";
    // A file's shift of a billion pixels would overflow the crop's arithmetic: refuse it with its range.
    else if (c.randomShift < -1 || c.randomShift > 64)
        error = "training.random_shift " + std::to_string(c.randomShift) +
                " is out of range; use -1 (the dataset's default), 0 (none) or up to 64 pixels";
    return error.empty();
}

} // namespace

double learningRateAt(const TrainingConfig& c, int epochIndex)
{
    const int epochs = std::max(1, c.epochs);
    if (c.schedule == "exponential") {
        if (epochs == 1 || c.learningRate <= 0 || c.learningRateEnd <= 0)
            return c.learningRate;
        // BinaryNet: a constant factor per epoch, from the start rate to the end rate at the last epoch.
        return c.learningRate * std::pow(c.learningRateEnd / c.learningRate, double(epochIndex) / (epochs - 1));
    }
    if (c.schedule == "cosine") {
        const double t = epochs == 1 ? 0.0 : double(epochIndex) / (epochs - 1);
        return c.learningRateEnd + (c.learningRate - c.learningRateEnd) * 0.5 * (1.0 + std::cos(M_PI * t));
    }
    if (c.schedule == "step")
        return c.learningRate * std::pow(c.stepGamma, epochIndex / std::max(1, c.stepEpochs));
    return c.learningRate;
}

Tensor detail::trainingLoss(const std::string& loss, const Tensor& out, const Tensor& labels)
{
    if (loss == "squared_hinge") {
        // Targets +1 for the true class and -1 for the others (BinaryNet).
        Tensor target = torch::full_like(out, -1.0).scatter_(1, labels.unsqueeze(1), 1.0);
        return (1.0 - out * target).clamp_min_(0.0).square().mean();
    }
    return torch::nn::functional::cross_entropy(out, labels);
}

struct Trainer::Impl {
    const DatasetSplits* data = nullptr;
    Graph graph; // for the node names and kinds of the weight files
    std::string datasetName;
    TrainOptions options;
    detail::GraphModel model{nullptr};
    torch::Device device{torch::kCPU};
    Transform trainTransform;
    Transform evalTransform;
    int threads = 1;

    std::vector<Tensor> params;
    std::vector<char> clip;
    std::vector<Tensor> state1; // Adam: first moment; SGD: momentum buffer
    std::vector<Tensor> state2; // Adam: second moment
    int64_t step = 0;

    int epochsDone = 0;
    int bestEpoch = 0;
    double bestValAccuracy = 0;
    /** The best epoch's weights, kept since it improved in this session (after
     *  a resume, weights-best.qnnw holds them): the test set scores these. */
    WeightFile bestWeights;
    bool resumed = false;
    /** A stop inside an epoch: how far it got, so that a resume continues from
     *  that batch with the epoch's running sums (0: at an epoch boundary). */
    struct Partial {
        int64_t batch = 0;
        double lossSum = 0, intervalLoss = 0, trainSeconds = 0;
        int64_t correct = 0, seen = 0, intervalCorrect = 0, intervalSeen = 0;
    } partial;

    std::function<void(const BatchProgress&)> onBatch;
    std::function<void(const EpochMetrics&)> onEpoch;
    const std::atomic<bool>* cancel = nullptr;
    const RunStore* store = nullptr;

    void optimizerStep(double lr);
    bool saveCheckpoint(const std::string& path, std::string& error);
    /** weights-last.qnnw every epoch, weights-best.qnnw when validation improved (core/weights). */
    bool saveWeightFiles(const std::string& runDir, bool best, std::string& error);
    bool loadCheckpoint(const std::string& path, bool weightsOnly, std::string& error);
    EvalResult evaluate(const ImageSet& set);
    /** False with a sentence when the line cannot be written (a full disk):
     *  metrics.jsonl is the run's record, so the run stops as failed. */
    bool record(const nlohmann::json& line, std::string& error)
    {
        if (!store || store->appendMetrics(line, error))
            return true;
        error = "the run's metrics could not be written, so it stopped: " + error;
        return false;
    }
    TrainResult train();
    void finishFailed(TrainResult& r);
    /** The test set scored with the best epoch's weights; `epoch` says whose
     *  they were, `warning` why they are the last epoch's when they are. */
    EvalResult evaluateBest(int& epoch, std::string& warning);

    // The steps of train(), in the order it takes them.
    /** How many samples an epoch draws and in how many batches. */
    struct EpochPlan {
        size_t samples = 0;
        int64_t batches = 0;
    };
    /** One batch of an epoch: its index, its size and its samples' indices. */
    struct Batch {
        int epoch;
        int64_t index;
        int64_t count;
        const int64_t* order;
    };
    struct BatchOutcome {
        double loss = 0;
        int64_t right = 0;
        double seconds = 0;
    };
    /** Training time over the whole run, for images/s and the ETA. */
    struct RunPace {
        double trainSeconds = 0;
        int64_t trainImages = 0;
        int64_t batchesLeftAtStart = 0;
        int64_t batchesDone = 0;
    };
    /** The run folder before the first batch: the metrics cut back for a
     *  resume, or the epoch-0 checkpoint. False (summary written) when it cannot. */
    bool openRun(TrainResult& result);
    /** The epoch's batches (from where a resume left it); false when the run
     *  ends inside it: stopped, diverged or failed, with `result` saying which. */
    bool trainEpoch(int epoch, double lr, const EpochPlan& plan, Tensor& x, Tensor& y, RunPace& pace, Partial& sums,
                    TrainResult& result);
    /** Forward, loss, backward and the optimizer's step; false when the loss is not finite. */
    bool trainBatch(const Batch& batch, double lr, Tensor& x, Tensor& y, BatchOutcome& out);
    void reportBatch(const Batch& batch, int64_t batches, double lr, const BatchOutcome& b, const RunPace& pace) const;
    /** Every logEveryBatches batches, a "batch" line with the interval's means. */
    bool logBatches(const Batch& batch, double lr, Partial& sums, TrainResult& result);
    /** A stop between batches: a mid-epoch checkpoint, so Resume goes on from this batch. Returns false. */
    bool stopInsideEpoch(int64_t batch, Partial& sums, TrainResult& result);
    /** Validation, the epoch line, the checkpoint and the weight files; false when they cannot be written. */
    bool endEpoch(int epoch, double lr, const Partial& sums, Clock::time_point epochStart, TrainResult& result);
    /** The test set on a completed run, and summary.json. */
    void finishRun(const RunPace& pace, Clock::time_point wallStart, TrainResult& result);
    bool setup(const Graph& graph, const DatasetSplits& data, const std::string& datasetName,
               const TrainOptions& options, std::string& error);
};

Trainer::Trainer() : m_impl(std::make_unique<Impl>()) {}
Trainer::~Trainer() = default;

bool Trainer::setup(const Graph& graph, const DatasetSplits& data, const std::string& datasetName,
                    const TrainOptions& options, std::string& error)
{
    try {
        return m_impl->setup(graph, data, datasetName, options, error);
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        error = "LibTorch cannot build this model: " + what.substr(0, what.find('\n'));
    } catch (const std::bad_alloc&) {
        error = "out of memory while building the model: make the largest layers smaller";
    } catch (const std::exception& e) {
        error = std::string("cannot build this model: ") + e.what();
    }
    return false;
}

bool Trainer::Impl::setup(const Graph& graph, const DatasetSplits& data, const std::string& datasetName,
                          const TrainOptions& options, std::string& error)
{
    Impl& d = *this;
    if (!checkConfig(options.config, error))
        return false;
    d.data = &data;
    d.graph = graph;
    d.datasetName = datasetName;
    d.options = options;
    d.threads = setTorchThreads(options.config.threads);

    const std::string& dev = options.device;
    if (dev == "cuda" && !torch::cuda::is_available()) {
        error = "--device cuda: the LibTorch this program links has no CUDA, or no GPU is present; use --device cpu";
        return false;
    }
    if (!isOneOf(dev, {"auto", "cpu", "cuda"})) {
        error = "device '" + dev + "' is not known; use auto, cpu or cuda";
        return false;
    }
    d.device = (dev == "cuda" || (dev == "auto" && torch::cuda::is_available())) ? torch::Device(torch::kCUDA)
                                                                                 : torch::Device(torch::kCPU);

    torch::manual_seed(options.config.seed);
    if (!detail::buildGraphModel(graph, d.model, error))
        return false;
    if (options.config.weightInit == "uniform") {
        // Drawn after the model's own initialisation, from the same seeded generator: reproducible.
        torch::NoGradGuard noGrad;
        for (const Tensor& w : d.model->clippedWeights())
            w.uniform_(-1.0, 1.0);
    }
    const ImageSet& train = data.train;
    const int64_t perSample = shapeSize(d.model->inputShape());
    if (static_cast<size_t>(perSample) != train.imageBytes()) {
        error = "the Input node takes " + shapeToString(d.model->inputShape()) + " values per sample, but " +
                datasetName + " images are " +
                shapeToString({train.channels, train.height, train.width}) + "; change the Input shape";
        return false;
    }
    for (const auto& [id, n] : graph.nodes()) {
        if (n.kind == LayerKind::Output && n.attrInt("classes") < train.classes) {
            error = "the Output node has " + std::to_string(n.attrInt("classes")) + " classes, but " + datasetName +
                    " has " + std::to_string(train.classes);
            return false;
        }
    }
    if (train.size() < 2) {
        error = "the training split of " + datasetName + " has fewer than 2 images";
        return false;
    }
    d.trainTransform = defaultTransform(datasetName, d.model->inputActBits(), true, options.config.randomShift);
    d.evalTransform = defaultTransform(datasetName, d.model->inputActBits(), false);
    d.model->to(d.device);

    d.params.clear();
    d.clip.clear();
    d.state1.clear();
    d.state2.clear();
    for (const Tensor& p : d.model->parameters()) {
        d.params.push_back(p);
        bool clipped = false;
        for (const Tensor& c : d.model->clippedWeights())
            clipped = clipped || c.unsafeGetTensorImpl() == p.unsafeGetTensorImpl();
        d.clip.push_back(clipped);
        d.state1.push_back(torch::zeros_like(p));
        d.state2.push_back(options.config.optimizer == "adam" ? torch::zeros_like(p) : Tensor());
    }
    d.step = 0;
    d.epochsDone = 0;
    d.bestEpoch = 0;
    d.bestValAccuracy = 0;
    d.bestWeights = WeightFile();
    d.resumed = false;
    return true;
}

void Trainer::setBatchCallback(std::function<void(const BatchProgress&)> callback)
{
    m_impl->onBatch = std::move(callback);
}
void Trainer::setEpochCallback(std::function<void(const EpochMetrics&)> callback)
{
    m_impl->onEpoch = std::move(callback);
}
void Trainer::setCancelFlag(const std::atomic<bool>* flag) { m_impl->cancel = flag; }
void Trainer::setRunStore(const RunStore* store) { m_impl->store = store; }
int Trainer::epochsDone() const { return m_impl->epochsDone; }
std::string Trainer::deviceName() const { return m_impl->device.is_cuda() ? "cuda" : "cpu"; }
int Trainer::threads() const { return m_impl->threads; }

int64_t Trainer::parameterCount() const
{
    int64_t n = 0;
    for (const Tensor& p : m_impl->params)
        n += p.numel();
    return n;
}

// One pass over each parameter: weight decay, moment updates, the step and the
// latent clipping in a single loop. torch::optim::Adam makes about ten passes
// (plus a separate clamp), and at batch 100 those passes over 2.9 M parameters
// cost as much as the matrix products.
void Trainer::Impl::optimizerStep(double lr)
{
    torch::NoGradGuard noGrad;
    ++step;
    const TrainingConfig& c = options.config;
    const bool adam = c.optimizer == "adam";
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    const float wd = static_cast<float>(c.weightDecay);
    const double bc1 = 1.0 - std::pow(0.9, static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(0.999, static_cast<double>(step));
    const float stepSize = static_cast<float>(lr / bc1);
    const float invSqrtBc2 = static_cast<float>(1.0 / std::sqrt(bc2));
    const float momentum = static_cast<float>(c.momentum);
    const float rate = static_cast<float>(lr);

    for (size_t i = 0; i < params.size(); ++i) {
        Tensor& p = params[i];
        const Tensor& g = p.grad();
        if (!g.defined())
            continue;
        const bool fast = p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() &&
                          g.is_contiguous() && g.scalar_type() == torch::kFloat;
        if (!fast) {
            // Same arithmetic with tensor operations (CUDA, odd layouts).
            Tensor grad = wd != 0 ? g + wd * p : g;
            if (adam) {
                state1[i].mul_(b1).add_(grad, 1 - b1);
                state2[i].mul_(b2).addcmul_(grad, grad, 1 - b2);
                Tensor denom = state2[i].sqrt().mul_(invSqrtBc2).add_(eps);
                p.addcdiv_(state1[i], denom, -stepSize);
            } else {
                if (step == 1)
                    state1[i].copy_(grad);
                else
                    state1[i].mul_(momentum).add_(grad);
                p.add_(state1[i], -rate);
            }
            if (clip[i])
                p.clamp_(-1.0, 1.0);
            continue;
        }
        float* pw = p.data_ptr<float>();
        const float* gw = g.data_ptr<float>();
        float* m = state1[i].data_ptr<float>();
        float* v = adam ? state2[i].data_ptr<float>() : nullptr;
        const bool clipIt = clip[i];
        const bool first = step == 1;
        detail::AdamStep a;
        a.beta1 = b1;
        a.beta2 = b2;
        a.eps = eps;
        a.weightDecay = wd;
        a.stepSize = stepSize;
        a.invSqrtBias2 = invSqrtBc2;
        a.clip = clipIt;
        at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
            if (adam)
                detail::adamUpdate(pw + begin, gw + begin, m + begin, v + begin, end - begin, a);
            else
                detail::sgdUpdate(pw + begin, gw + begin, m + begin, end - begin, rate, momentum, wd, first, clipIt);
        });
    }
}

EvalResult Trainer::Impl::evaluate(const ImageSet& set)
{
    EvalResult r;
    const int classes = std::max(set.classes, 1);
    r.confusion.assign(static_cast<size_t>(classes), std::vector<int64_t>(static_cast<size_t>(classes), 0));
    if (set.size() == 0)
        return r;
    torch::NoGradGuard noGrad;
    model->eval();
    const int64_t batch = 500;
    const int64_t n = static_cast<int64_t>(set.size());
    Tensor x = torch::empty({batch, static_cast<int64_t>(set.imageBytes())});
    Tensor y = torch::empty({batch}, torch::kLong);
    std::vector<int64_t> idx(static_cast<size_t>(batch));
    double lossSum = 0;
    int64_t correct = 0;
    for (int64_t start = 0; start < n; start += batch) {
        const int64_t count = std::min(batch, n - start);
        std::iota(idx.begin(), idx.begin() + count, start);
        fillBatch(set, idx.data(), static_cast<size_t>(count), evalTransform, 0, x.data_ptr<float>(),
                  y.data_ptr<int64_t>());
        Tensor xb = x.narrow(0, 0, count).to(device);
        Tensor yb = y.narrow(0, 0, count).to(device);
        Tensor out = model->forward(xb);
        lossSum += detail::trainingLoss(options.config.loss, out, yb).item<double>() * static_cast<double>(count);
        Tensor pred = out.argmax(1).to(torch::kCPU);
        const int64_t* pp = pred.data_ptr<int64_t>();
        const int64_t* yy = y.data_ptr<int64_t>();
        for (int64_t i = 0; i < count; ++i) {
            correct += pp[i] == yy[i];
            if (yy[i] < classes && pp[i] < classes)
                ++r.confusion[static_cast<size_t>(yy[i])][static_cast<size_t>(pp[i])];
        }
    }
    r.images = n;
    r.loss = lossSum / static_cast<double>(n);
    r.accuracy = static_cast<double>(correct) / static_cast<double>(n);
    return r;
}

EvalResult Trainer::evaluate(const ImageSet& set) { return m_impl->evaluate(set); }

bool Trainer::Impl::saveCheckpoint(const std::string& path, std::string& error)
{
    try {
        torch::serialize::OutputArchive archive;
        torch::serialize::OutputArchive modelArchive;
        model->save(modelArchive);
        archive.write("model", modelArchive);
        torch::serialize::OutputArchive optim;
        for (size_t i = 0; i < params.size(); ++i) {
            optim.write("m" + std::to_string(i), state1[i]);
            if (state2[i].defined())
                optim.write("v" + std::to_string(i), state2[i]);
        }
        optim.write("step", torch::tensor(step));
        archive.write("optimizer", optim);
        archive.write("epoch", torch::tensor(static_cast<int64_t>(epochsDone)));
        archive.write("best_epoch", torch::tensor(static_cast<int64_t>(bestEpoch)));
        archive.write("best_val_accuracy", torch::tensor(bestValAccuracy, torch::kDouble));
        if (partial.batch > 0) {
            archive.write("partial_batch", torch::tensor(partial.batch));
            archive.write("partial_sums", torch::tensor({partial.lossSum, partial.intervalLoss, partial.trainSeconds},
                                                        torch::kDouble));
            archive.write("partial_counts", torch::tensor({partial.correct, partial.seen, partial.intervalCorrect,
                                                           partial.intervalSeen}));
        }
        {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            archive.write("rng_state", gen.get_state());
        }
        std::ostringstream bytes;
        archive.save_to(bytes);
        AtomicFile file(path);
        if (!file.write(bytes.str()) || !file.commit()) {
            error = file.error();
            return false;
        }
    } catch (const std::exception& e) {
        error = "cannot write checkpoint " + path + ": " + e.what();
        return false;
    }
    return true;
}

bool Trainer::Impl::saveWeightFiles(const std::string& runDir, bool best, std::string& error)
{
    const WeightFile file = detail::weightFileFromModel(graph, model, epochsDone, "last");
    if (!writeWeightFile(runDir + "/" + kWeightFileLast, file, error))
        return false;
    // bestWeights was taken from the model a moment ago, when this epoch improved.
    return !best || writeWeightFile(runDir + "/" + kWeightFileBest, bestWeights, error);
}

bool Trainer::Impl::loadCheckpoint(const std::string& path, bool weightsOnly, std::string& error)
{
    std::string stage = "reading the file";
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path, device);
        torch::serialize::InputArchive modelArchive;
        stage = "reading the model";
        archive.read("model", modelArchive);
        model->load(modelArchive);
        stage = "reading the optimizer state";
        if (weightsOnly)
            return true;
        torch::serialize::InputArchive optim;
        archive.read("optimizer", optim);
        for (size_t i = 0; i < params.size(); ++i) {
            Tensor m;
            optim.read("m" + std::to_string(i), m);
            state1[i].copy_(m);
            if (state2[i].defined()) {
                Tensor v;
                optim.read("v" + std::to_string(i), v);
                state2[i].copy_(v);
            }
        }
        // A fresh tensor per read: reading into a defined tensor makes torch resize its storage in place.
        auto readScalar = [](torch::serialize::InputArchive& a, const char* key) {
            Tensor t;
            a.read(key, t);
            return t;
        };
        stage = "reading the epoch and random state";
        step = readScalar(optim, "step").item<int64_t>();
        epochsDone = static_cast<int>(readScalar(archive, "epoch").item<int64_t>());
        bestEpoch = static_cast<int>(readScalar(archive, "best_epoch").item<int64_t>());
        bestValAccuracy = readScalar(archive, "best_val_accuracy").item<double>();
        // Checkpoints written at an epoch's end (and by older versions) have no partial epoch.
        partial = {};
        Tensor partialBatch;
        if (archive.try_read("partial_batch", partialBatch)) {
            partial.batch = partialBatch.item<int64_t>();
            const Tensor sums = readScalar(archive, "partial_sums");
            const Tensor counts = readScalar(archive, "partial_counts");
            partial.lossSum = sums[0].item<double>();
            partial.intervalLoss = sums[1].item<double>();
            partial.trainSeconds = sums[2].item<double>();
            partial.correct = counts[0].item<int64_t>();
            partial.seen = counts[1].item<int64_t>();
            partial.intervalCorrect = counts[2].item<int64_t>();
            partial.intervalSeen = counts[3].item<int64_t>();
        }
        const Tensor rng = readScalar(archive, "rng_state");
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(rng);
    } catch (const c10::Error& e) {
        std::string what = e.what_without_backtrace();
        error = path + ": not a checkpoint of this graph (" + stage + ": " + what.substr(0, what.find('\n')) + ")";
        return false;
    } catch (const std::exception& e) {
        std::string what = e.what();
        error = path + ": not a readable checkpoint (" + stage + ": " + what.substr(0, what.find('\n')) + ")";
        return false;
    }
    return true;
}

bool Trainer::resumeFrom(const std::string& checkpointPath, std::string& error)
{
    if (!m_impl->loadCheckpoint(checkpointPath, false, error))
        return false;
    m_impl->resumed = true;
    return true;
}

bool Trainer::loadWeights(const std::string& checkpointPath, std::string& error)
{
    return m_impl->loadCheckpoint(checkpointPath, true, error);
}

bool Trainer::loadWeightFile(const WeightFile& file, std::string& error)
{
    try {
        return detail::loadWeightFileIntoModel(m_impl->graph, file, m_impl->model, error);
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        error = "LibTorch could not load the weights: " + what.substr(0, what.find('\n'));
        return false;
    }
}

void Trainer::Impl::finishFailed(TrainResult& r)
{
    r.status = "failed";
    r.recipe = options.config.recipe;
    r.selectBy = options.config.selectBy;
    r.epochsDone = epochsDone;
    r.bestEpoch = bestEpoch;
    r.bestValAccuracy = bestValAccuracy;
    std::string ignored;
    if (store)
        store->writeSummary(summaryJson(r), ignored);
}

TrainResult Trainer::train()
{
    // Every LibTorch error (an allocation that fails, a shape it refuses) ends
    // the run as failed with its message; none may abort the process.
    try {
        return m_impl->train();
    } catch (const c10::Error& e) {
        TrainResult r;
        const std::string what = e.what_without_backtrace();
        r.error = "LibTorch stopped the run: " + what.substr(0, what.find('\n'));
        m_impl->finishFailed(r);
        return r;
    } catch (const std::bad_alloc&) {
        TrainResult r;
        r.error = "out of memory while training: make the largest layers smaller or lower the batch size";
        m_impl->finishFailed(r);
        return r;
    } catch (const std::exception& e) {
        TrainResult r;
        r.error = std::string("the run failed: ") + e.what();
        m_impl->finishFailed(r);
        return r;
    }
}

bool Trainer::Impl::openRun(TrainResult& result)
{
    if (!store)
        return true;
    std::string error;
    if (resumed) {
        // A mid-epoch checkpoint holds the batches before the stop: their lines stay.
        if (!store->truncateMetricsAfter(epochsDone, error, partial.batch)) {
            result.error = "the run's metrics could not be rewritten for the resume, so it stopped: " + error;
            store->writeSummary(summaryJson(result), error);
            return false;
        }
    } else if (!saveCheckpoint(store->checkpointPath(), error)) {
        // The epoch-0 checkpoint makes a run stopped in its first epoch resumable.
        result.error = error;
        // The reason goes into summary.json too, or the run would stay "running" for ever.
        std::string ignored;
        store->writeSummary(summaryJson(result), ignored);
        return false;
    }
    return true;
}

bool Trainer::Impl::stopInsideEpoch(int64_t batch, Partial& sums, TrainResult& result)
{
    result.status = "stopped";
    // A checkpoint of the epoch so far, so that Resume continues from this
    // batch instead of the epoch's start.
    if (batch > 0 && store) {
        partial = sums;
        partial.batch = batch;
        std::string error;
        if (!saveCheckpoint(store->checkpointPath(), error)) {
            result.status = "failed";
            result.error = error;
        }
        partial = {};
    }
    return false;
}

bool Trainer::Impl::trainBatch(const Batch& batch, double lr, Tensor& x, Tensor& y, BatchOutcome& out)
{
    const TrainingConfig& c = options.config;
    const auto batchStart = Clock::now();
    const uint64_t augmentSeed =
        mix64(c.seed ^ mix64(static_cast<uint64_t>(batch.epoch) << 32 | static_cast<uint64_t>(batch.index)));
    fillBatch(data->train, batch.order, static_cast<size_t>(batch.count), trainTransform, augmentSeed,
              x.data_ptr<float>(), y.data_ptr<int64_t>());
    Tensor xb = x.narrow(0, 0, batch.count);
    Tensor yb = y.narrow(0, 0, batch.count);
    if (device.is_cuda()) {
        xb = xb.to(device);
        yb = yb.to(device);
    }
    // Undefined gradients let backward hand its results over instead of adding them to zeros.
    for (Tensor& p : params)
        p.mutable_grad().reset();
    Tensor outputs = model->forward(xb);
    Tensor loss = detail::trainingLoss(c.loss, outputs, yb);
    out.loss = loss.item<double>();
    if (!std::isfinite(out.loss))
        return false;
    loss.backward();
    optimizerStep(lr);
    out.right = outputs.detach().argmax(1).eq(yb).sum().item<int64_t>();
    out.seconds = secondsSince(batchStart);
    return true;
}

void Trainer::Impl::reportBatch(const Batch& batch, int64_t batches, double lr, const BatchOutcome& b,
                                const RunPace& pace) const
{
    if (!onBatch)
        return;
    BatchProgress p;
    p.epoch = batch.epoch;
    p.epochs = options.config.epochs;
    p.batch = batch.index + 1;
    p.batches = batches;
    p.loss = b.loss;
    p.accuracy = static_cast<double>(b.right) / batch.count;
    p.learningRate = lr;
    p.imagesPerSecond = pace.trainSeconds > 0 ? pace.trainImages / pace.trainSeconds : 0;
    p.etaSeconds = pace.batchesDone > 0
                       ? pace.trainSeconds / pace.batchesDone * (pace.batchesLeftAtStart - pace.batchesDone)
                       : 0;
    onBatch(p);
}

bool Trainer::Impl::logBatches(const Batch& batch, double lr, Partial& sums, TrainResult& result)
{
    const int every = options.config.logEveryBatches;
    if (every <= 0 || (batch.index + 1) % every != 0)
        return true;
    std::string error;
    if (!record({{"type", "batch"},
                 {"epoch", batch.epoch},
                 {"batch", batch.index + 1},
                 {"loss", sums.intervalLoss / sums.intervalSeen},
                 {"accuracy", static_cast<double>(sums.intervalCorrect) / sums.intervalSeen},
                 {"lr", lr}},
                error)) {
        result.status = "failed";
        result.error = error;
        return false;
    }
    sums.intervalLoss = 0;
    sums.intervalCorrect = 0;
    sums.intervalSeen = 0;
    return true;
}

bool Trainer::Impl::trainEpoch(int epoch, double lr, const EpochPlan& plan, Tensor& x, Tensor& y, RunPace& pace,
                               Partial& sums, TrainResult& result)
{
    model->train();
    const std::vector<int64_t> order = epochOrder(plan.samples, options.config.seed, epoch);
    const int64_t bs = options.config.batchSize;
    int64_t first = 0;
    if (partial.batch > 0 && partial.batch < plan.batches) {
        // Resumed inside this epoch: on from the batch the stop left it at, with its sums.
        first = partial.batch;
        sums = partial;
    }
    partial = {};
    for (int64_t b = first; b < plan.batches; ++b) {
        if (cancel && cancel->load())
            return stopInsideEpoch(b, sums, result);
        const Batch batch{epoch, b, std::min<int64_t>(bs, static_cast<int64_t>(plan.samples) - b * bs),
                          order.data() + b * bs};
        BatchOutcome out;
        if (!trainBatch(batch, lr, x, y, out)) {
            result.status = "diverged";
            result.divergedEpoch = epoch;
            return false;
        }
        pace.trainSeconds += out.seconds;
        pace.trainImages += batch.count;
        ++pace.batchesDone;
        sums.trainSeconds += out.seconds;
        sums.lossSum += out.loss * batch.count;
        sums.correct += out.right;
        sums.seen += batch.count;
        sums.intervalLoss += out.loss * batch.count;
        sums.intervalCorrect += out.right;
        sums.intervalSeen += batch.count;
        reportBatch(batch, plan.batches, lr, out, pace);
        if (!logBatches(batch, lr, sums, result))
            return false;
    }
    return true;
}

bool Trainer::Impl::endEpoch(int epoch, double lr, const Partial& sums, Clock::time_point epochStart,
                             TrainResult& result)
{
    EpochMetrics m;
    m.epoch = epoch;
    m.trainLoss = sums.seen ? sums.lossSum / sums.seen : 0;
    m.trainAccuracy = sums.seen ? static_cast<double>(sums.correct) / sums.seen : 0;
    const EvalResult val = evaluate(data->validation);
    m.valLoss = val.loss;
    m.valAccuracy = val.accuracy;
    m.learningRate = lr;
    m.imagesPerSecond = sums.trainSeconds > 0 ? sums.seen / sums.trainSeconds : 0;
    m.seconds = secondsSince(epochStart);
    epochsDone = epoch;
    const bool improved = bestEpoch == 0 || m.valAccuracy > bestValAccuracy;
    if (improved) {
        bestEpoch = epoch;
        bestValAccuracy = m.valAccuracy;
        bestWeights = detail::weightFileFromModel(graph, model, epoch, "best");
    }
    result.history.push_back(m);
    std::string error;
    if (store && (!record(epochJson(m), error) || !saveCheckpoint(store->checkpointPath(), error) ||
                  !saveWeightFiles(store->dir(), improved, error))) {
        result.status = "failed";
        result.error = error;
        return false;
    }
    if (onEpoch)
        onEpoch(m);
    return true;
}

EvalResult Trainer::Impl::evaluateBest(int& epoch, std::string& warning)
{
    // The best epoch's weights, not the last epoch's: weights-best.qnnw is what
    // pack, export and deploy use by default, so the run's test accuracy must be theirs.
    std::string error;
    WeightFile fromDisk;
    const WeightFile* best = bestWeights.nodes.empty() ? nullptr : &bestWeights;
    if (!best && store && readWeightFile(store->dir() + "/" + kWeightFileBest, fromDisk, error))
        best = &fromDisk;
    epoch = epochsDone;
    if (!best) {
        if (bestEpoch != epochsDone)
            warning = "the best epoch's weights (epoch " + std::to_string(bestEpoch) +
                      ") could not be read back, so the test accuracy is the last epoch's" +
                      (error.empty() ? "" : ": " + error);
        return evaluate(data->test);
    }
    if (best->epoch == epochsDone)
        return evaluate(data->test);
    const WeightFile last = detail::weightFileFromModel(graph, model, epochsDone, "last");
    if (!detail::loadWeightFileIntoModel(graph, *best, model, error)) {
        warning = "the best epoch's weights (epoch " + std::to_string(best->epoch) +
                  ") could not be loaded back, so the test accuracy is the last epoch's: " + error;
        return evaluate(data->test);
    }
    epoch = best->epoch;
    const EvalResult test = evaluate(data->test);
    detail::loadWeightFileIntoModel(graph, last, model, error);
    return test;
}

void Trainer::Impl::finishRun(const RunPace& pace, Clock::time_point wallStart, TrainResult& result)
{
    result.epochsDone = epochsDone;
    result.bestEpoch = bestEpoch;
    result.bestValAccuracy = bestValAccuracy;
    result.imagesPerSecond = pace.trainSeconds > 0 ? pace.trainImages / pace.trainSeconds : 0;
    if (result.status == "completed") {
        const EvalResult test = evaluateBest(result.testEpoch, result.warning);
        result.testAccuracy = data->test.size() ? test.accuracy : -1;
        result.confusion = test.confusion;
    }
    result.wallSeconds = secondsSince(wallStart);
    std::string error;
    if (store && !store->writeSummary(summaryJson(result), error) && result.error.empty())
        result.error = error;
}

TrainResult Trainer::Impl::train()
{
    TrainResult result;
    const auto wallStart = Clock::now();
    const TrainingConfig& c = options.config;
    result.recipe = c.recipe;
    result.selectBy = c.selectBy;
    const ImageSet& trainSet = data->train;
    EpochPlan plan;
    plan.samples = options.trainLimit > 0 ? std::min(options.trainLimit, trainSet.size()) : trainSet.size();
    const int64_t bs = c.batchSize;
    plan.batches = (static_cast<int64_t>(plan.samples) + bs - 1) / bs;
    // A last batch of one sample cannot be batch-normalized in training mode: skip it.
    if (static_cast<int64_t>(plan.samples) % bs == 1)
        --plan.batches;
    if (!openRun(result))
        return result;

    Tensor x = torch::empty({bs, static_cast<int64_t>(trainSet.imageBytes())});
    Tensor y = torch::empty({bs}, torch::kLong);
    RunPace pace;
    pace.batchesLeftAtStart = static_cast<int64_t>(c.epochs - epochsDone) * plan.batches;
    result.status = "completed";
    for (int epoch = epochsDone + 1; epoch <= c.epochs; ++epoch) {
        const double lr = learningRateAt(c, epoch - 1);
        const auto epochStart = Clock::now();
        Partial sums;
        if (!trainEpoch(epoch, lr, plan, x, y, pace, sums, result) || !endEpoch(epoch, lr, sums, epochStart, result))
            break;
    }
    finishRun(pace, wallStart, result);
    return result;
}

nlohmann::json epochJson(const EpochMetrics& m)
{
    return {{"type", "epoch"},
            {"epoch", m.epoch},
            {"train_loss", m.trainLoss},
            {"train_accuracy", m.trainAccuracy},
            {"val_loss", m.valLoss},
            {"val_accuracy", m.valAccuracy},
            {"lr", m.learningRate},
            {"images_per_s", m.imagesPerSecond},
            {"seconds", m.seconds}};
}

nlohmann::json summaryJson(const TrainResult& r)
{
    nlohmann::json j;
    j["status"] = r.status;
    j["epochs_done"] = r.epochsDone;
    j["best_epoch"] = r.bestEpoch;
    j["best_val_accuracy"] = r.bestValAccuracy;
    j["test_accuracy"] = r.testAccuracy >= 0 ? nlohmann::json(r.testAccuracy) : nlohmann::json(nullptr);
    if (r.testAccuracy >= 0)
        j["test_epoch"] = r.testEpoch;
    j["confusion_matrix"] = r.confusion;
    j["wall_s"] = r.wallSeconds;
    j["images_per_s"] = r.imagesPerSecond;
    if (r.status == "diverged")
        j["diverged_epoch"] = r.divergedEpoch;
    if (!r.error.empty())
        j["error"] = r.error;
    if (!r.warning.empty())
        j["warning"] = r.warning;
    if (!r.recipe.empty())
        j["recipe"] = r.recipe;
    if (r.selectBy != "validation")
        j["select_by"] = r.selectBy;
    return j;
}

} // namespace qnn
