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

    void noDropoutTakesTheLayersOutInOneUndoStep()
    {
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(QNN_SOURCE_DIR "/projects/tfc-w1a2-mnist.qnnproj", &error), qPrintable(error));
        const Project bare = doc.project();
        TrainingSettingsForm form(&doc);
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas"));
        form.applyRecipeButton()->click();
        const Project withDropout = doc.project();
        QCOMPARE(withDropout.graph.size(), bare.graph.size() + 4);

        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas-nodropout"));
        QVERIFY2(form.recipeNote().contains("narrow networks such as TFC"), qPrintable(form.recipeNote()));
        const int steps = doc.undoStack()->count();
        form.applyRecipeButton()->click();
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QVERIFY(doc.project().graph.edges() == bare.graph.edges());
        QCOMPARE(doc.project().graph.size(), bare.graph.size());
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("brevitas-nodropout@1"));
        QVERIFY(!doc.analysis().hasErrors());
        // Undo brings the four Dropout layers back, wired as they were.
        doc.undoStack()->undo();
        QVERIFY(doc.project().graph == withDropout.graph);
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("brevitas@2"));
    }

    void randomShiftIsShownAndEditable()
    {
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", &error), qPrintable(error));
        TrainingSettingsForm form(&doc);
        QCOMPARE(form.randomShiftBox()->value(), doc.project().training.randomShift);
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas-short"));
        form.applyRecipeButton()->click();
        QCOMPARE(form.randomShiftBox()->value(), 0);
        form.recipeBox()->setCurrentIndex(form.recipeBox()->findData("brevitas-shift"));
        form.applyRecipeButton()->click();
        QCOMPARE(form.randomShiftBox()->value(), 2);
        QCOMPARE(form.randomShiftBox()->text(), QString("2 px"));
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("brevitas-shift@1"));
        // A shift typed by hand is an undo step and is not the recipe's.
        const int steps = doc.undoStack()->count();
        form.randomShiftBox()->setValue(1);
        QCOMPARE(doc.project().training.randomShift, 1);
        QVERIFY(doc.project().training.recipe.empty());
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        doc.undoStack()->undo();
        QCOMPARE(doc.project().training.randomShift, 2);
        QCOMPARE(form.randomShiftBox()->value(), 2);
        // The lowest value leaves it to the dataset, and says so.
        form.randomShiftBox()->setValue(-1);
        QCOMPARE(doc.project().training.randomShift, -1);
        QCOMPARE(form.randomShiftBox()->text(), QString("the dataset's default"));
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
        // The step schedule's fields show the recipe's and are the ones that can be edited.
        QCOMPARE(form.stepEpochsBox()->value(), 40);
        QCOMPARE(form.stepGammaBox()->value(), 0.5);
        QVERIFY(form.stepEpochsBox()->isEnabled());
        QVERIFY(!form.finalRateBox()->isEnabled());
        int before = doc.undoStack()->count();
        form.stepEpochsBox()->setValue(30);
        QCOMPARE(doc.project().training.stepEpochs, 30);
        QCOMPARE(doc.undoStack()->count(), before + 1);
        doc.undoStack()->undo();
        QCOMPARE(doc.project().training.stepEpochs, 40);
        QCOMPARE(form.stepEpochsBox()->value(), 40);
        QCOMPARE(QString::fromStdString(doc.project().training.recipe), QString("brevitas@2"));
        // Choosing the held-out images by hand is one undo step and no longer the recipe.
        const int steps = doc.undoStack()->index();
        form.selectByBox()->setCurrentIndex(form.selectByBox()->findData("validation"));
        QCOMPARE(doc.undoStack()->index(), steps + 1);
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
