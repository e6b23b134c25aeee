#include "widgets/training/training_settings_form.h"

#include "core/data/dataset_catalog.h"
#include "widgets/data/dataset_download_dialog.h"

#include "core/data/dataset.h"
#include "core/project/recipe.h"
#include "core/run/run_paths.h"
#include "widgets/editor/graph_document.h"
#include "widgets/training/apply_recipe_command.h"
#include "widgets/training/set_training_command.h"

#include <algorithm>

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>

namespace {

QComboBox* comboOf(QWidget* parent, const QStringList& items)
{
    auto* box = new QComboBox(parent);
    box->addItems(items);
    return box;
}

} // namespace

TrainingSettingsForm::TrainingSettingsForm(GraphDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_dataset(new QComboBox(this))
    , m_folder(new QLineEdit(this))
    , m_browse(new QPushButton(tr("Browse…"), this))
    , m_datasetNote(new QLabel(this))
    , m_useSynthetic(new QPushButton(tr("Use the built-in synthetic digits"), this))
    , m_downloadData(new QPushButton(this))
    , m_epochs(new QSpinBox(this))
    , m_batch(new QSpinBox(this))
    , m_optimizer(comboOf(this, {"adam", "sgd"}))
    , m_lr(new QDoubleSpinBox(this))
    , m_lrEnd(new QDoubleSpinBox(this))
    , m_schedule(comboOf(this, {"constant", "exponential", "cosine", "step"}))
    , m_loss(comboOf(this, {"cross_entropy", "squared_hinge"}))
    , m_weightInit(new QComboBox(this))
    , m_stepEpochs(new QSpinBox(this))
    , m_stepGamma(new QDoubleSpinBox(this))
    , m_selectBy(new QComboBox(this))
    , m_randomShift(new QSpinBox(this))
    , m_seed(new QSpinBox(this))
    , m_threads(new QSpinBox(this))
    , m_recipe(new QComboBox(this))
    , m_applyRecipe(new QPushButton(tr("Apply"), this))
    , m_recipeNote(new QLabel(this))
{
    setObjectName("TrainingSettingsForm");
    for (const std::string& name : qnn::knownDatasets())
        m_dataset->addItem(QString::fromStdString(name));
    m_folder->setPlaceholderText(tr("default place"));
    m_epochs->setRange(1, 100000);
    m_batch->setRange(2, 65536);
    // Eight decimals: BinaryNet's final rate is 3e-7, and a box that rounds it
    // to 1e-6 would write 1e-6 back with the next edit of any other field.
    for (QDoubleSpinBox* b : {m_lr, m_lrEnd}) {
        b->setDecimals(8);
        b->setRange(1e-8, 10);
        b->setSingleStep(1e-4);
    }
    m_stepEpochs->setRange(1, 100000);
    m_stepEpochs->setSuffix(tr(" epochs"));
    m_stepGamma->setDecimals(4);
    m_stepGamma->setRange(1e-4, 1);
    m_stepGamma->setSingleStep(0.1);
    m_stepEpochs->setToolTip(tr("Step schedule: the rate is multiplied by the factor every this many epochs"));
    m_stepGamma->setToolTip(m_stepEpochs->toolTip());
    // The words a user reads, the project's values as item data.
    m_weightInit->addItem(tr("PyTorch's default"), "default");
    m_weightInit->addItem(tr("uniform on [-1, 1] (Brevitas)"), "uniform");
    m_weightInit->setToolTip(tr("How the latent weights of quantized layers start"));
    m_selectBy->addItem(tr("held-out validation images"), "validation");
    m_selectBy->addItem(tr("the test set (Brevitas' protocol)"), "test");
    m_selectBy->setToolTip(tr("Which images choose the best epoch. With the test set, every training image is "
                              "trained on and the test accuracy is the best epoch's: how published figures were "
                              "made, and optimistic"));
    // -1 is the project file's "random_shift" left to the dataset: CIFAR-10's crops and flips, none for MNIST.
    m_randomShift->setRange(-1, 16);
    m_randomShift->setSuffix(tr(" px"));
    m_randomShift->setSpecialValueText(tr("the dataset's default"));
    m_randomShift->setToolTip(tr("Each training image is moved by up to this many pixels each time it is drawn "
                                 "(0: never). Helps wide networks generalise; narrow ones cannot fit moved digits"));
    m_seed->setRange(0, 2147483647);
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("every core"));
    m_datasetNote->setWordWrap(true);
    m_datasetNote->setStyleSheet("color: #b00020");
    m_datasetNote->setTextInteractionFlags(Qt::TextSelectableByMouse);

    for (const qnn::Recipe& r : qnn::recipes())
        m_recipe->addItem(QString::fromStdString(r.title), QString::fromStdString(r.name));
    m_recipeNote->setWordWrap(true);
    m_recipeNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_applyRecipe->setToolTip(tr("Write the preset's settings (and the dropout it uses) into the project: one undo step"));

    auto* recipeRow = new QHBoxLayout;
    recipeRow->addWidget(m_recipe, 1);
    recipeRow->addWidget(m_applyRecipe);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(m_browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Dataset"), m_dataset);
    form->addRow(tr("Folder"), folderRow);
    form->addRow(m_datasetNote);
    form->addRow(m_downloadData);
    form->addRow(m_useSynthetic);
    form->addRow(tr("Recipe"), recipeRow);
    form->addRow(m_recipeNote);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Optimizer"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Final rate"), m_lrEnd);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Step every"), m_stepEpochs);
    form->addRow(tr("Step factor"), m_stepGamma);
    form->addRow(tr("Loss"), m_loss);
    form->addRow(tr("Latent weights"), m_weightInit);
    form->addRow(tr("Best epoch by"), m_selectBy);
    form->addRow(tr("Random shift"), m_randomShift);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Threads"), m_threads);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);

    connect(m_dataset, &QComboBox::currentTextChanged, this, [this] { commit(tr("dataset")); });
    connect(m_folder, &QLineEdit::editingFinished, this, [this] { commit(tr("dataset folder")); });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), m_folder->text());
        if (dir.isEmpty())
            return;
        m_folder->setText(dir);
        commit(tr("dataset folder"));
    });
    connect(m_downloadData, &QPushButton::clicked, this, [this] {
        DatasetDownloadDialog dialog(QString::fromStdString(m_document->project().dataset.name), this);
        dialog.exec();
        checkDataset();
    });
    connect(m_useSynthetic, &QPushButton::clicked, this, [this] {
        m_loading = true;
        m_dataset->setCurrentText("synthetic-digits");
        m_folder->clear();
        m_loading = false;
        commit(tr("dataset"));
    });
    connect(m_epochs, &QSpinBox::valueChanged, this, [this] { commit(tr("epochs"), true); });
    connect(m_batch, &QSpinBox::valueChanged, this, [this] { commit(tr("batch size"), true); });
    connect(m_optimizer, &QComboBox::currentTextChanged, this, [this] { commit(tr("optimizer")); });
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, [this] { commit(tr("learning rate"), true); });
    connect(m_lrEnd, &QDoubleSpinBox::valueChanged, this, [this] { commit(tr("final rate"), true); });
    connect(m_schedule, &QComboBox::currentTextChanged, this, [this] {
        enableScheduleFields();
        commit(tr("schedule"));
    });
    connect(m_stepEpochs, &QSpinBox::valueChanged, this, [this] { commit(tr("step epochs"), true); });
    connect(m_stepGamma, &QDoubleSpinBox::valueChanged, this, [this] { commit(tr("step factor"), true); });
    connect(m_loss, &QComboBox::currentTextChanged, this, [this] { commit(tr("loss")); });
    connect(m_weightInit, &QComboBox::currentIndexChanged, this, [this] { commit(tr("latent weights")); });
    connect(m_selectBy, &QComboBox::currentIndexChanged, this, [this] { commit(tr("best epoch choice")); });
    connect(m_randomShift, &QSpinBox::valueChanged, this, [this] { commit(tr("random shift"), true); });
    connect(m_seed, &QSpinBox::valueChanged, this, [this] { commit(tr("seed"), true); });
    connect(m_threads, &QSpinBox::valueChanged, this, [this] { commit(tr("threads"), true); });
    connect(m_recipe, &QComboBox::currentIndexChanged, this, &TrainingSettingsForm::showRecipe);
    connect(m_applyRecipe, &QPushButton::clicked, this, &TrainingSettingsForm::applyChosenRecipe);
    connect(m_document, &GraphDocument::trainingChanged, this, &TrainingSettingsForm::load);
    connect(m_document, &GraphDocument::graphReset, this, &TrainingSettingsForm::load);
    connect(m_document, &GraphDocument::fileNameChanged, this, &TrainingSettingsForm::checkDataset);
    load();
}

