"""Tests des métriques : exactitude et matrice de confusion."""

import pytest
import torch

from course_utils.metrics import accuracy, confusion_matrix


def test_accuracy_from_logits_and_labels():
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [9.0, 0.0, 0.0]])
    y = torch.tensor([0, 1, 1, 2])
    assert accuracy(logits, y) == pytest.approx(0.5)
    assert isinstance(accuracy(logits, y), float)
    assert accuracy(torch.tensor([0, 1, 2, 0]), y) == pytest.approx(0.5)
    assert accuracy(y, y) == 1.0


def test_confusion_matrix_rows_are_true_classes():
    y = torch.tensor([0, 0, 1, 2, 2, 2])
    pred = torch.tensor([0, 1, 1, 2, 0, 2])
    m = confusion_matrix(pred, y, num_classes=3)
    assert m.dtype == torch.int64 and m.shape == (3, 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert m.sum().item() == len(y)
    assert m.diagonal().sum().item() / len(y) == pytest.approx(accuracy(pred, y))
    logits = torch.nn.functional.one_hot(pred, 4).float()
    assert confusion_matrix(logits, y, num_classes=4)[:3, :3].tolist() == m.tolist()
    assert confusion_matrix(pred, y).shape == (10, 10)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: accuracy([0, 1], torch.tensor([0, 1])), TypeError, "torch.Tensor"),
        (lambda: accuracy(torch.zeros(2, 3), torch.tensor([0])), ValueError, "(2,)"),
        (lambda: accuracy(torch.zeros(2, 3, 4), torch.tensor([0, 1])), ValueError, "(N, C)"),
        (lambda: accuracy(torch.zeros(0, 3), torch.zeros(0).long()), ValueError, "vide"),
        (lambda: confusion_matrix(torch.tensor([0, 3]), torch.tensor([0, 1]), num_classes=3),
         ValueError, "[0, 2]"),
        (lambda: confusion_matrix(torch.tensor([0]), torch.tensor([0]), num_classes=0),
         ValueError, "num_classes"),
    ],
    ids=["liste", "longueurs", "dimension", "vide", "hors-classes", "num_classes"],
)
def test_argument_errors_are_french(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


def test_accuracy_refuses_non_finite_logits():
    """Des logits nan (apprentissage divergé) ne donnent pas une exactitude de 1."""
    logits = torch.full((4, 3), float("nan"))
    with pytest.raises(ValueError, match="non finies"):
        accuracy(logits, torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="divergé"):
        confusion_matrix(torch.tensor([[1.0, float("inf")]]), torch.tensor([0]), num_classes=2)
