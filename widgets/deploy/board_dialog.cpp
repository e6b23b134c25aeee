#include "widgets/deploy/board_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

using qnn::deploy::BoardConfig;

BoardDialog::BoardDialog(QWidget* parent)
    : QDialog(parent)
    , m_name(new QLineEdit)
    , m_kind(new QComboBox)
    , m_host(new QLineEdit)
    , m_port(new QSpinBox)
    , m_user(new QLineEdit("xilinx"))
    , m_usePassword(new QCheckBox(tr("Ask for a password when connecting")))
    , m_key(new QLineEdit)
    , m_dir(new QLineEdit("qnn-workbench"))
    , m_error(new QLabel)
{
    setWindowTitle(tr("Board"));
    for (const std::string& kind : qnn::deploy::boardKinds())
        m_kind->addItem(QString::fromStdString(kind));
    m_port->setRange(1, 65535);
    m_port->setValue(22);
    m_host->setPlaceholderText("192.168.2.99");
    m_key->setPlaceholderText(QDir::homePath() + "/.ssh/id_ed25519");
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Private key"), QDir::homePath() + "/.ssh");
        if (!file.isEmpty())
            m_key->setText(file);
    });
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(browse);
    m_error->setStyleSheet("color: #b00020");
    m_error->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Kind"), m_kind);
    form->addRow(tr("Host"), m_host);
    form->addRow(tr("Port"), m_port);
    form->addRow(tr("User"), m_user);
    form->addRow(tr("Private key"), keyRow);
    form->addRow(QString(), m_usePassword);
    form->addRow(tr("Folder"), m_dir);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &BoardDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &BoardDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_kind, &QComboBox::currentTextChanged, this, &BoardDialog::kindChanged);
    connect(m_usePassword, &QCheckBox::toggled, m_key, &QWidget::setDisabled);
    kindChanged();
}

void BoardDialog::kindChanged()
{
    BoardConfig probe;
    probe.kind = m_kind->currentText().toStdString();
    const bool ssh = probe.isSsh();
    for (QWidget* w : {static_cast<QWidget*>(m_host), static_cast<QWidget*>(m_port), static_cast<QWidget*>(m_user),
                       static_cast<QWidget*>(m_key), static_cast<QWidget*>(m_usePassword)})
        w->setEnabled(ssh);
    if (ssh)
        m_key->setEnabled(!m_usePassword->isChecked());
    m_dir->setPlaceholderText(ssh ? tr("folder on the board (qnn-workbench in the user's home)")
                                  : tr("folder on this machine"));
}

void BoardDialog::setBoard(const BoardConfig& b)
{
    m_name->setText(QString::fromStdString(b.name));
    m_kind->setCurrentText(QString::fromStdString(b.kind));
    m_host->setText(QString::fromStdString(b.host));
    m_port->setValue(b.port);
    m_user->setText(QString::fromStdString(b.user));
    m_key->setText(QString::fromStdString(b.keyPath));
    m_usePassword->setChecked(b.isSsh() && b.keyPath.empty());
    m_dir->setText(QString::fromStdString(b.remoteDir));
    kindChanged();
}

BoardConfig BoardDialog::board() const
{
    BoardConfig b;
    b.name = m_name->text().trimmed().toStdString();
    b.kind = m_kind->currentText().toStdString();
    if (b.isSsh()) {
        b.host = m_host->text().trimmed().toStdString();
        b.port = m_port->value();
        b.user = m_user->text().trimmed().toStdString();
        if (!m_usePassword->isChecked())
            b.keyPath = m_key->text().trimmed().toStdString();
    }
    b.remoteDir = m_dir->text().trimmed().toStdString();
    if (b.remoteDir.empty() && b.isSsh())
        b.remoteDir = "qnn-workbench";
    return b;
}

void BoardDialog::accept()
{
    std::string error;
    if (!qnn::deploy::validateBoard(board(), error)) {
        m_error->setText(QString::fromStdString(error));
        return;
    }
    QDialog::accept();
}
