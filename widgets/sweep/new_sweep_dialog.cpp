#include "widgets/sweep/new_sweep_dialog.h"

#include "core/sweep/sweep_spec.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

NewSweepDialog::NewSweepDialog(const QString& projectPath, const qnn::Project& project, QWidget* parent)
    : QDialog(parent)
    , m_projectPath(projectPath)
    , m_project(project)
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
    , m_summary(new QLabel(this))
    , m_preview(new QTableWidget(this))
{
    setObjectName("NewSweepDialog");
    setWindowTitle(tr("New Sweep"));
    m_axes->setPlaceholderText(tr("one axis per line, e.g.\nprecision=W1A1,W1A2,W2A2\ndense*.units=256,512\nlr=0.001,0.003"));
    m_axes->setPlainText("precision=W1A1,W2A2\ndense*.units=64,128");
    m_axes->setToolTip(tr("precision=... for the whole graph, PATTERN.precision=... for a group of layers, "
                          "PATTERN.ATTRIBUTE=... for a numeric attribute of the layers whose name matches, "
                          "or a training setting (lr, epochs, batch_size, optimizer, weight_decay, ...)"));
    m_seeds->setRange(1, 100);
    m_epochs->setRange(0, 100000);
    m_epochs->setSpecialValueText(tr("project's (%1)").arg(project.training.epochs));
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

    auto* form = new QFormLayout;
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
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->verticalHeader()->hide();
    m_summary->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start sweep"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Dry run:"), this));
    layout->addWidget(m_summary);
    layout->addWidget(m_preview, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
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
    auto backendFields = [this] {
        const bool slurm = m_backend->currentData().toString() == "slurm";
        m_jobs->setEnabled(!slurm);
        for (QWidget* w : {static_cast<QWidget*>(m_partition), static_cast<QWidget*>(m_time),
                           static_cast<QWidget*>(m_maxRunning)})
            w->setEnabled(slurm);
    };
    connect(m_backend, &QComboBox::currentIndexChanged, this, backendFields);
    backendFields();
    updatePreview();
    resize(760, 640);
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
    QStringList a{"sweep", m_projectPath};
    a << gridArguments(nullptr) << "--seeds" << QString::number(m_seeds->value());
    if (m_epochs->value() > 0)
        a << "--epochs" << QString::number(m_epochs->value());
    if (m_trainLimit->value() > 0)
        a << "--train-limit" << QString::number(m_trainLimit->value());
    if (m_targetFps->value() > 0)
        a << "--target-fps" << QString::number(m_targetFps->value(), 'f', 0);
    const QString backend = m_backend->currentData().toString();
    a << "--backend" << backend;
    if (backend == "local") {
        a << "--jobs" << QString::number(m_jobs->value());
    } else {
        if (!m_partition->text().trimmed().isEmpty())
            a << "--partition" << m_partition->text().trimmed();
        if (!m_time->text().trimmed().isEmpty())
            a << "--time" << m_time->text().trimmed();
        if (m_maxRunning->value() > 0)
            a << "--max-running" << QString::number(m_maxRunning->value());
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
    QPushButton* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
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
