"""Tests des vérificateurs d'exercices : acceptent la référence, rejettent les erreurs
typiques avec le bon diagnostic, et ne plantent jamais."""

import copy
import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks
from course_utils.activations import elu, relu_grad, sigmoid_grad
from course_utils.checks import (
    ALL_CHECKERS,
    KINDS,
    Case,
    Checker,
    Report,
    numerical_grad,
    relative_error,
)
from course_utils.losses import cross_entropy, cross_entropy_grad, one_hot, softmax
from course_utils.metrics import accuracy

NBSP = "\u00a0"

# --- Solutions correctes, telles qu'un étudiant les écrirait -----------------------------


def _cube_sum_grad(w):
    w = w.detach().clone().requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


def _cube_sum_grad_autograd_grad(w):
    w = w.detach().requires_grad_(True)
    return torch.autograd.grad((w**3).sum(), w)[0]


def _q1_module():
    class Q1(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(784, 120), nn.Linear(120, 80)
            self.fc3 = nn.Linear(80, 10)

        def forward(self, x):
            return self.fc3(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x)))))

    return Q1()


# chapitre 03 : Xavier uniforme, U(−a, a) avec a = √(6/(n_in + n_out))


def _xavier_a(n_in, n_out):
    return math.sqrt(6 / (n_in + n_out))


def _uniform_draw(bound, *, transpose=False, use_generator=True):
    def draw(n_in, n_out, g):
        shape = (n_in, n_out) if transpose else (n_out, n_in)
        u = torch.rand(shape, generator=g if use_generator else None)
        return (2 * u - 1) * bound(n_in, n_out)

    return draw


def _xavier_method(n_in, n_out, g):
    a = _xavier_a(n_in, n_out)
    return torch.empty(n_out, n_in).uniform_(-a, a, generator=g)


def _layer_variances(var_x, var_w, n, depth):
    return [(n * var_w) ** k * var_x for k in range(1, depth + 1)]


# chapitre 04 : momentum (formules du cours), Nesterov, pas convergent


def _student_momentum(theta, grad, v, lr, momentum):
    v = momentum * v - lr * grad
    theta = theta + v
    return theta, v


def _momentum_inplace(theta, grad, v, lr, momentum):
    v.mul_(momentum).sub_(lr * grad)
    return theta + v, v


# chapitre 05 : adaptation du pas (RMSProp, AdaGrad, Adam)


def _student_adam(theta, g, s, r, t, lr, rho1, rho2, delta):
    s = rho1 * s + (1 - rho1) * g
    r = rho2 * r + (1 - rho2) * g * g
    s_hat, r_hat = s / (1 - rho1**t), r / (1 - rho2**t)
    return theta - lr * s_hat / torch.sqrt(r_hat + delta), s, r


def _adam_update(update):
    """Réponse d'étudiant : s et r corrects, puis θ − update(s, r, t, lr, ρ1, ρ2, δ)."""
    def answer(theta, g, s, r, t, lr, rho1, rho2, delta):
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * g * g
        return theta - update(s, r, t, lr, rho1, rho2, delta), s, r

    return answer


def _adam_inplace(theta, g, s, r, t, lr, rho1, rho2, delta):
    s.mul_(rho1).add_((1 - rho1) * g)
    r.mul_(rho2).addcmul_(g, g, value=1 - rho2)
    return theta - lr * (s / (1 - rho1**t)) / (r / (1 - rho2**t) + delta).sqrt(), s, r


# chapitre 06 : normalisation par lots


def _student_bn_train(x, gamma, beta, eps):
    mu = x.mean(dim=0)
    var = ((x - mu) ** 2).mean(dim=0)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def _bn_train_with(stats, denominator=lambda var, eps: torch.sqrt(var + eps)):
    """Réponse d'étudiant : (μ, σ²) = stats(x), puis γ (x − μ)/denominator(σ², ε) + β."""
    def answer(x, gamma, beta, eps):
        mu, var = stats(x)
        return gamma * (x - mu) / denominator(var, eps) + beta

    return answer


def _biased(x):
    return x.mean(dim=0), x.var(dim=0, unbiased=False)


def _student_running(running_mean, running_var, x, momentum):
    new_mean = (1 - momentum) * running_mean + momentum * x.mean(dim=0)
    return new_mean, (1 - momentum) * running_var + momentum * x.var(dim=0)


def _torch_running_update(running_mean, running_var, x, momentum):
    running_mean, running_var = running_mean.clone(), running_var.clone()
    F.batch_norm(x, running_mean, running_var, training=True, momentum=momentum)  # en place
    return running_mean, running_var


def _student_bn_eval(x, gamma, beta, running_mean, running_var, eps):
    return gamma * (x - running_mean) / torch.sqrt(running_var + eps) + beta


def _student_bn_backward(dout, x, gamma, eps):
    n = x.shape[0]
    mu, var = _biased(x)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    dbeta, dgamma = dout.sum(dim=0), (dout * x_hat).sum(dim=0)
    dx = gamma / (n * torch.sqrt(var + eps)) * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def _autograd_bn_backward(dout, x, gamma, eps):
    x, gamma = x.clone().requires_grad_(True), gamma.clone().requires_grad_(True)
    beta = torch.zeros_like(gamma, requires_grad=True)
    F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps).backward(dout)
    return x.grad, gamma.grad, beta.grad


def _bn_constant_stats(dout, x, gamma, eps):
    """μ_B et σ_B traités comme des constantes : dx = γ dout/√(σ²_B + ε)."""
    dx, dgamma, dbeta = _student_bn_backward(dout, x, gamma, eps)
    return gamma * dout / torch.sqrt(_biased(x)[1] + eps), dgamma, dbeta


# chapitre 07 : régularisation


def _student_l1(weights, alpha):
    total = 0
    for w in weights:
        total = total + w.abs().sum()
    return alpha * total


def _student_dropout(x, p, training, generator):
    if not training:
        return x
    mask = (torch.rand(x.shape, generator=generator) >= p).to(x.dtype)
    return x * mask / (1 - p)


def _bernoulli_dropout(x, p, training, generator):
    if not training:
        return x
    return x * torch.bernoulli(torch.full_like(x, 1 - p), generator=generator) / (1 - p)


def _dropout_with(keep=lambda u, p: u >= p, scale=lambda p: 1 / (1 - p), in_eval=None):
    """Réponse d'étudiant : u ~ U[0, 1), éléments gardés si keep(u, p), multipliés par
    scale(p) ; en évaluation : x, ou in_eval(x, p) si donné."""
    def answer(x, p, training, generator):
        if not training:
            return x if in_eval is None else in_eval(x, p)
        u = torch.rand(x.shape, generator=generator, dtype=x.dtype)
        return x * keep(u, p) * scale(p)

    return answer


def _student_mixup(x, y_onehot, lam, perm):
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm]


def _mixup_inplace(x, y_onehot, lam, perm):
    partner_x, partner_y = x[perm], y_onehot[perm]
    return x.mul_(lam).add_((1 - lam) * partner_x), y_onehot.mul_(lam).add_((1 - lam) * partner_y)


def _student_should_stop(val_losses, patience):
    best = val_losses.index(min(val_losses))
    return len(val_losses) - 1 - best >= patience


def _previous_epoch_only(val_losses, patience):
    bad = 0
    for i in range(1, len(val_losses)):
        bad = bad + 1 if val_losses[i] >= val_losses[i - 1] else 0
    return bad >= patience