void TrainingSettingsForm::load()
{
    m_loading = true;
    const qnn::Project& p = m_document->project();
    const qnn::TrainingConfig& c = p.training;
    m_dataset->setCurrentText(QString::fromStdString(p.dataset.name));
    m_folder->setText(QString::fromStdString(p.dataset.path));
    m_epochs->setValue(c.epochs);
    m_batch->setValue(c.batchSize);
    m_optimizer->setCurrentText(QString::fromStdString(c.optimizer));
    m_lr->setValue(c.learningRate);
    m_lrEnd->setValue(c.learningRateEnd);
    m_schedule->setCurrentText(QString::fromStdString(c.schedule));
    m_stepEpochs->setValue(c.stepEpochs);
    m_stepGamma->setValue(c.stepGamma);
    enableScheduleFields();
    m_loss->setCurrentText(QString::fromStdString(c.loss));
    m_weightInit->setCurrentIndex(m_weightInit->findData(QString::fromStdString(c.weightInit)));
    m_selectBy->setCurrentIndex(m_selectBy->findData(QString::fromStdString(c.selectBy)));
    m_randomShift->setValue(std::clamp(c.randomShift, -1, 16));
    m_seed->setValue(static_cast<int>(std::min<uint64_t>(c.seed, 2147483647)));
    m_threads->setValue(c.threads);
    if (const qnn::Recipe* r = qnn::findRecipe(c.recipe))
        m_recipe->setCurrentIndex(m_recipe->findData(QString::fromStdString(r->name)));
    m_loading = false;
    showRecipe();
    checkDataset();
}

