// The recipe row of the training settings: applying a preset is one undo
// step that writes the settings and the dropout into the document, undo
// puts everything back, and a setting edited by hand drops the recipe's name.
#include "core/project/project.h"
#include "widgets/editor/graph_document.h"
#include "widgets/training/training_settings_form.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSpinBox>
#include <QUndoStack>
#include <QtTest>

using namespace qnn;

class TestRecipeForm : public QObject
{
    Q_OBJECT

private slots:
    void applyUndoRedo()
    {
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", &error), qPrintable(error));
        const Project original = doc.project();
        TrainingSettingsForm form(&doc);
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("binarynet"));
        QVERIFY(form.recipeNote().contains("0.5 after every hidden activation"));
        const int steps = doc.undoStack()->count();
        form.applyRecipeButton()->click();

        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QCOMPARE(doc.undoStack()->undoText(), QString("Recipe BinaryNet (Courbariaux et al. 2016)"));
        QCOMPARE(doc.project().graph.size(), original.graph.size() + 4);
        QVERIFY(doc.project().graph.findByName("drop_act2") != kInvalidNode);
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("binarynet@1"));
        QCOMPARE(form.epochsBox()->value(), 250);
        QCOMPARE(form.lossBox()->currentText(), QString("squared_hinge"));
        QCOMPARE(form.lrBox()->value(), 0.003);
        QVERIFY(form.recipeNote().startsWith("In use (binarynet@1)."));
        // QNN_SCREENSHOTS=DIR keeps a picture of the form, to look at it as a user does.
        if (qEnvironmentVariableIsSet("QNN_SCREENSHOTS")) {
            form.resize(420, 640);
            form.grab().save(qEnvironmentVariable("QNN_SCREENSHOTS") + "/recipe-form.png");
        }
        QVERIFY(!doc.analysis().hasErrors());

        doc.undoStack()->undo();
        QVERIFY(doc.project().graph == original.graph);
        QVERIFY(doc.project().training == original.training);
        QCOMPARE(form.epochsBox()->value(), original.training.epochs);
        doc.undoStack()->redo();
        QCOMPARE(doc.project().graph.size(), original.graph.size() + 4);

        // Applying it again changes nothing and adds no empty undo step.
        form.applyRecipeButton()->click();
        QCOMPARE(doc.undoStack()->count(), steps + 1);

        // A learning rate typed by hand is not the recipe's any more.
        form.lrBox()->setValue(0.001);
        QVERIFY(doc.project().training.recipe.empty());
        QCOMPARE(doc.project().training.learningRate, 0.001);
        // ...and the other settings stay as the recipe wrote them (the final rate of 3e-7 included).
        QCOMPARE(doc.project().training.learningRateEnd, 3e-7);
        QCOMPARE(doc.project().training.epochs, 250);
    }

    void brevitasShowsItsInitialisationAndProtocol()
    {
        GraphDocument doc;
        QString error;
        QVERIFY(doc.load(QNN_SOURCE_DIR "/projects/tfc-w1a1-mnist.qnnproj", &error));
        TrainingSettingsForm form(&doc);
        QCOMPARE(form.weightInitBox()->currentData().toString(), QString("default"));
        QCOMPARE(form.selectByBox()->currentData().toString(), QString("validation"));
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas"));
        form.applyRecipeButton()->click();
        QCOMPARE(form.weightInitBox()->currentText(), QString("uniform on [-1, 1] (Brevitas)"));
        QCOMPARE(form.selectByBox()->currentText(), QString("the test set (Brevitas' protocol)"));
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("brevitas@2"));
        if (qEnvironmentVariableIsSet("QNN_SCREENSHOTS")) {
            form.resize(460, 720);
            form.grab().save(qEnvironmentVariable("QNN_SCREENSHOTS") + "/recipe-form-brevitas.png");
        }
        // Choosing the held-out images by hand is one undo step and no longer the recipe.
        const int steps = doc.undoStack()->count();
        form.selectByBox()->setCurrentIndex(form.selectByBox()->findData("validation"));
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QCOMPARE(QString::fromStdString(doc.project().training.selectBy), QString("validation"));
        QVERIFY(doc.project().training.recipe.empty());
        QCOMPARE(QString::fromStdString(doc.project().training.weightInit), QString("uniform"));
        doc.undoStack()->undo();
        QCOMPARE(QString::fromStdString(doc.project().training.selectBy), QString("test"));
        QCOMPARE(form.selectByBox()->currentData().toString(), QString("test"));
    }

    void aRecipeThatDoesNotFitSaysWhy()
    {
        GraphDocument doc;
        QString error;
        QVERIFY(doc.load(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", &error));
        Project p = doc.project();
        p.graph.connect({p.graph.findByName("act1"), 0, p.graph.findByName("dense3"), 0});
        doc.setProject(p);
        TrainingSettingsForm form(&doc);
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas"));
        const int steps = doc.undoStack()->count();
        form.applyRecipeButton()->click();
        QCOMPARE(doc.undoStack()->count(), steps);
        QVERIFY2(form.recipeNote().startsWith("Brevitas bnn_pynq was not applied: the recipe puts dropout after 'act1'"),
                 qPrintable(form.recipeNote()));
    }
};

QTEST_MAIN(TestRecipeForm)
#include "tst_recipe_form.moc"