CORRECT = [
    (checks.check_to_float_images, lambda x: x.reshape(len(x), -1).float() / 255),
    (checks.check_to_float_images, lambda x: x.flatten(1) / 255.0),
    (checks.check_autograd_grad, _cube_sum_grad),
    (checks.check_autograd_grad, _cube_sum_grad_autograd_grad),
    (checks.check_accuracy, accuracy),
    (checks.check_accuracy, lambda o, y: np.float32(accuracy(o, y))),
    (checks.check_accuracy, lambda o, y: (o.argmax(dim=1) == y).float().mean().item()),
    (checks.check_sigmoid_grad, sigmoid_grad),
    (checks.check_sigmoid_grad, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
    (checks.check_one_hot, one_hot),
    (checks.check_one_hot, lambda y, c: F.one_hot(y, c).float()),
    (checks.check_softmax, softmax),
    (checks.check_softmax, lambda o: torch.softmax(o, dim=1)),
    (checks.check_softmax, lambda o: torch.softmax(o.requires_grad_(True), dim=1)),
    (checks.check_cross_entropy, cross_entropy),
    (checks.check_cross_entropy, F.cross_entropy),
    (checks.check_cross_entropy_grad, cross_entropy_grad),
    (checks.check_cross_entropy_grad, lambda o, y: (softmax(o) - one_hot(y, o.shape[1])) / len(o)),
    (checks.check_q1_model, _q1_module),
    (checks.check_relu_grad, relu_grad),
    (checks.check_relu_grad, lambda x: (x > 0).to(x.dtype)),
    (checks.check_relu_grad, lambda x: torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))),
    (checks.check_relu_grad, lambda x: torch.heaviside(x, torch.zeros_like(x))),
    (checks.check_elu, elu),
    (checks.check_elu, F.elu),
    (checks.check_elu, lambda x, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(x) - 1))),
    (checks.check_dead_units, lambda h: (h == 0).all(dim=0)),
    (checks.check_dead_units, lambda h: h.sum(dim=0) == 0),
    (checks.check_dead_units, lambda h: ~(h > 0).any(dim=0)),
    (checks.check_dead_units, lambda h: h.max(dim=0).values == 0),
    (checks.check_fan_in_bound, lambda n: 1 / math.sqrt(n)),
    (checks.check_fan_in_bound, lambda n: n**-0.5),
    (checks.check_fan_in_bound, lambda n: 1 / np.sqrt(n)),
    (checks.check_fan_in_bound, lambda n: (1 / torch.tensor(float(n)).sqrt()).item()),
    (checks.check_xavier_uniform, _uniform_draw(_xavier_a)),
    (checks.check_xavier_uniform, _xavier_method),
    (checks.check_xavier_uniform, lambda i, o, g: nn.init.xavier_uniform_(torch.empty(o, i),
                                                                          generator=g)),
    (checks.check_predicted_variances, _layer_variances),
    (checks.check_predicted_variances, lambda *a: tuple(_layer_variances(*a))),
    (checks.check_predicted_variances, lambda *a: torch.tensor(_layer_variances(*a))),
    (checks.check_predicted_variances,
     lambda vx, vw, n, d: vx * (n * vw) ** torch.arange(1, d + 1, dtype=torch.float64)),
    (checks.check_predicted_variances,
     lambda vx, vw, n, d: [vx * torch.tensor(n * vw) ** k for k in range(1, d + 1)]),
    (checks.check_momentum_step, _student_momentum),
    (checks.check_momentum_step, lambda t, g, v, lr, a: [t + (a * v - lr * g), a * v - lr * g]),
    (checks.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(t + a * v)),
    (checks.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(torch.add(t, v, alpha=a))),
    (checks.check_converging_lr, lambda lam: 1 / lam.max().item()),
    (checks.check_converging_lr, lambda lam: 1.9 / lam.max().item()),
    (checks.check_converging_lr, lambda lam: float(2 / (lam.min() + lam.max()))),
    (checks.check_converging_lr, lambda lam: np.float64(2 / lam.sum().item())),
    (checks.check_rmsprop_accumulator, lambda r, g, rho: rho * r + (1 - rho) * g**2),
    (checks.check_rmsprop_accumulator, lambda r, g, rho: r.lerp(g * g, 1 - rho)),
    (checks.check_rmsprop_accumulator,
     lambda r, g, rho: torch.addcmul(rho * r, g, g, value=1 - rho)),
    (checks.check_adagrad_effective_lr, lambda r, lr, delta: lr / (delta + torch.sqrt(r))),
    (checks.check_adagrad_effective_lr, lambda r, lr, delta: lr * (delta + r**0.5) ** -1),
    (checks.check_adam_step, _student_adam),
    (checks.check_adam_step, lambda *a: list(_student_adam(*a))),
    (checks.check_adam_step, _adam_update(
        lambda s, r, t, lr, r1, r2, d: lr / (1 - r1**t) * s / (r / (1 - r2**t) + d).sqrt())),
    (checks.check_batchnorm_train, _student_bn_train),
    (checks.check_batchnorm_train, _bn_train_with(_biased)),
    (checks.check_batchnorm_train,
     lambda x, g, b, eps: F.batch_norm(x, None, None, g, b, training=True, eps=eps)),
    (checks.check_running_update, _student_running),
    (checks.check_running_update, lambda m, v, x, a: [m.lerp(x.mean(0), a), v.lerp(x.var(0), a)]),
    (checks.check_running_update, _torch_running_update),
    (checks.check_batchnorm_eval, _student_bn_eval),
    (checks.check_batchnorm_eval,
     lambda x, g, b, m, v, eps: F.batch_norm(x, m, v, g, b, training=False, eps=eps)),
    (checks.check_batchnorm_backward, _student_bn_backward),
    (checks.check_batchnorm_backward, _autograd_bn_backward),
    (checks.check_l1_penalty, _student_l1),
    (checks.check_l1_penalty, lambda w, a: a * sum(t.abs().sum() for t in w)),
    (checks.check_l1_penalty, lambda w, a: a * torch.cat([t.flatten() for t in w]).norm(p=1)),
    (checks.check_l1_penalty, lambda w, a: a * torch.stack([t.abs().sum() for t in w]).sum()),
    (checks.check_inverted_dropout, _student_dropout),
    (checks.check_inverted_dropout, _dropout_with(keep=lambda u, p: u < 1 - p)),
    (checks.check_inverted_dropout, _bernoulli_dropout),
    (checks.check_mixup_batch, _student_mixup),
    (checks.check_mixup_batch, lambda x, y, lam, perm: (torch.lerp(x[perm], x, lam),
                                                        torch.lerp(y[perm], y, lam))),
    (checks.check_early_stopping_rule, _student_should_stop),
    (checks.check_early_stopping_rule,
     lambda v, patience: len(v) > patience and min(v[-patience:]) >= min(v[:-patience])),
    (checks.check_early_stopping_rule, lambda v, patience: len(v) - 1 - np.argmin(v) >= patience),
    (checks.check_early_stopping_rule,
     lambda v, patience: torch.tensor(v).argmin() <= len(v) - 1 - patience),
]


@pytest.mark.parametrize("checker", ALL_CHECKERS, ids=lambda c: c.exercise)
def test_reference_is_accepted_with_one_line(checker, capsys):
    report = checker.evaluate(checker.reference)
    assert report.passed and report.kind == "ok", report.message
    assert "\n" not in report.message and report.message.startswith("✅")
    assert checker(checker.reference) is None
    out = capsys.readouterr().out
    assert out == report.message + "\n"


