#pragma once

#include "core/deploy/board_config.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

/** Adds or edits one board: kind, address, login (key file or a password
 *  asked at connect time, never stored) and the folder for deployments. */
class BoardDialog : public QDialog
{
    Q_OBJECT
public:
    explicit BoardDialog(QWidget* parent = nullptr);

    void setBoard(const qnn::deploy::BoardConfig& board);
    qnn::deploy::BoardConfig board() const;

    void accept() override;

private:
    void kindChanged();

    QLineEdit* m_name;
    QComboBox* m_kind;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QLineEdit* m_user;
    QCheckBox* m_usePassword;
    QLineEdit* m_key;
    QLineEdit* m_dir;
    QLabel* m_error;
};
