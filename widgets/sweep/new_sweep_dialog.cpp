#include "widgets/sweep/new_sweep_dialog.h"

#include "core/run/run_paths.h"
#include "core/sweep/sweep_spec.h"
#include "widgets/editor/graph_document.h"
#include "widgets/sweep/set_sweeps_command.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

NewSweepDialog::NewSweepDialog(GraphDocument* document, QWidget* parent)
    : QDialog(parent)
    , m_document(document)
    , m_projectPath(document->fileName())
    , m_project(document->project())
    , m_name(new QComboBox(this))
    , m_axes(new QPlainTextEdit(this))
    , m_seeds(new QSpinBox(this))
    , m_epochs(new QSpinBox(this))
    , m_trainLimit(new QSpinBox(this))
    , m_targetFps(new QDoubleSpinBox(this))
    , m_backend(new QComboBox(this))
    , m_jobs(new QSpinBox(this))
    , m_partition(new QLineEdit(this))
    , m_time(new QLineEdit(this))
    , m_maxRunning(new QSpinBox(this))
    , m_cpus(new QSpinBox(this))
    , m_gpus(new QSpinBox(this))
    , m_summary(new QLabel(this))
    , m_preview(new QTableWidget(this))
{
    setObjectName("NewSweepDialog");
    setWindowTitle(tr("New Sweep"));
    m_name->setEditable(true);
    m_name->setInsertPolicy(QComboBox::NoInsert);
    m_name->setToolTip(tr("The sweeps saved in the project; a new name saves a new one. The name is also the "
                          "sweep's folder under sweeps/."));
    for (const qnn::SweepDefinition& d : m_project.sweeps)
        m_name->addItem(QString::fromStdString(d.name));
    m_axes->setPlaceholderText(tr("one axis per line, e.g.\nprecision=W1A1,W1A2,W2A2\ndense*.units=256,512\nlr=0.001,0.003"));
    m_axes->setToolTip(tr("precision=... for the whole graph, PATTERN.precision=... for a group of layers, "
                          "PATTERN.ATTRIBUTE=... for a numeric attribute of the layers whose name matches, "
                          "or a training setting (lr, epochs, batch_size, optimizer, weight_decay, ...)"));
    m_seeds->setRange(1, 100);
    m_epochs->setRange(0, 100000);
    m_epochs->setSpecialValueText(tr("project's (%1)").arg(m_project.training.epochs));
    m_trainLimit->setRange(0, 100000000);
    m_trainLimit->setSpecialValueText(tr("all images"));
    m_targetFps->setRange(0, 1e9);
    m_targetFps->setDecimals(0);
    m_targetFps->setSpecialValueText(tr("fastest that fits"));
    m_backend->addItem(tr("local (this machine's queue)"), "local");
    m_backend->addItem(tr("Slurm job array"), "slurm");
    m_jobs->setRange(1, 64);
    m_partition->setPlaceholderText(tr("default partition"));
    m_time->setPlaceholderText(tr("HH:MM:SS"));
    m_maxRunning->setRange(0, 10000);
    m_maxRunning->setSpecialValueText(tr("no limit"));
    m_cpus->setRange(0, 1024);
    m_cpus->setSpecialValueText(tr("cluster's default"));
    m_gpus->setRange(0, 64);
    m_gpus->setSpecialValueText(tr("none"));
    m_gpus->setToolTip(tr("A GPU partition: the run uses CUDA when its LibTorch has it"));

    auto* form = new QFormLayout;
    form->addRow(tr("Sweep"), m_name);
    form->addRow(tr("Axes"), m_axes);
    form->addRow(tr("Seeds per point"), m_seeds);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Train on the first"), m_trainLimit);
    form->addRow(tr("Target FPS"), m_targetFps);
    form->addRow(tr("Backend"), m_backend);
    form->addRow(tr("Points at once (local)"), m_jobs);
    form->addRow(tr("Partition (Slurm)"), m_partition);
    form->addRow(tr("Time per point (Slurm)"), m_time);
    form->addRow(tr("Points at once (Slurm)"), m_maxRunning);
    form->addRow(tr("CPUs per point (Slurm)"), m_cpus);
    form->addRow(tr("GPUs per point (Slurm)"), m_gpus);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->verticalHeader()->hide();
    m_summary->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start sweep"));
    buttons->button(QDialogButtonBox::Save)->setToolTip(tr("Save the sweep in the project without starting it"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Dry run:"), this));
    layout->addWidget(m_summary);
    layout->addWidget(m_preview, 1);
    layout->addWidget(buttons);
    connect(buttons->button(QDialogButtonBox::Ok), &QPushButton::clicked, this, [this] { finish(true); });
    connect(buttons->button(QDialogButtonBox::Save), &QPushButton::clicked, this, [this] { finish(false); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* pause = new QTimer(this);
    pause->setSingleShot(true);
    pause->setInterval(300);
    connect(pause, &QTimer::timeout, this, &NewSweepDialog::updatePreview);
    auto later = [pause] { pause->start(); };
    connect(m_axes, &QPlainTextEdit::textChanged, this, later);
    connect(m_seeds, &QSpinBox::valueChanged, this, later);
    connect(m_epochs, &QSpinBox::valueChanged, this, later);
    connect(m_targetFps, &QDoubleSpinBox::valueChanged, this, later);
    connect(m_name, &QComboBox::textActivated, this, &NewSweepDialog::loadDefinition);
    connect(m_name, &QComboBox::editTextChanged, this, later);
    auto backendFields = [this] {
        const bool slurm = m_backend->currentData().toString() == "slurm";
        m_jobs->setEnabled(!slurm);
        for (QWidget* w : {static_cast<QWidget*>(m_partition), static_cast<QWidget*>(m_time),
                           static_cast<QWidget*>(m_maxRunning), static_cast<QWidget*>(m_cpus),
                           static_cast<QWidget*>(m_gpus)})
            w->setEnabled(slurm);
    };
    connect(m_backend, &QComboBox::currentIndexChanged, this, backendFields);
    if (m_project.sweeps.empty()) {
        // A new one: a free name and a small grid to start from.
        int n = 1;
        while (qnn::findSweepDefinition(m_project.sweeps, "sweep" + std::to_string(n)))
            ++n;
        m_name->setEditText(QString("sweep%1").arg(n));
        m_axes->setPlainText("precision=W1A1,W2A2\ndense*.units=64,128");
    } else {
        loadDefinition(QString::fromStdString(m_project.sweeps.front().name));
    }
    backendFields();
    updatePreview();
    resize(760, 700);
}

void NewSweepDialog::loadDefinition(const QString& name)
{
    const qnn::SweepDefinition* d = qnn::findSweepDefinition(m_project.sweeps, name.toStdString());
    if (!d)
        return;
    m_name->setEditText(name);
    QStringList lines;
    for (const qnn::SweepDefinition::Axis& a : d->axes)
        lines << QString::fromStdString(qnn::SweepDefinition::axisText(a));
    m_axes->setPlainText(lines.join('\n'));
    m_seeds->setValue(d->seeds);
    m_epochs->setValue(std::max(0, d->epochs));
    m_trainLimit->setValue(int(std::max<long long>(0, d->trainLimit)));
    m_targetFps->setValue(d->targetFps);
    m_backend->setCurrentIndex(std::max(0, m_backend->findData(QString::fromStdString(d->backend))));
    m_jobs->setValue(d->jobs);
    m_partition->setText(QString::fromStdString(d->partition));
    m_time->setText(QString::fromStdString(d->time));
    m_maxRunning->setValue(d->maxRunning);
    m_cpus->setValue(d->cpusPerTask);
    m_gpus->setValue(d->gpusPerTask);
    updatePreview();
}

qnn::SweepDefinition NewSweepDialog::definition() const
{
    const std::string name = m_name->currentText().trimmed().toStdString();
    const qnn::SweepDefinition* saved = qnn::findSweepDefinition(m_project.sweeps, name);
    qnn::SweepDefinition d = saved ? *saved : qnn::SweepDefinition{};
    d.name = name;
    d.axes.clear();
    for (const QString& line : m_axes->toPlainText().split('\n')) {
        qnn::SweepAxis axis;
        std::string ignored;
        if (!line.trimmed().isEmpty() && qnn::parseAxis(line.trimmed().toStdString(), axis, ignored))
            d.axes.push_back({axis.key, axis.values});
    }
    d.seeds = m_seeds->value();
    d.epochs = m_epochs->value() > 0 ? m_epochs->value() : -1;
    d.trainLimit = m_trainLimit->value() > 0 ? m_trainLimit->value() : -1;
    d.targetFps = m_targetFps->value();
    d.backend = m_backend->currentData().toString().toStdString();
    d.jobs = m_jobs->value();
    d.partition = m_partition->text().trimmed().toStdString();
    d.time = m_time->text().trimmed().toStdString();
    d.maxRunning = m_maxRunning->value();
    d.cpusPerTask = m_cpus->value();
    d.gpusPerTask = m_gpus->value();
    return d;
}

bool NewSweepDialog::saveDefinition(QString* error)
{
    const qnn::SweepDefinition d = definition();
    // The project file's own check, so that what the window saves loads again.
    std::string e;
    qnn::SweepDefinition check;
    if (!qnn::sweepDefinitionFromJson(qnn::sweepDefinitionToJson(d), d.name, check, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    const qnn::SweepDefinition* saved = qnn::findSweepDefinition(m_document->project().sweeps, d.name);
    if (saved && *saved == d)
        return true;
    std::vector<qnn::SweepDefinition> sweeps = m_document->project().sweeps;
    qnn::putSweepDefinition(sweeps, d);
    m_document->undoStack()->push(new SetSweepsCommand(
        m_document, sweeps,
        saved ? tr("Change sweep %1").arg(QString::fromStdString(d.name))
              : tr("Save sweep %1").arg(QString::fromStdString(d.name))));
    m_project.sweeps = sweeps;
    return true;
}

void NewSweepDialog::finish(bool start)
{
    QString error;
    if (!saveDefinition(&error)) {
        QMessageBox::warning(this, windowTitle(), error);
        return;
    }
    m_start = start;
    accept();
}

QStringList NewSweepDialog::gridArguments(QString* error) const
{
    QStringList out;
    for (const QString& line : m_axes->toPlainText().split('\n')) {
        const QString t = line.trimmed();
        if (!t.isEmpty())
            out << "--grid" << t;
    }
    if (out.isEmpty() && error)
        *error = tr("Give at least one axis, such as precision=W1A1,W2A2.");
    return out;
}

QStringList NewSweepDialog::arguments() const
{
    // The grid form with the saved name as the folder: the same sweep as
    // `qnnw sweep PROJECT --name NAME` once the project is saved, and right
    // now even while the saved definition is an unsaved edit.
    const qnn::SweepDefinition d = definition();
    QStringList a{"sweep", m_projectPath};
    a << gridArguments(nullptr) << "--name" << QString::fromStdString(d.name) << "--seeds"
      << QString::number(d.seeds);
    if (d.firstSeed >= 0)
        a << "--first-seed" << QString::number(d.firstSeed);
    if (d.epochs > 0)
        a << "--epochs" << QString::number(d.epochs);
    if (d.trainLimit > 0)
        a << "--train-limit" << QString::number(d.trainLimit);
    if (d.threads >= 0)
        a << "--threads" << QString::number(d.threads);
    if (d.device != "auto")
        a << "--device" << QString::fromStdString(d.device);
    if (!d.dataDir.empty())
        a << "--data" << QString::fromStdString(d.dataDir);
    if (d.targetFps > 0)
        a << "--target-fps" << QString::number(d.targetFps, 'f', 0);
    a << "--backend" << QString::fromStdString(d.backend);
    if (d.backend == "local") {
        a << "--jobs" << QString::number(d.jobs);
    } else {
        if (!d.partition.empty())
            a << "--partition" << QString::fromStdString(d.partition);
        if (!d.time.empty())
            a << "--time" << QString::fromStdString(d.time);
        if (d.maxRunning > 0)
            a << "--max-running" << QString::number(d.maxRunning);
        if (d.cpusPerTask > 0)
            a << "--cpus-per-task" << QString::number(d.cpusPerTask);
        if (d.gpusPerTask > 0)
            a << "--gpus-per-task" << QString::number(d.gpusPerTask);
        for (const std::string& x : d.sbatchArgs)
            a << "--sbatch-arg=" + QString::fromStdString(x);
        if (!d.nodeQnnw.empty())
            a << "--node-qnnw" << QString::fromStdString(d.nodeQnnw);
    }
    a << "--json";
    return a;
}

void NewSweepDialog::updatePreview()
{
    qnn::SweepSpec spec;
    QString problem;
    for (const QString& line : m_axes->toPlainText().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        qnn::SweepAxis axis;
        std::string error;
        if (!qnn::parseAxis(line.trimmed().toStdString(), axis, error)) {
            problem = QString::fromStdString(error);
            break;
        }
        spec.axes.push_back(axis);
    }
    if (problem.isEmpty() && spec.axes.empty())
        gridArguments(&problem);
    std::string nameError;
    if (problem.isEmpty() && !qnn::isSafeRunName(m_name->currentText().trimmed().toStdString(), nameError))
        problem = tr("The sweep's name is its folder's: %1").arg(QString::fromStdString(nameError));
    QPushButton* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QPushButton* save = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
    save->setEnabled(problem.isEmpty());
    if (!problem.isEmpty()) {
        m_summary->setText(problem);
        m_preview->setRowCount(0);
        m_points = m_invalid = 0;
        ok->setEnabled(false);
        return;
    }
    spec.seeds = m_seeds->value();
    spec.epochs = m_epochs->value() > 0 ? m_epochs->value() : -1;
    spec.targetFps = m_targetFps->value();
    const std::vector<qnn::SweepPoint> points = qnn::expandSweep(m_project, spec);
    m_points = int(points.size());
    m_invalid = 0;
    QStringList header{tr("point")};
    for (const qnn::SweepAxis& a : spec.axes)
        header << QString::fromStdString(a.key);
    header << tr("seed") << tr("params") << tr("LUT") << tr("BRAM36") << tr("FPS") << tr("fits") << tr("invalid because");
    m_preview->clear();
    m_preview->setColumnCount(header.size());
    m_preview->setHorizontalHeaderLabels(header);
    m_preview->setRowCount(m_points);
    for (int r = 0; r < m_points; ++r) {
        const qnn::SweepPoint& p = points[size_t(r)];
        QStringList cells{QString::fromStdString(p.id)};
        for (const auto& kv : p.values)
            cells << QString::fromStdString(kv.second);
        cells << QString::number(p.seed);
        if (p.valid) {
            const nlohmann::json& h = p.cost["hardware"];
            const bool ok = h.value("ok", false);
            cells << QString::number(p.cost.value("params", 0LL))
                  << (ok ? QString::number(h.value("lut", 0.0), 'f', 0) : "-")
                  << (ok ? QString::number(h.value("bram36", 0.0), 'f', 1) : "-")
                  << (ok ? QString::number(h.value("fps", 0.0), 'f', 0) : "-")
                  << (ok ? (h.value("fits", false) ? tr("yes") : tr("no")) : "-") << QString();
        } else {
            ++m_invalid;
            cells << "-" << "-" << "-" << "-" << "-" << QString::fromStdString(p.reason);
        }
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (!p.valid)
                item->setForeground(QColor("#d62728"));
            m_preview->setItem(r, c, item);
        }
    }
    m_preview->resizeColumnsToContents();
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_summary->setText(tr("%1 points, %2 to run, %3 invalid (not run).")
                           .arg(m_points)
                           .arg(m_points - m_invalid)
                           .arg(m_invalid));
    ok->setEnabled(m_points > m_invalid);
}