@pytest.mark.parametrize(("checker", "fn"), CORRECT, ids=lambda x: getattr(x, "exercise", ""))
def test_typical_correct_answers_are_accepted(checker, fn):
    report = checker.evaluate(fn)
    assert report.passed, report.message


def test_success_message_is_exact(capsys):
    checks.check_softmax(softmax)
    assert capsys.readouterr().out == f"✅ Exercice 1.3 (softmax){NBSP}: correct sur 5 cas.\n"
    checks.check_q1_model(checks.check_q1_model.reference)
    assert capsys.readouterr().out == f"✅ Exercice 1.6 (make_q1_model){NBSP}: correct.\n"


def test_not_implemented_message_is_exact():
    def softmax_todo(o):
        raise NotImplementedError

    report = checks.check_softmax.evaluate(softmax_todo)
    assert report.kind == "not_implemented" and not report.passed
    assert report.message == (f"⏳ Exercice 1.3 (softmax){NBSP}: pas encore fait — complétez la "
                              "cellule de l'exercice puis réexécutez-la.")


# --- Erreurs typiques ------------------------------------------------------------------


def _naive_softmax(o):
    e = torch.exp(o)
    return e / e.sum(dim=1, keepdim=True)


def _global_max_softmax(o):
    e = torch.exp(o - o.max())
    return e / e.sum(dim=1, keepdim=True)


def _naive_ce(o, y):
    return -torch.log(_naive_softmax(o))[torch.arange(len(y)), y].mean()


def _per_sample_ce(o, y):
    return -torch.log_softmax(o, dim=1)[torch.arange(len(y)), y]


def _sigmoid_grad_naive(x):
    return torch.exp(-x) / (1 + torch.exp(-x)) ** 2


def _grad_inplace(w):
    w.requires_grad_(True)
    (w**3).sum().backward()
    return w.grad


def _grad_with_graph(w):
    w = w.detach().clone().requires_grad_(True)
    return torch.autograd.grad((w**3).sum(), w, create_graph=True)[0]


def _mlp(*layers):
    return lambda: nn.Sequential(*layers)


def _q1(act=nn.Sigmoid, final=(), sizes=(784, 120, 80, 10), bias=True):
    def make():
        mods = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            mods += [nn.Linear(a, b, bias=bias)] + ([act()] if i < len(sizes) - 2 else [])
        return nn.Sequential(*mods, *final)

    return make


def _q1_functional_softmax():
    model = _q1_module()
    forward = model.forward
    model.forward = lambda x: F.softmax(forward(x), dim=1)
    return model


def _seeded_inside(n_in, n_out, g):
    return _uniform_draw(_xavier_a)(n_in, n_out, torch.Generator().manual_seed(0))