void TrainingSettingsForm::enableScheduleFields()
{
    // Only the fields the chosen schedule reads can be edited: a final rate under "step" would do nothing.
    const QString s = m_schedule->currentText();
    m_lrEnd->setEnabled(s == "exponential" || s == "cosine");
    m_stepEpochs->setEnabled(s == "step");
    m_stepGamma->setEnabled(s == "step");
}

QString TrainingSettingsForm::recipeNote() const { return m_recipeNote->text(); }

void TrainingSettingsForm::showRecipe()
{
    const qnn::Recipe* r = qnn::findRecipe(m_recipe->currentData().toString().toStdString());
    if (!r)
        return;
    const bool applied = m_document->project().training.recipe == r->id();
    m_recipeNote->setStyleSheet(QString());
    m_recipeNote->setText((applied ? tr("In use (%1). ").arg(QString::fromStdString(r->id())) : QString()) +
                          QString::fromStdString(r->doc) + "\n" + tr("From: %1").arg(QString::fromStdString(r->citation)));
}

void TrainingSettingsForm::applyChosenRecipe()
{
    const qnn::Recipe* r = qnn::findRecipe(m_recipe->currentData().toString().toStdString());
    if (!r)
        return;
    QString error;
    if (QUndoCommand* command = makeApplyRecipeCommand(m_document, *r, &error)) {
        m_document->undoStack()->push(command);
        return;
    }
    if (!error.isEmpty()) {
        m_recipeNote->setStyleSheet("color: #b00020");
        m_recipeNote->setText(tr("%1 was not applied: %2").arg(QString::fromStdString(r->title), error));
    }
}

