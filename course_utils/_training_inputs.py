"""Ce que :func:`course_utils.training.train` vérifie avant le premier mini-lot (jeux de
données, optimiseur et ses pas, compatibilité du modèle et des données, fonction de coût,
crochets), puis à chaque mini-lot (la perte, ce que renvoient les crochets), ce que vérifient
``evaluate`` et ``predict``, et la réduction ``COURSE_SHRINK=1`` de l'intégration continue.

Chaque vérification lève une ``TypeError`` ou une ``ValueError`` en français qui nomme
l'argument fautif. Un pas nul (``lr = 0``) est accepté : rien n'apprend, utile comme témoin.
"""

import inspect
import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import _validate
from course_utils.batchnorm import BatchNorm1d
from course_utils.data import Dataset

HOOK_METHODS = ("on_batch", "on_step", "on_epoch", "on_end")
SHRINK_TRAIN, SHRINK_EVAL = 2000, 1000  # tailles sous COURSE_SHRINK=1
_NORMS = (nn.modules.batchnorm._BatchNorm, BatchNorm1d)


def shrink(data: Dataset, eval_data: Dataset | None, evals, batch_size: int):
    """``COURSE_SHRINK=1`` : une époque, au plus ``SHRINK_TRAIN`` exemples d'apprentissage
    (jamais un dernier mini-lot d'un seul exemple) et ``SHRINK_EVAL`` d'évaluation ; ``evals``
    (mesures par époque) est ramené au nombre de mini-lots s'il est entier, laissé tel quel
    sinon (``train`` le refusera)."""
    check_dataset("data", data)
    if eval_data is not None:
        check_dataset("eval_data", eval_data)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    n = min(len(data), SHRINK_TRAIN)
    n -= n > 2 and n % batch_size == 1
    if isinstance(evals, int) and not isinstance(evals, bool):
        evals = max(1, min(evals, -(-n // batch_size)))
    cut = None if eval_data is None else Dataset(eval_data.x[:SHRINK_EVAL],
                                                 eval_data.y[:SHRINK_EVAL], eval_data.name)
    return Dataset(data.x[:n], data.y[:n], data.name), cut, 1, evals


def check_dataset(name: str, data) -> None:
    """Un ``Dataset`` d'au moins un exemple."""
    if not isinstance(data, Dataset):
        raise TypeError(f"{name} doit être un Dataset (par ex. load_mnist().train) "
                        f"(reçu : {type(data).__name__})")
    if len(data) == 0:
        raise ValueError(f"{name} est vide : il faut au moins un exemple (reçu : un Dataset de "
                         "0 exemple)")


def _scalar(value):
    """Un tenseur à un élément devient un nombre ; le reste est inchangé."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.is_floating_point():
        return float(value)
    return value


def _describe(value) -> str:
    """Ce qui a été reçu, en quelques mots (jamais le contenu d'un tenseur)."""
    if isinstance(value, torch.Tensor):
        return f"un tenseur {value.dtype} de forme {tuple(value.shape)}"
    if isinstance(value, list | tuple):
        kinds = ", ".join(type(v).__name__ for v in value[:4]) + (", …" if len(value) > 4 else "")
        return (f"{'une liste' if isinstance(value, list) else 'un tuple'} de {len(value)} "
                f"élément{'s' if len(value) > 1 else ''} ({kinds})")
    return _validate._received(value)


def check_optimizer(optimizer, model: nn.Module) -> None:
    """Un ``torch.optim.Optimizer`` construit sur des paramètres de ``model``, dont chaque
    groupe a un pas ``lr`` réel fini ≥ 0 et des hyper-paramètres numériques finis."""
    _validate.instance("optimizer", optimizer, torch.optim.Optimizer,
                       "un torch.optim.Optimizer (par ex. torch.optim.SGD(model.parameters(), "
                       "lr=0.1))")
    _validate.module("model", model)
    owned = {id(p) for p in model.parameters()}
    if not any(id(p) in owned for group in optimizer.param_groups for p in group["params"]):
        raise ValueError("optimizer ne porte sur aucun paramètre de ce modèle : "
                         "construisez-le sur model.parameters()")
    for k, group in enumerate(optimizer.param_groups):
        lr, name = _scalar(group.get("lr", 0.0)), f"optimizer.param_groups[{k}]['lr']"
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise TypeError(f"{name} doit être un réel fini ≥ 0 (reçu : {_describe(lr)})")
        if not math.isfinite(lr) or lr < 0:
            why = "un pas négatif remonterait la pente" if lr < 0 else "l'apprentissage divergerait"
            raise ValueError(f"{name} doit être un réel fini ≥ 0 (reçu : {lr}) : {why}")
        for key, value in group.items():
            values = value if isinstance(value, tuple) else (value,)
            if any(isinstance(v, numbers.Real) and not isinstance(v, bool)
                   and not math.isfinite(v) for v in map(_scalar, values)):
                raise ValueError(f"optimizer.param_groups[{k}]['{key}'] doit être fini "
                                 f"(reçu : {value})")


@torch.no_grad()
def check_compatible(model, optimizer, data, eval_data, batch_size) -> None:
    """Avant le premier mini-lot : l'optimiseur porte sur ce modèle (et ses pas sont finis),
    le modèle accepte les entrées (type, nombre de caractéristiques) et les transforme en
    logits (N, C), les étiquettes existent parmi ses sorties, et la normalisation par lots
    n'aura pas de mini-lot d'un seul exemple."""
    check_optimizer(optimizer, model)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    check_outputs(model, "data", data)
    if eval_data is not None:
        check_outputs(model, "eval_data", eval_data)
    if not any(isinstance(m, _NORMS) for m in model.modules()):
        return
    if batch_size == 1:
        raise ValueError("batch_size doit être ≥ 2 avec la normalisation par lots : elle ne peut "
                         "pas normaliser un mini-lot d'un seul exemple (reçu : 1)")
    if len(data) % batch_size == 1:
        raise ValueError(f"le dernier mini-lot n'aurait qu'un exemple ({len(data)} exemples, "
                         f"batch_size = {batch_size}) : la normalisation par lots ne peut pas le "
                         "normaliser ; choisissez une autre taille de lot, ou écartez un exemple")


@torch.no_grad()
def _forward(model: nn.Module, name: str, x: torch.Tensor) -> torch.Tensor:
    """Une passe avant sur (au plus) deux exemples, en mode évaluation (rien n'est modifié) ;
    le modèle doit renvoyer des logits (n, C)."""
    was_training = model.training
    model.eval()
    try:
        out = model(x[:2])
    except (RuntimeError, IndexError) as exc:
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ValueError(f"le modèle refuse les entrées de {name}, de forme "
                         f"{tuple(x.shape[1:])} : vérifiez la taille de la première "
                         f"couche (PyTorch : {detail})") from None
    finally:
        model.train(was_training)
    if not (isinstance(out, torch.Tensor) and out.is_floating_point() and out.dim() == 2
            and len(out) == len(x[:2]) and out.shape[1] > 0):
        raise ValueError(f"model doit renvoyer des logits (N, C), une ligne par exemple de "
                         f"{name} (reçu : {_describe(out)} pour {len(x[:2])} exemples)")
    return out


def check_outputs(model: nn.Module, name: str, data: Dataset) -> None:
    """``data`` (nommé ``name``) est un ``Dataset`` non vide que le modèle accepte : entrées du
    type de ses poids, logits (N, C) avec C plus grand que chaque étiquette."""
    _validate.module("model", model)
    check_dataset(name, data)
    weights = next((p for p in model.parameters() if p.is_floating_point()), None)
    if weights is not None and weights.dtype != data.x.dtype:
        raise TypeError(f"les entrées de {name} sont en {data.x.dtype} mais le modèle en "
                        f"{weights.dtype} : convertissez l'un des deux (x.float() ou "
                        "model.double())")
    out = _forward(model, name, data.x)
    top = int(data.y.max())
    if top >= out.shape[1]:
        raise ValueError(f"étiquette {top} dans {name}, mais le modèle n'a que {out.shape[1]} "
                         f"sorties (classes 0 à {out.shape[1] - 1})")


def check_inputs(model: nn.Module, name: str, x) -> None:
    """``x`` (nommé ``name``) : des entrées de ``model``, un tenseur flottant (N, …) du type
    de ses poids, sans nan ni inf, que le modèle transforme en logits (N, C) ; x vide (N = 0)
    est accepté."""
    _validate.model_input(name, x, model)
    if x.dim() < 2:
        raise ValueError(f"{name} doit être de forme (N, D), un exemple par ligne (reçu : forme "
                         f"{tuple(x.shape)}) ; pour un seul exemple : {name}.unsqueeze(0)")
    _validate.finite(name, x)
    if len(x):
        _forward(model, name, x)


def check_loss_fn(loss_fn):
    """None (l'entropie croisée) ou une fonction ``loss_fn(logits, cible)``."""
    if loss_fn is None:
        return F.cross_entropy
    _validate.function("loss_fn", loss_fn)
    if isinstance(loss_fn, type):
        raise TypeError(f"loss_fn doit être une fonction ou une instance, par ex. "
                        f"{loss_fn.__name__}() (reçu : la classe {loss_fn.__name__})")
    try:
        inspect.signature(loss_fn).bind(None, None)
    except TypeError:
        raise TypeError("loss_fn doit accepter deux arguments, loss_fn(logits, cible) (reçu : "
                        f"{getattr(loss_fn, '__name__', type(loss_fn).__name__)}"
                        f"{inspect.signature(loss_fn)})") from None
    except ValueError:  # signature illisible (fonction écrite en C) : on l'essaiera
        pass
    return loss_fn


def check_loss(loss) -> torch.Tensor:
    """Ce que renvoie ``loss_fn`` : un tenseur flottant à un élément, relié aux paramètres
    (``requires_grad``), sans quoi ``loss.backward()`` échouerait."""
    if not (isinstance(loss, torch.Tensor) and loss.numel() == 1 and loss.is_floating_point()):
        raise TypeError("loss_fn doit renvoyer la perte du mini-lot, un tenseur flottant à un "
                        f"seul élément (reçu : {_describe(loss)}) ; pour une somme de termes : "
                        "torch.stack(termes).sum()")
    if not loss.requires_grad:
        raise ValueError("la perte renvoyée par loss_fn ne dépend d'aucun paramètre qui apprend : "
                         "loss_fn détache-t-elle le calcul (.item(), .detach(), torch.tensor(…)) "
                         "ou les paramètres du modèle ont-ils requires_grad=False ?")
    return loss


def check_hooks(hooks) -> dict[str, list]:
    """Les crochets rangés par méthode ; erreur pour un objet qui n'en a aucune, pour une
    classe (au lieu d'une instance) et pour une méthode qui n'est pas une fonction."""
    if not isinstance(hooks, list | tuple):
        raise TypeError(f"hooks doit être une liste de crochets (reçu : {type(hooks).__name__})")
    for k, hook in enumerate(hooks):
        if isinstance(hook, type):
            raise TypeError(f"hooks[{k}] doit être une instance, par ex. {hook.__name__}(…) "
                            f"(reçu : la classe {hook.__name__})")
        for name in HOOK_METHODS:
            if getattr(hook, name, None) is not None and not callable(getattr(hook, name)):
                raise TypeError(f"hooks[{k}].{name} doit être une méthode (reçu : "
                                f"{_validate._received(getattr(hook, name))})")
        if not any(callable(getattr(hook, name, None)) for name in HOOK_METHODS):
            raise TypeError(f"hooks[{k}] n'est pas un crochet : il lui faut au moins une méthode "
                            f"parmi {', '.join(HOOK_METHODS)} (reçu : {_validate._received(hook)})")
    return {name: [h for h in hooks if callable(getattr(h, name, None))]
            for name in HOOK_METHODS}


def check_batch(hook, result, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Ce que renvoie ``hook.on_batch`` pour le mini-lot ``x`` : un couple (x, cible), x de la
    forme et du type du mini-lot, la cible en étiquettes int64 (N,) ou en distributions
    flottantes (N, C)."""
    where = f"hooks : {type(hook).__name__}.on_batch"
    if not (isinstance(result, tuple | list) and len(result) == 2
            and all(isinstance(r, torch.Tensor) for r in result)):
        raise TypeError(f"{where} doit renvoyer un couple (x, cible) de tenseurs (reçu : "
                        f"{_describe(result)})")
    new_x, target = result
    if new_x.shape != x.shape or new_x.dtype != x.dtype:
        raise ValueError(f"{where} doit renvoyer x de forme {tuple(x.shape)} en {x.dtype}, comme "
                         f"le mini-lot (reçu : {_describe(new_x)})")
    labels = target.dtype == torch.int64 and target.dim() == 1
    if len(target) != len(x) or not (labels or target.is_floating_point() and target.dim() == 2):
        raise ValueError(f"{where} doit renvoyer une cible de {len(x)} étiquettes int64 (N,) ou "
                         f"de {len(x)} distributions flottantes (N, C) (reçu : "
                         f"{_describe(target)})")
    return new_x, target


def check_stop(hook, value) -> bool:
    """Ce que renvoie ``hook.on_epoch`` : True (arrêter), False ou None (continuer)."""
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"hooks : {type(hook).__name__}.on_epoch doit renvoyer True (arrêter), "
                        f"False ou None (reçu : {_describe(value)})")
    return bool(value)