C = checks
WRONG = [
    (C.check_to_float_images, lambda x: x.reshape(len(x), -1).float(), "values", ["255"]),
    (C.check_to_float_images, lambda x: x.float() / 255, "shape", ["(4, 784)", "aplatissez"]),
    (C.check_to_float_images, lambda x: x.reshape(len(x), -1).double() / 255, "dtype",
     ["float32"]),
    (C.check_to_float_images, lambda x: (x.reshape(len(x), -1) / 255).numpy(), "type",
     ["numpy.ndarray"]),
    (C.check_autograd_grad, lambda w: 2 * w, "values", ["3w²"]),
    (C.check_autograd_grad, lambda w: None, "type", ["None", "return"]),
    (C.check_autograd_grad, lambda w: (w**3).sum(), "shape", ["gradient"]),
    (C.check_autograd_grad, lambda w: 3 * w**2, "custom", ["autograd"]),
    (C.check_autograd_grad, _grad_inplace, "custom", ["modifier", "copie"]),
    (C.check_autograd_grad, _grad_with_graph, "custom", ["detach"]),
    (C.check_accuracy, lambda o, y: (o.argmax(0) == y).float().mean().item(), "values",
     ["dim=1"]),
    (C.check_accuracy, lambda o, y: (o.argmax(1) == y).sum().item(), "values", ["divisez par N"]),
    (C.check_accuracy, lambda o, y: (o.argmax(1) == y).float().mean(), "type", [".item()"]),
    (C.check_accuracy, lambda o, y: 100 * accuracy(o, y), "values", ["pourcentage"]),
    (C.check_sigmoid_grad, _sigmoid_grad_naive, "not_finite", ["±1000", "stable"]),
    (C.check_sigmoid_grad, torch.sigmoid, "values", ["σ(x)(1 − σ(x))"]),
    (C.check_sigmoid_grad, lambda x: x * (1 - x), "values", ["pas à x"]),
    (C.check_sigmoid_grad, lambda x: sigmoid_grad(x).double(), "dtype", ["float64"]),
    (C.check_one_hot, F.one_hot, "dtype", [".float()"]),
    (C.check_one_hot, lambda y, c: one_hot(y, c).T, "shape", ["(N, C)"]),
    (C.check_one_hot, lambda y, c: one_hot(y, int(y.max()) + 1), "shape", ["num_classes"]),
    (C.check_one_hot, lambda y, c: one_hot((y + 1) % c, c), "values", ["attendu"]),
    (C.check_softmax, _naive_softmax, "not_finite",
     ["±1000", "débordement", "soustraire le maximum"]),
    (C.check_softmax, _global_max_softmax, "not_finite", ["chaque ligne"]),
    (C.check_softmax, lambda o: torch.softmax(o, dim=0), "values", ["dim=1", "[", "attendu"]),
    (C.check_softmax, lambda o: o, "values", ["logits"]),
    (C.check_softmax, lambda o: torch.exp(o - o.amax(1, keepdim=True)), "values", ["somme"]),
    (C.check_cross_entropy, lambda o, y: _per_sample_ce(o, y).sum(), "values", ["moyenne"]),
    (C.check_cross_entropy, _naive_ce, "not_finite", ["log-sum-exp"]),
    (C.check_cross_entropy, lambda o, y: -_per_sample_ce(o, y).mean(), "values", ["signe"]),
    (C.check_cross_entropy, _per_sample_ce, "shape", ["scalaire"]),
    (C.check_cross_entropy, lambda o, y: cross_entropy(o, y).item(), "type", ["torch.Tensor"]),
    (C.check_cross_entropy_grad, lambda o, y: softmax(o) - one_hot(y, o.shape[1]), "values",
     ["divisez par N"]),
    (C.check_cross_entropy_grad, lambda o, y: -cross_entropy_grad(o, y), "values", ["signe"]),
    (C.check_cross_entropy_grad, lambda o, y: (_naive_softmax(o) - one_hot(y, o.shape[1])) / len(o),
     "not_finite", ["débordement"]),
    (C.check_cross_entropy_grad, lambda o, y: softmax(o) / len(o), "values", ["y*"]),
    (C.check_q1_model, _q1(act=nn.ReLU), "custom", ["ReLU"]),
    (C.check_q1_model, _q1(final=[nn.Softmax(dim=1)]), "custom", ["log-softmax", "logits"]),
    (C.check_q1_model, _q1(sizes=(784, 100, 10)), "custom", ["784 → 120 → 80 → 10"]),
    (C.check_q1_model, _q1(bias=False), "custom", ["paramètres"]),
    (C.check_q1_model, _q1_functional_softmax, "custom", ["softmax", "logits"]),
    (C.check_q1_model, _q1(act=nn.Identity), "custom", ["sigmoïdes"]),
    (C.check_q1_model, lambda: nn.Sequential, "type", ["torch.nn.Module"]),
    (C.check_relu_grad, torch.relu, "values", ["vous renvoyez ReLU(x)"]),
    (C.check_relu_grad, lambda x: x > 0, "dtype", ["torch.bool", ".float()"]),
    (C.check_relu_grad, lambda x: (x >= 0).to(x.dtype), "values",
     ["x = 0 exactement", "ReLU′(0) = 0", "convention"]),
    (C.check_relu_grad, lambda x: (x > 0).long(), "dtype", ["int64", "flottant"]),
    (C.check_relu_grad, lambda x: (x > 0).float(), "dtype", ["float64", "même dtype que x"]),
    (C.check_relu_grad, torch.sign, "values", ["pas −1"]),
    (C.check_elu, lambda x, alpha=1.0: elu(x), "values", ["alpha=0.5", "paramètre alpha"]),
    (C.check_elu, lambda x, alpha=1.0: torch.where(x > 0, x, alpha * torch.exp(x)), "values",
     ["− 1", "continue"]),
    (C.check_elu, lambda x, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(-x) - 1)),
     "values", ["e^{−x}"]),
    (C.check_elu, lambda x, alpha=1.0: x * (x > 0) + alpha * (torch.exp(x) - 1) * (x <= 0),
     "not_finite", ["±1000", "inf × 0", "torch.where"]),
    (C.check_elu, lambda x, alpha=1.0: torch.relu(x), "values", ["pas 0"]),
    (C.check_elu, lambda x, a=1.0: elu(x, alpha=a), "exception", ["elu(x, alpha=1.0)"]),
    (C.check_dead_units, lambda h: (h == 0).all(dim=0).float().mean(), "shape",
     ["(8,)", "proportion"]),
    (C.check_dead_units, lambda h: (h == 0).all(dim=0).float().mean().item(), "type",
     ["torch.Tensor"]),
    (C.check_dead_units, lambda h: (h == 0).any(dim=0), "values", ["tous", ".all(dim=0)"]),
    (C.check_dead_units, lambda h: (h == 0).all(dim=1), "shape", ["(20,)", "dim=0"]),
    (C.check_dead_units, lambda h: (h == 0).all(dim=0).float(), "dtype", ["torch.bool"]),
    (C.check_dead_units, lambda h: (h > 0).any(dim=0), "values", ["inversez"]),
    (C.check_dead_units, lambda h: h.mean(dim=0) < 1e-3, "values", ["un seul exemple"]),
    (C.check_fan_in_bound, lambda n: 1 / n, "values", ["1/√n", "pas 1/n"]),
    (C.check_fan_in_bound, math.sqrt, "values", ["inversez"]),
    (C.check_fan_in_bound, lambda n: 1 / math.sqrt(3 * n), "values", ["écart-type", "borne"]),
    (C.check_fan_in_bound, lambda n: 1 / torch.tensor(float(n)).sqrt(), "type", [".item()"]),
    (C.check_fan_in_bound, lambda n: [1 / math.sqrt(n)], "type", ["float", "list"]),
    (C.check_xavier_uniform, _uniform_draw(_xavier_a, transpose=True), "shape",
     ["(120, 784)", "(n_out, n_in)", "nn.Linear"]),
    (C.check_xavier_uniform, lambda i, o, g: _xavier_method(i, o, g).double(), "dtype",
     ["float32"]),
    (C.check_xavier_uniform, _uniform_draw(lambda i, o: math.sqrt(6 / i)), "custom",
     ["max |w|", "écart-type", "√(6/n_in)", "He"]),
    (C.check_xavier_uniform, _uniform_draw(lambda i, o: math.sqrt(3 / (i + o))), "custom",
     ["6 et non 3"]),
    (C.check_xavier_uniform, _uniform_draw(lambda i, o: 1 / math.sqrt(i)), "custom",
     ["première solution"]),
    (C.check_xavier_uniform, _uniform_draw(lambda i, o: math.sqrt(2 / (i + o))), "custom",
     ["écart-type visé"]),
    (C.check_xavier_uniform, lambda i, o, g: torch.randn(o, i, generator=g) * _xavier_a(i, o) / 3,
     "custom", ["loi normale", "uniform_"]),
    (C.check_xavier_uniform, lambda i, o, g: torch.rand(o, i, generator=g) * _xavier_a(i, o),
     "custom", ["centrés"]),
    (C.check_xavier_uniform, _uniform_draw(_xavier_a, use_generator=False), "custom",
     ["générateur global", "generator=generator"]),
    (C.check_xavier_uniform, _seeded_inside, "custom", ["dépendre de generator"]),
    (C.check_predicted_variances, lambda vx, vw, n, d: [(n * vw) ** k * vx for k in range(d)],
     "values", ["k = 1", "attendu 162, obtenu 54"]),
    (C.check_predicted_variances, lambda vx, vw, n, d: _layer_variances(vx, vw, 1, d), "values",
     ["facteur n"]),
    (C.check_predicted_variances, lambda vx, vw, n, d: _layer_variances(1.0, vw, n, d), "values",
     ["var_x"]),
    (C.check_predicted_variances, lambda vx, vw, n, d: [vx] + _layer_variances(vx, vw, n, d),
     "shape", ["longueur", "attendu 4 valeurs", "variance de l'entrée"]),
    (C.check_predicted_variances, lambda *a: _layer_variances(*a)[-1], "type",
     ["pas un seul nombre"]),
    (C.check_predicted_variances, lambda *a: np.array(_layer_variances(*a)), "type",
     ["numpy.ndarray", ".tolist()"]),
    (C.check_predicted_variances, lambda vx, vw, n, d: [k * n * vw * vx for k in range(1, d + 1)],
     "values", ["puissance k"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: (t - lr * (a * v + g), a * v + g), "values",
     ["sortie new_theta", "convention de PyTorch", "θ ← θ + v"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: (t + v, a * v - lr * g), "values",
     ["nouvelle vitesse"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: (t + a * v + lr * g, a * v + lr * g),
     "values", ["signe"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: t + a * v - lr * g, "type",
     ["couple (new_theta, new_v)", "return new_theta, new_v"]),
    (C.check_momentum_step, lambda *a: _student_momentum(*a)[::-1], "values", ["ordre"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: (t - lr * g, -lr * g), "values",
     ["descente de gradient simple"]),
    (C.check_momentum_step, lambda t, g, v, lr, a: (t + lr * v - a * g, lr * v - a * g),
     "values", ["α (momentum) pondère"]),
    (C.check_momentum_step, lambda *a: (*_student_momentum(*a), None), "type",
     ["tuple de 3 éléments"]),
    (C.check_momentum_step, lambda *a: (_student_momentum(*a)[0], 0.0), "type",
     ["élément de type float", "torch.Tensor"]),
    (C.check_momentum_step, _momentum_inplace, "custom", ["modifier son argument"]),
    (C.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(t), "values",
     ["au point anticipé θ + αv"]),
    (C.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(t + v), "values",
     ["multipliez la vitesse par α"]),
    (C.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(t - a * v), "values", ["signe +"]),
    (C.check_nesterov_grad, lambda t, v, a, grad_fn: t + a * v, "values",
     ["non le point lui-même"]),
    (C.check_nesterov_grad, lambda t, v, a, grad_fn: grad_fn(t + a * v).numpy(), "type",
     ["numpy.ndarray"]),
    (C.check_converging_lr, lambda lam: 2 / lam.max().item(), "custom",
     ["oscille sans converger", "2/λ_max = 0.667", "limite exclue"]),
    (C.check_converging_lr, lambda lam: (2 / lam.max().float()).item(), "custom",
     ["oscille sans converger"]),
    (C.check_converging_lr, lambda lam: 1 / lam.min().item(), "custom",
     ["diverge", "κ = 10", "2/λ_max = 0.4", "|1 − ρλ_max| = 9", "pas λ_min"]),
    (C.check_converging_lr, lambda lam: 1e-6, "custom",
     ["trop lente", "attendu < 1e-3", "augmentez ρ", "2/(λ_min + λ_max) = 0.333"]),
    (C.check_converging_lr, lambda lam: 0.2 / lam.max().item(), "custom",
     ["trop lente", "κ = 10", "κ ≤ 10"]),
    (C.check_converging_lr, lambda lam: 0.0, "custom", ["strictement positif"]),
    (C.check_converging_lr, lambda lam: -2 / (lam.min() + lam.max()).item(), "custom",
     ["strictement positif", "le signe − est déjà"]),
    (C.check_converging_lr, lambda lam: (lam.min() + lam.max()).item(), "custom",
     ["diverge", "inversez"]),
    (C.check_converging_lr, lambda lam: 2 / (lam.min() + lam.max()), "type", [".item()"]),
    (C.check_converging_lr, lambda lam: math.nan, "not_finite", ["ρ = nan"]),
    (C.check_converging_lr, lambda lam: 1 / lam.mul_(2).max().item(), "custom",
     ["modifier son argument"]),
    (C.check_rmsprop_accumulator, lambda r, g, rho: rho * r + (1 - rho) * g, "values",
     ["g ⊙ g", "et non g"]),
    (C.check_rmsprop_accumulator, lambda r, g, rho: r + g * g, "values",
     ["AdaGrad", "moyenne mobile exponentielle"]),
    (C.check_rmsprop_accumulator, lambda r, g, rho: (1 - rho) * r + rho * g * g, "values",
     ["inversés"]),
    (C.check_rmsprop_accumulator, lambda r, g, rho: rho * r + g * g, "values", ["(1 − ρ)"]),
    (C.check_rmsprop_accumulator, lambda r, g, rho: r.mul_(rho).add_((1 - rho) * g * g),
     "custom", ["modifier son argument"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: lr / (delta + r) ** 0.5, "values",
     ["r contenant des zéros", "RMSProp", "ε/(δ + √r)", "attendu 1e+06, obtenu 316"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: lr / (delta + r), "values",
     ["racine carrée"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: lr * r.sqrt(), "values",
     ["pas multiplié"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: lr / r.sqrt(), "not_finite",
     ["r = 0", "δ évite la division par zéro"]),
    (C.check_adagrad_effective_lr, lambda r, lr, delta: 1 / (delta + r.sqrt()), "values",
     ["multipliez par le pas global"]),
    (C.check_adam_step, _adam_update(lambda s, r, t, lr, r1, r2, d: lr * s / (r + d).sqrt()),
     "values", ["sortie new_theta", "correction du biais"]),
    (C.check_adam_step, _adam_update(
        lambda s, r, t, lr, r1, r2, d: lr * s / (1 - r1**t) / ((r / (1 - r2**t)).sqrt() + d)),
     "values", ["grand δ = 0.1", "sortie new_theta", "sous la racine", "torch.optim.Adam"]),
    (C.check_adam_step, _adam_update(
        lambda s, r, t, lr, r1, r2, d: lr * s / (1 - r1**t) / (r / (1 - r2**t) + d)),
     "values", ["racine carrée"]),
    (C.check_adam_step, lambda th, g, s, r, t, lr, r1, r2, d: _student_adam(
        th, g, s, r, t, lr, r2, r1, d), "values", ["sortie new_s", "inversés"]),
    (C.check_adam_step, lambda *a: _student_adam(*a)[:2], "type",
     ["tuple de 3 tenseurs", "tuple de 2 éléments", "return new_theta, new_s, new_r"]),
    (C.check_adam_step, lambda *a: _student_adam(*a)[0], "type", ["tuple de trois tenseurs"]),
    (C.check_adam_step, lambda th, g, s, r, t, *rest: _student_adam(th, g, s, r, t + 1, *rest),
     "values", ["déjà incrémenté"]),
    (C.check_adam_step, lambda th, *a: (2 * th - _student_adam(th, *a)[0],
                                        *_student_adam(th, *a)[1:]), "values", ["signe"]),
    (C.check_adam_step, lambda th, g, s, r, *a: (_student_adam(th, g, s, r, *a)[0], s, r),
     "values", ["sortie new_s", "moments mis à jour"]),
    (C.check_adam_step, _adam_update(
        lambda s, r, t, lr, r1, r2, d: lr * s / (1 - r1**t) / (r / (1 - r2**t)).sqrt()),
     "not_finite", ["premier pas", "0/0"]),
    (C.check_adam_step, lambda *a: _student_adam(*a)[::-1], "values", ["désordre"]),
    (C.check_adam_step, _adam_inplace, "custom", ["modifier son argument"]),
    (C.check_batchnorm_train, _bn_train_with(lambda x: (x.mean(1, keepdim=True),
                                                        x.var(1, unbiased=False, keepdim=True))),
     "values", ["x aléatoire (8, 5)", "dim=0", "caractéristique (colonne)"]),
    (C.check_batchnorm_train, _bn_train_with(lambda x: (x.mean(0), x.var(0))), "values",
     ["variance du mini-lot est biaisée", "unbiased=False", "m − 1"]),
    (C.check_batchnorm_train, _bn_train_with(_biased, lambda var, eps: var.sqrt() + eps),
     "values", ["grand ε = 0.5", "sous la racine"]),
    (C.check_batchnorm_train, _bn_train_with(_biased, lambda var, eps: var.sqrt()),
     "not_finite", ["caractéristique constante", "ajoutez ε sous la racine", "0/0"]),
    (C.check_batchnorm_train, lambda x, g, b, eps: _student_bn_train(x, torch.ones_like(g),
                                                                      torch.zeros_like(b), eps),
     "values", ["γ x̂ + β"]),
    (C.check_batchnorm_train, lambda x, g, b, eps: _student_bn_train(x, b, g, eps), "values",
     ["inversés"]),
    (C.check_batchnorm_train, lambda x, g, b, eps: _student_bn_train(x.sub_(x.mean(0)), g, b, eps),
     "custom", ["modifier son argument"]),
    (C.check_running_update, lambda m, v, x, a: _student_running(m, v, x, 1 - a), "values",
     ["sortie new_mean", "convention de PyTorch", "NOUVEAU lot", "optimiseur"]),
    (C.check_running_update, lambda m, v, x, a: (
        (1 - a) * m + a * x.mean(0), (1 - a) * v + a * x.var(0, unbiased=False)), "values",
     ["sortie new_var", "non biaisée", "N/(N − 1)"]),
    (C.check_running_update, lambda m, v, x, a: (_student_running(m, v, x, a)[0], v), "values",
     ["sortie new_var", "mettez aussi à jour la variance"]),
    (C.check_running_update, lambda *a: _student_running(*a)[0], "type",
     ["tuple de 2 tenseurs", "return new_mean, new_var"]),
    (C.check_running_update, lambda *a: _student_running(*a)[::-1], "values", ["désordre"]),
    (C.check_running_update, lambda m, v, x, a: (*_student_running(m, v, x, a), a), "type",
     ["tuple de 3 éléments"]),
    (C.check_batchnorm_eval, lambda x, g, b, m, v, eps: _student_bn_train(x, g, b, eps),
     "values", ["statistiques courantes", "N = 1", "running_mean"]),
    (C.check_batchnorm_eval, lambda x, g, b, m, v, eps: _student_bn_eval(x, g, b, m, v, 0.0),
     "values", ["petites variances courantes", "ajoutez ε sous la racine"]),
    (C.check_batchnorm_eval, lambda x, g, b, m, v, eps: g * (x - m) / (v + eps) + b, "values",
     ["écart-type", "et non par la variance"]),
    (C.check_batchnorm_eval, lambda x, g, b, m, v, eps: g * (x - m) / (v.sqrt() + eps) + b,
     "values", ["sous la racine"]),
    (C.check_batchnorm_eval, lambda x, g, b, m, v, eps: (x - m) / (v + eps).sqrt(), "values",
     ["γ x̂ + β"]),
    (C.check_batchnorm_backward, _bn_constant_stats, "values",
     ["sortie dx", "μ et σ dépendent de x", "N dout − Σ dout − x̂ Σ dout ⊙ x̂"]),
    (C.check_batchnorm_backward, lambda *a: _student_bn_backward(*a)[::2] + (
        _student_bn_backward(*a)[1],), "values", ["sortie dgamma", "désordre"]),
    (C.check_batchnorm_backward, lambda dout, *a: (*_student_bn_backward(dout, *a)[:2],
                                                    dout.sum(dim=1)),
     "shape", ["sortie dbeta", "forme attendue (5,), reçue (8,)", "dim=0"]),
    (C.check_batchnorm_backward, lambda *a: _student_bn_backward(*a)[0], "type",
     ["tuple de 3 tenseurs", "return dx, dgamma, dbeta"]),
    (C.check_batchnorm_backward, lambda dout, x, g, eps: (
        _student_bn_backward(dout, x, g, eps)[0], (dout * x).sum(0), dout.sum(0)), "values",
     ["sortie dgamma", "avec x̂"]),
    (C.check_batchnorm_backward, lambda dout, x, g, eps: (
        _student_bn_backward(dout, x, g, eps)[0] / g, *_student_bn_backward(dout, x, g, eps)[1:]),
     "values", ["multipliez dx par γ"]),
    (C.check_l1_penalty, lambda w, a: a * sum((t**2).sum() for t in w), "values",
     ["pénalisation L2", "valeurs absolues", "α Σ |w|"]),
    (C.check_l1_penalty, lambda w, a: sum(t.abs().sum() for t in w), "values",
     ["multipliez la somme par alpha"]),
    (C.check_l1_penalty, lambda w, a: a * sum(t.abs().mean() for t in w), "values",
     [".mean()", "Ω(θ) = Σ |w|"]),
    (C.check_l1_penalty, lambda w, a: a * torch.cat([t.flatten() for t in w]).abs().mean(),
     "values", [".mean()"]),
    (C.check_l1_penalty, lambda w, a: a * sum(t.sum() for t in w), "values", ["compensent"]),
    (C.check_l1_penalty, lambda w, a: a * sum(t.sum().abs() for t in w), "values", ["|Σ w|"]),
    (C.check_l1_penalty, lambda w, a: a * w[0].abs().sum(), "values",
     ["pas seulement le premier"]),
    (C.check_l1_penalty, lambda w, a: _student_l1(w, a).item(), "type", [".item()"]),
    (C.check_l1_penalty, lambda w, a: torch.zeros(1) + _student_l1(w, a), "shape",
     ["forme attendue () (scalaire), reçue (1,)", "torch.zeros(1)"]),
    (C.check_l1_penalty, lambda w, a: torch.stack([a * t.abs().sum() for t in w]), "shape",
     ["un seul nombre"]),
    (C.check_l1_penalty, lambda w, a: torch.tensor(_student_l1(w, a).item(), dtype=w[0].dtype),
     "custom", ["dérivable", "backward()", "torch.tensor"]),
    (C.check_l1_penalty, lambda w, a: a * sum(torch.sqrt(t**2).sum() for t in w), "custom",
     ["α sign(w)", "gradient nan en w = 0"]),
    (C.check_l1_penalty, lambda w, a: a * sum(t.abs_().sum() for t in w), "custom",
     ["modifier la liste weights", "w.abs_()"]),
    (C.check_inverted_dropout, _dropout_with(scale=lambda p: 1.0), "custom",
     ["x/(1 − p)", "dropout inversé", "(1 − p) x"]),
    (C.check_inverted_dropout, _dropout_with(scale=lambda p: 1 - p), "custom",
     ["divisez par 1 − p, ne multipliez pas"]),
    (C.check_inverted_dropout, _dropout_with(scale=lambda p: 1 / p), "custom",
     ["rapport y/x mesuré de 3.33", "et non 1/p"]),
    (C.check_inverted_dropout, _dropout_with(keep=lambda u, p: u < p, scale=lambda p: 1 / p),
     "custom",
     ["fraction d'éléments éteints", "pour p = 0.3", "probabilité d'éteindre",
      "convention de PyTorch", "1 − p"]),
    (C.check_inverted_dropout, lambda x, p, training, g: _student_dropout(x, p, True, g),
     "custom", ["en évaluation (training=False), renvoyez x inchangé"]),
    (C.check_inverted_dropout, _dropout_with(in_eval=lambda x, p: (1 - p) * x), "custom",
     ["vous multipliez par 1 − p", "déjà faite en apprentissage"]),
    (C.check_inverted_dropout, lambda x, p, training, g: F.dropout(x, p, training), "custom",
     ["générateur global", "generator=generator"]),
    (C.check_inverted_dropout,
     lambda x, p, training, g: _student_dropout(x, p, training, torch.Generator().manual_seed(0)),
     "custom", ["dépendre de generator"]),
    (C.check_inverted_dropout, _dropout_with(keep=lambda u, p: u >= 0.5), "custom",
     ["fraction d'éléments éteints", "attendu p à"]),
    (C.check_inverted_dropout, lambda x, p, t, g: _student_dropout(x.double(), p, t, g), "dtype",
     ["dtype attendu torch.float32, reçu torch.float64", "restez en float32"]),
    (C.check_inverted_dropout,
     lambda x, p, training, g: x.mul_(_student_dropout(torch.ones_like(x), p, training, g)),
     "custom", ["modifier son argument"]),
    (C.check_inverted_dropout, lambda x, p, training, g: (_student_dropout(x, p, training, g),
                                                          x != 0), "type", ["un seul tenseur"]),
    (C.check_mixup_batch, lambda x, y, lam, perm: (_student_mixup(x, y, lam, perm)[0], y),
     "values", ["sortie y_mixed", "mélangez aussi les étiquettes"]),
    (C.check_mixup_batch, lambda x, y, lam, perm: (x, _student_mixup(x, y, lam, perm)[1]),
     "values", ["sortie x_mixed", "mélangez aussi les images"]),
    (C.check_mixup_batch, lambda x, y, lam, perm: _student_mixup(x, y, 1 - lam, perm), "values",
     ["λ = 0.7", "λ pondère l'exemple lui-même"]),
    (C.check_mixup_batch, lambda x, y, lam, perm: (lam * x + (1 - lam) * x,
                                                   lam * y + (1 - lam) * y), "values",
     ["sans perm"]),
    (C.check_mixup_batch, lambda x, y, lam, perm: _student_mixup(x, y, lam, perm.argsort()),
     "values", ["perm[i]"]),
    (C.check_mixup_batch, lambda *a: _student_mixup(*a)[::-1], "shape", ["désordre"]),
    (C.check_mixup_batch, lambda *a: _student_mixup(*a)[0], "type",
     ["tuple de 2 tenseurs", "return x_mixed, y_mixed"]),
    (C.check_mixup_batch, _mixup_inplace, "custom", ["modifier son argument"]),
    (C.check_early_stopping_rule, _previous_epoch_only, "values",
     ["patience épuisée", "meilleur score vu jusqu'ici", "époque précédente"]),
    (C.check_early_stopping_rule, lambda v, p: len(v) - 1 - v.index(min(v)) > p, "values",
     ["attendu True, obtenu False", "décalage d'un", "≥ patience"]),
    (C.check_early_stopping_rule, lambda v, p: len(v) - v.index(min(v)) >= p, "values",
     ["une époque avant la limite", "l'époque du minimum ne compte pas"]),
    (C.check_early_stopping_rule, lambda v, p: len(v) - 1 - v.index(max(v)) >= p, "values",
     ["pas le maximum"]),
    (C.check_early_stopping_rule, lambda v, p: v[::-1].index(min(v)) >= p, "values",
     ["égalité avec le minimum", "première occurrence"]),
    (C.check_early_stopping_rule, lambda v, p: int(_student_should_stop(v, p)), "type",
     ["bool", "True ou False"]),
    (C.check_early_stopping_rule, lambda v, p: np.array([_student_should_stop(v, p)] * 2),
     "type", ["numpy.ndarray"]),
    (C.check_best_config, lambda r: max(r, key=lambda n: max(r[n]["test_acc"])), "values",
     ["dernière exactitude"]),
    (C.check_best_config, lambda r: min(r, key=lambda n: r[n]["train_loss"][-1]), "values",
     ["perte d'apprentissage"]),
    (C.check_best_config, lambda r: min(r, key=lambda n: r[n]["test_acc"][-1]), "values",
     ["max et non min"]),
    (C.check_weight_sparsity, lambda w, t: (w < t).float().mean().item(), "values",
     ["valeur absolue"]),
    (C.check_weight_sparsity, lambda w, t: (w.abs() < t).sum().item(), "values", ["fraction"]),
    (C.check_weight_sparsity, lambda w, t: (w.abs() < t).float().mean(), "type", ["float"]),
    (C.check_weight_image, lambda w: (w / w.max()).reshape(28, 28), "values",
     ["valeur absolue"]),
    (C.check_weight_image, lambda w: w.reshape(28, 28), "values", ["plus grande valeur"]),
    (C.check_weight_image, lambda w: w / w.abs().max(), "shape", ["forme"]),
]


@pytest.mark.parametrize(("checker", "fn", "kind", "words"), WRONG,
                         ids=[f"{c.exercise}-{k}-{i}" for i, (c, _, k, _) in enumerate(WRONG)])
def test_typical_mistakes_are_diagnosed(checker, fn, kind, words):
    report = checker.evaluate(fn)
    assert report.kind == kind, report.message
    assert not report.passed
    assert report.message.startswith(f"❌ Exercice {checker.exercise} ({checker.title})")
    for word in words:
        assert word in report.message, (word, report.message)


def test_each_checker_has_at_least_three_mistakes():
    for checker in ALL_CHECKERS:
        assert sum(c is checker for c, *_ in WRONG) >= 3, checker


def test_values_message_gives_index_and_values():
    msg = checks.check_softmax.evaluate(lambda o: torch.softmax(o, dim=0)).message
    assert "« logits aléatoires (4, 10) »" in msg
    assert "écart absolu maximal" in msg and "à l'indice [" in msg and "obtenu" in msg


def test_chapter04_success_and_converging_steps_are_accepted(capsys):
    checks.check_converging_lr(lambda lam: 2 / (lam.min() + lam.max()).item())
    assert capsys.readouterr().out == f"✅ Exercice 4.3 (choose_lr){NBSP}: correct sur 4 cas.\n"
    for c in (0.5, 1.0, 1.5, 1.9):  # ρ = c/λ_max, bien à l'intérieur de (0, 2/λ_max)
        assert checks.check_converging_lr.evaluate(lambda lam, c=c: c / lam.max().item()).passed
    # trop près de 2/λ_max : pour κ = 1, θ est multiplié par 1 − ρλ = −0.99 à chaque pas
    report = checks.check_converging_lr.evaluate(lambda lam: 1.99 / lam.max().item())
    assert report.kind == "custom" and "trop lente" in report.message and "κ = 1," in report.message


@pytest.mark.parametrize(("var", "kind"), [
    (lambda x: x.var(dim=0, unbiased=False), "values"),  # x̂ = 0 : la sortie vaut β
    (lambda x: ((x - x.mean(0)) ** 2).sum(0) / (len(x) - 1), "not_finite"),  # 0/0
])
def test_chapter06_batch_statistics_on_a_single_example_are_diagnosed(var, kind):
    checker = copy.copy(checks.check_batchnorm_eval)  # le seul cas N = 1
    checker.cases = lambda: [c for c in checks.check_batchnorm_eval.cases() if len(c.args[0]) == 1]
    answer = _bn_train_with(lambda x: (x.mean(dim=0), var(x)))
    report = checker.evaluate(lambda x, g, b, m, v, eps: answer(x, g, b, eps))
    assert report.kind == kind, report.message
    for word in ("un seul exemple (1, 4)", "statistiques courantes", "x̂ = 0 ou nan"):
        assert word in report.message, (word, report.message)


def test_chapter07_success_message_and_hints_need_a_consistent_pattern(capsys):
    checks.check_early_stopping_rule(_student_should_stop)
    assert capsys.readouterr().out == f"✅ Exercice 7.4 (should_stop){NBSP}: correct sur 9 cas.\n"
    # un booléen faux coïncide souvent par hasard avec une erreur typique : pas d'indice
    # tant que la réponse ne reproduit pas cette erreur sur tous les cas
    report = checks.check_early_stopping_rule.evaluate(lambda v, p: False)
    assert report.kind == "values" and "Indice" not in report.message, report.message


def test_chapter07_dropout_statistics_accept_every_correct_recipe():
    """Trois tirages corrects du masque, sur cinq générateurs : jamais refusés (z = 5)."""
    for seed in range(5):
        for answer in (_student_dropout, _bernoulli_dropout,
                       _dropout_with(keep=lambda u, p: u < 1 - p)):
            def shifted(x, p, training, g, answer=answer, seed=seed):
                torch.rand(seed, generator=g)  # décale le flux : d'autres masques
                return answer(x, p, training, g)

            assert checks.check_inverted_dropout.evaluate(shifted).passed


# --- Ne jamais planter -----------------------------------------------------------------


def _raise(exc):
    def fn(*args, **kwargs):
        raise exc

    return fn


def _mutate(*args, **kwargs):
    for a in args:
        if isinstance(a, torch.Tensor):
            a.mul_(2)
    return args[0] if args else None


def _generator(*args, **kwargs):
    yield from args


def _recurse(*args, **kwargs):
    return _recurse(*args, **kwargs)


BATTERY = {
    "None": (None, "type"),
    "str": ("abc", "type"),
    "int": (42, "type"),
    "tenseur": (torch.zeros(3), "type"),
    "nan": (lambda *a, **k: float("nan"), None),
    "nan-tensor": (lambda *a, **k: torch.full((4, 10), float("nan")), None),
    "zero-division": (lambda *a, **k: 1 / 0, "exception"),
    "not-implemented": (_raise(NotImplementedError("à faire")), "not_implemented"),
    "system-exit": (_raise(SystemExit(1)), "exception"),
    "base-exception": (_raise(GeneratorExit()), "exception"),
    "sans-argument": (lambda: 0, None),
    "trop-d-arguments": (lambda a, b, c, d, e, f, g, h, i, j: a, "exception"),
    "en-place": (_mutate, None),
    "générateur": (_generator, "type"),
    "récursion": (_recurse, "exception"),
    "chaîne": (lambda *a, **k: "abc", "type"),
    "requires-grad": (lambda *a, **k: torch.ones(4, 10, requires_grad=True) * 2, None),
    "complexe": (lambda *a, **k: torch.ones(4, 10, dtype=torch.complex64), None),
    "meta": (lambda *a, **k: torch.empty(4, 784, device="meta"), None),
    "inf-float": (lambda *a, **k: float("inf"), None),
}


@pytest.mark.parametrize("checker", ALL_CHECKERS, ids=lambda c: c.exercise)
@pytest.mark.parametrize("name", list(BATTERY))
def test_never_crashes(checker, name, capsys):
    fn, kind = BATTERY[name]
    report = checker.evaluate(fn)
    assert isinstance(report, Report) and report.kind in KINDS
    assert not report.passed
    assert f"Exercice {checker.exercise} ({checker.title})" in report.message
    if kind is not None:
        assert report.kind == kind, report.message
    assert checker.evaluate(fn) == report  # message déterministe
    checker(fn)
    assert capsys.readouterr().out == report.message + "\n"


# vérificateurs dont le premier argument est un tenseur (que la réponse pourrait modifier)
TENSOR_INPUT_CHECKERS = [c for c in ALL_CHECKERS
                         if c.cases()[0].args and isinstance(c.cases()[0].args[0], torch.Tensor)]


@pytest.mark.parametrize("checker", TENSOR_INPUT_CHECKERS, ids=lambda c: c.exercise)
def test_correct_result_but_mutated_input_is_custom(checker):
    def answer(*args):
        out = checker.reference(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        args[0].zero_()
        return out

    report = checker.evaluate(answer)
    assert report.kind == "custom" and "modifier son argument" in report.message, report.message


def test_student_mutation_does_not_affect_reference():
    seen = []

    def softmax_inplace(o):
        o -= o.amax(dim=1, keepdim=True)
        seen.append(o)
        return torch.softmax(o, dim=1)

    report = checks.check_softmax.evaluate(softmax_inplace)
    assert report.kind == "custom" and seen


def test_exception_message_names_case_and_type_without_address():
    report = checks.check_softmax.evaluate(_raise(ValueError(repr(object()))))
    assert report.kind == "exception"
    assert "ValueError" in report.message and "logits aléatoires (4, 10)" in report.message
    assert "0x…" in report.message and "0x7" not in report.message


def test_wrong_signature_mentions_expected_call():
    report = checks.check_cross_entropy.evaluate(lambda o: o)
    assert report.kind == "exception" and "cross_entropy(o, y)" in report.message


def test_keyboard_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        checks.check_softmax.evaluate(_raise(KeyboardInterrupt()))


def test_global_rng_is_untouched():
    state = torch.get_rng_state()
    checks.check_q1_model.evaluate(checks.check_q1_model.reference)
    checks.check_softmax.evaluate(lambda o: torch.rand_like(o))
    assert torch.equal(torch.get_rng_state(), state)


# --- Cadre générique : Report, Checker -------------------------------------------------


def test_report_is_frozen_and_validates_kind():
    report = Report("9.9", "essai", "ok", "✅")
    assert report.passed
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.kind = "values"
    with pytest.raises(ValueError, match="kind"):
        Report("9.9", "essai", "faux", "")


def _double_checker(**kwargs):
    return Checker(exercise="9.9", title="double", reference=lambda x: 2 * x,
                   cases=lambda: [Case("x = [1, 2]", (torch.tensor([1.0, 2.0]),))], **kwargs)


def test_extra_hook_custom_and_not_implemented():
    assert _double_checker(extra=lambda fn: "ne doit pas …").evaluate(lambda x: 2 * x).kind == (
        "custom")
    assert _double_checker(extra=lambda fn: None).evaluate(lambda x: 2 * x).passed
    report = _double_checker(extra=_raise(NotImplementedError())).evaluate(lambda x: 2 * x)
    assert report.kind == "not_implemented"
    assert _double_checker().evaluate(lambda x: 2 * x).message.endswith("correct.")


def test_checker_validates_its_arguments():
    with pytest.raises(ValueError, match="atol"):
        _double_checker(atol=-1.0)
    with pytest.raises(TypeError):
        Checker(exercise="9.9", title="x", reference=None, cases=list)
    assert "9.9" in repr(_double_checker())


# --- Gradient numérique ----------------------------------------------------------------


def test_numerical_grad_on_known_function():
    x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]], dtype=torch.float32)
    num = numerical_grad(lambda t: (t**3).sum() + torch.sin(t).sum(), x)
    exact = 3 * x.double() ** 2 + torch.cos(x.double())
    assert num.shape == x.shape and num.dtype == torch.float64
    assert relative_error(num, exact) < 1e-7
    assert relative_error(num, 2 * x.double()) > 1e-2
    assert x[0, 0].item() == 0.5  # x n'est pas modifié


def test_numerical_grad_matches_cross_entropy_grad():
    o = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([1, 0, 3])
    assert relative_error(numerical_grad(lambda t: cross_entropy(t, y), o),
                          cross_entropy_grad(o, y)) < 1e-7


def test_relative_error_values():
    assert relative_error(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])) == 0.0
    assert relative_error(torch.tensor([1.0]), torch.tensor([3.0])) == pytest.approx(0.5)
    assert relative_error(torch.zeros(3), torch.zeros(3)) == 0.0
    assert relative_error(torch.zeros(0), torch.zeros(0)) == 0.0
    assert relative_error(1.0, 1.0) == 0.0


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: numerical_grad("f", torch.zeros(2)), TypeError),
        (lambda: numerical_grad(lambda t: t.sum(), torch.zeros(2, dtype=torch.long)), TypeError),
        (lambda: numerical_grad(lambda t: t.sum(), torch.zeros(2), eps=0.0), ValueError),
        (lambda: numerical_grad(lambda t: t, torch.zeros(2)), ValueError),
        (lambda: numerical_grad(lambda t: "x", torch.zeros(2)), TypeError),
        (lambda: relative_error(torch.zeros(2), torch.zeros(3)), ValueError),
    ],
    ids=["f", "x-entier", "eps", "non-scalaire", "type-retour", "formes"],
)
def test_grad_tools_argument_errors(call, exc):
    with pytest.raises(exc):
        call()