void TrainingSettingsForm::commit(const QString& field, bool merges)
{
    if (m_loading)
        return;
    qnn::TrainingConfig c = m_document->project().training;
    qnn::DatasetChoice d = m_document->project().dataset;
    d.name = m_dataset->currentText().toStdString();
    d.path = m_folder->text().trimmed().toStdString();
    c.epochs = m_epochs->value();
    c.batchSize = m_batch->value();
    c.optimizer = m_optimizer->currentText().toStdString();
    c.learningRate = m_lr->value();
    c.learningRateEnd = m_lrEnd->value();
    c.schedule = m_schedule->currentText().toStdString();
    c.stepEpochs = m_stepEpochs->value();
    c.stepGamma = m_stepGamma->value();
    c.loss = m_loss->currentText().toStdString();
    // A value the list does not have (a hand-edited file) stays as it is; training then names it.
    if (m_weightInit->currentIndex() >= 0)
        c.weightInit = m_weightInit->currentData().toString().toStdString();
    if (m_selectBy->currentIndex() >= 0)
        c.selectBy = m_selectBy->currentData().toString().toStdString();
    // A shift beyond the box's 16 px (a hand-edited file) stays as it is unless the box was changed.
    if (m_randomShift->value() != std::clamp(c.randomShift, -1, 16))
        c.randomShift = m_randomShift->value();
    c.seed = static_cast<uint64_t>(m_seed->value());
    c.threads = m_threads->value();
    // A setting changed by hand is no longer the recipe's: the run must not claim it.
    if (!(c == m_document->project().training) && c.seed == m_document->project().training.seed &&
        c.threads == m_document->project().training.threads)
        c.recipe.clear();
    if (c == m_document->project().training && d == m_document->project().dataset)
        return;
    m_document->undoStack()->push(new SetTrainingCommand(m_document, c, d, field, merges));
}

QString TrainingSettingsForm::datasetProblem() const { return m_datasetNote->text(); }

void TrainingSettingsForm::checkDataset()
{
    const qnn::Project& p = m_document->project();
    QString problem;
    if (p.dataset.name != "synthetic-digits") {
        qnn::DatasetRequest r;
        r.choice = p.dataset;
        r.projectDir = m_document->fileName().isEmpty() ? std::string()
                                                        : qnn::projectDirOf(m_document->fileName().toStdString());
        // A folder the user chose is the one place that counts, not the defaults behind it.
        if (!p.dataset.path.empty()) {
            const QString folder = QString::fromStdString(p.dataset.path);
            r.dataDir = QDir::isAbsolutePath(folder) ? p.dataset.path
                                                     : QDir(QString::fromStdString(r.projectDir.empty() ? "." : r.projectDir))
                                                           .filePath(folder)
                                                           .toStdString();
        }
        bool somewhere = false;
        for (const std::string& dir : qnn::datasetSearchPaths(r))
            somewhere = somewhere || (QFileInfo(QString::fromStdString(dir)).isDir() &&
                                      !QDir(QString::fromStdString(dir)).isEmpty());
        // A downloadable dataset counts as found only where its files are: a folder holding
        // just the .part of a cancelled download does not.
        if (p.dataset.path.empty() && qnn::findCatalogEntry(qnn::datasetCatalog(), p.dataset.name))
            somewhere = !qnn::findDatasetDir(r).empty();
        // Only when no folder holds anything: then the loader fails before reading a byte and says what goes where.
        qnn::DatasetSplits unused;
        std::string error;
        if (!somewhere && !qnn::loadDataset(r, unused, error))
            problem = QString::fromStdString(error);
    }
    m_datasetNote->setText(problem);
    m_datasetNote->setVisible(!problem.isEmpty());
    m_useSynthetic->setVisible(!problem.isEmpty());
    const qnn::CatalogEntry* downloadable = qnn::findCatalogEntry(qnn::datasetCatalog(), p.dataset.name);
    m_downloadData->setVisible(!problem.isEmpty() && downloadable && p.dataset.path.empty());
    if (downloadable)
        m_downloadData->setText(tr("Download %1 (%2)…")
                                    .arg(QString::fromStdString(downloadable->title),
                                         QString::fromStdString(qnn::formatBytes(downloadable->totalBytes()))));
}
