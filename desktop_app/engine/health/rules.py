"""The health rules: each reads a HealthRecord and returns the hints it finds.

Every threshold is a named constant with its source; docs/health.md lists them with the reasoning.
Rules that look at measurements use the median of the last ``RECENT`` ones, so one noisy batch
does not fire a rule; rules on epochs need the epochs they name. The hints come in the order of
``RULES``: what breaks a run first (divergence, exploding gradients) before what slows it down.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..divergence import FACTOR as DIVERGENCE_FACTOR
from .hints import Fix, Hint
from .monitor import DEAD_WINDOW, LOSS_WINDOW, TANH_SATURATED
from .record import HealthRecord, LayerSeries

RECENT = 10  # measurements a rule takes the median of
MIN_MEASUREMENTS = 3  # measurements a rule on them needs at least

# cs231n (Neural Networks 3, "ratio of weights:updates"): an update near 1e-3 of the weight is
# healthy. Adam moves every weight by about the learning rate, so healthy runs reach a few times
# 1e-2 early on: the rules fire two decades from 1e-3, not one.
UPDATE_RATIO_TARGET = 1e-3
LR_TOO_HIGH = 1e-1
LR_TOO_LOW = 1e-5
LR_STEP = 10.0  # the factor Apply changes the learning rate by (Keras ReduceLROnPlateau: 0.1)

# Glorot & Bengio 2010, cs231n: gradients that shrink by orders of magnitude from the last layer
# to the first; two orders here.
VANISHING_RATIO = 1e-2
SIGMOID_SLOPE_MAX = 0.25  # the largest derivative of the sigmoid, at 0
# Pascanu et al. 2013 (clipping): a global gradient norm a hundred times its early size.
EXPLODING_GROWTH = 100.0
EARLY = 5  # measurements that set the early size

# cs231n (Neural Networks 1): "as much as 40% of your network can be dead" is the bad case. The
# residual example, which trains well, has up to 47 % of one ReLU's units dead at times: the rule
# wants half of them, in the median of the recent measurements (a lasting state, not a moment).
DEAD_FRACTION = 0.5
# Karpathy, makemore part 3: many tanh outputs beyond 0.97 stop the gradient (1 − t² < 0.06).
# From the start (a too-large initialization or unscaled inputs), or later once most are: a small
# net that learned a sharp boundary (the XOR example) saturates a good part of its units by design.
SATURATED_FRACTION = 0.3
SATURATED_LATE = 0.7

# Karpathy, "A Recipe for Training Neural Networks" (verify loss @ init), cs231n: the untrained
# loss should be near ln C. More than ln 10 above it, the true class gets on average less than a
# tenth of the probability a uniform guess gives it: over-confident wrong logits.
INITIAL_LOSS_EXCESS = math.log(10.0)

# neural-network-digits (accuracy near chance means nothing is learned): the best validation
# accuracy after NO_LEARNING_EPOCHS is within NO_LEARNING_MARGIN of chance (of the way to 100 %).
NO_LEARNING_EPOCHS = 3
NO_LEARNING_MARGIN = 0.1

# Keras EarlyStopping's reasoning: validation loss rising for OVERFIT_EPOCHS epochs in a row while
# the training loss falls, and OVERFIT_RISE above its best; or a train/validation accuracy gap.
OVERFIT_EPOCHS = 3
OVERFIT_RISE = 0.1
OVERFIT_GAP = 0.2

# Keras ReduceLROnPlateau: patience 10 epochs, min_delta 1e-4 (relative here, so a loss's scale
# does not matter); a plateau only counts while the loss is above half the untrained one.
PLATEAU_EPOCHS = 10
PLATEAU_MIN_DELTA = 1e-4
PLATEAU_LEVEL = 0.5


def diagnose(record: HealthRecord) -> list[Hint]:
    """Every hint the record supports, most urgent first."""
    return [hint for rule in RULES for hint in rule(record)]


# --- rules on the loss -----------------------------------------------------------------------------
def diverging(record: HealthRecord) -> list[Hint]:
    """A non-finite loss, else the epoch's divergence once an epoch met the rule (the run's History
    and summary say the same), else the batches' (the epoch that is diverging has not ended yet)."""
    fix = Fix("scale_learning_rate", value=1 / LR_STEP)
    if record.non_finite is not None:
        return [Hint("diverging", f"the loss or a gradient became non-finite: {record.non_finite}",
                     "Each step moved the weights so far that the next forward pass overflowed: the "
                     "gradient times the learning rate overshot the minimum, the loss grew, its "
                     "gradient grew with it, and every step made the next one larger.", fix=fix)]
    why = ("each step follows the gradient downhill, but a step too long lands higher up the other side "
           "of the valley, where the gradient is steeper still, so the next step is longer. A smaller "
           "learning rate shortens every step.")
    divergence, steps = record.divergence, record.step_divergence
    if divergence is not None:
        return [Hint("diverging", divergence.describe(),
                     f"The epoch's loss ({divergence.loss:.4g}) is over {DIVERGENCE_FACTOR:g} times the "
                     f"best the run reached ({divergence.best:.4g}): {why}", fix=fix, figure=divergence.loss)]
    if steps is not None:
        return [Hint("diverging", f"the loss is diverging: at step {steps.step} (epoch {steps.epoch}) the "
                     f"last batches' loss is {steps.loss:.4g}, over {DIVERGENCE_FACTOR:g} times the best so "
                     f"far ({steps.best:.4g}); try a lower learning rate",
                     f"The median loss of the last {min(steps.step, LOSS_WINDOW)} batches "
                     f"({steps.loss:.4g}) is over {DIVERGENCE_FACTOR:g} times the best the run reached "
                     f"({steps.best:.4g}): {why}",
                     fix=fix, figure=steps.loss)]
    return []


def initial_loss(record: HealthRecord) -> list[Hint]:
    first, expected = record.initial_loss, record.expected_initial_loss
    if first is None or expected is None or first <= expected + INITIAL_LOSS_EXCESS:
        return []
    output = _last_weights(record)
    return [Hint("initial_loss",
                 f"the untrained loss is {first:.3g}, expected about {expected:.3g} (ln {record.classes})",
                 f"A network that knows nothing should give every class the same probability 1/C, a loss "
                 f"of ln C = {expected:.3g}. Starting at {first:.3g} means its logits are large and "
                 "confidently wrong: the output layer's weights or bias start too big, or the inputs are "
                 "not scaled. The first steps are then spent shrinking those logits instead of learning.",
                 (output,) if output else (), Fix("output_init", (output,)) if output else None, first)]


def no_learning(record: HealthRecord) -> list[Hint]:
    if record.classes is None or len(record.epochs) < NO_LEARNING_EPOCHS:
        return []
    scores = [e.val_accuracy if e.val_accuracy is not None else e.accuracy for e in record.epochs]
    scores = [score for score in scores if score is not None]
    chance = 1.0 / record.classes
    if not scores or max(scores) > chance + NO_LEARNING_MARGIN * (1.0 - chance):
        return []
    return [Hint("no_learning",
                 f"accuracy is still near chance ({max(scores):.0%}, chance {chance:.0%}) after "
                 f"{len(record.epochs)} epochs",
                 "The weights change, but not in a way that separates the classes: the gradient that "
                 "reaches them carries no useful signal (dead or saturated units, vanishing gradients), "
                 "the learning rate is far off, or the labels do not follow from the inputs. See the "
                 "other hints and the per-layer figures.", figure=max(scores))]


def overfitting(record: HealthRecord) -> list[Hint]:
    epochs = record.epochs
    output = _last_weights(record)
    fix = Fix("regularize", (output,) if output else ())
    why = ("The training loss keeps falling because backprop fits the weights to the training samples "
           "themselves, noise included, while the loss on samples it never saw rises: the network "
           "memorizes. Early stopping keeps the best epoch; L2 and dropout make memorizing costlier.")
    tail = epochs[-(OVERFIT_EPOCHS + 1):]
    losses = [e.val_loss for e in tail]
    if len(tail) == OVERFIT_EPOCHS + 1 and None not in losses:
        best = min(e.val_loss for e in epochs if e.val_loss is not None)
        rising = all(b > a for a, b in zip(losses, losses[1:], strict=False))
        falling = all(b.loss < a.loss for a, b in zip(tail, tail[1:], strict=False))
        if rising and falling and losses[-1] > (1 + OVERFIT_RISE) * best:
            return [Hint("overfitting",
                         f"overfitting: the validation loss rose {OVERFIT_EPOCHS} epochs in a row to "
                         f"{losses[-1]:.3g} (best {best:.3g}) while the training loss fell",
                         why, (), fix, losses[-1])]
    if epochs and epochs[-1].accuracy is not None and epochs[-1].val_accuracy is not None:
        gap = epochs[-1].accuracy - epochs[-1].val_accuracy
        if gap > OVERFIT_GAP:
            return [Hint("overfitting",
                         f"overfitting: training accuracy {epochs[-1].accuracy:.0%}, validation "
                         f"{epochs[-1].val_accuracy:.0%}", why, (), fix, gap)]
    return []


def plateau(record: HealthRecord) -> list[Hint]:
    losses = [e.loss for e in record.epochs]
    if len(losses) <= PLATEAU_EPOCHS or record.initial_loss is None:
        return []
    before = min(losses[:-PLATEAU_EPOCHS])
    if min(losses[-PLATEAU_EPOCHS:]) < before * (1 - PLATEAU_MIN_DELTA):
        return []
    if losses[-1] < PLATEAU_LEVEL * record.initial_loss:
        return []
    if any(hint.rule == "learning_rate_low" for hint in learning_rate(record)):
        return []  # the rate is too low to move: raising it, not lowering it, is the fix
    return [Hint("plateau",
                 f"the loss has not improved for {PLATEAU_EPOCHS} epochs and stays at {losses[-1]:.3g}",
                 "The steps no longer go downhill: the learning rate may be too large to settle into the "
                 "valley (the steps jump across it) or the gradient has faded (see the per-layer figures). "
                 "Keras's ReduceLROnPlateau divides the learning rate by 10 here.",
                 fix=Fix("scale_learning_rate", value=1 / LR_STEP), figure=losses[-1])]


# --- rules on the measurements ---------------------------------------------------------------------
def learning_rate(record: HealthRecord) -> list[Hint]:
    """The update ratio judges the project's learning rate: a schedule's smaller rates are scaled
    back up to the largest the run used (a decayed rate at the end of a run is no fault)."""
    if record.diverged or not record.learning_rates.size:
        return []
    rates = record.learning_rates
    scale = np.where(rates > 0, rates.max() / np.where(rates > 0, rates, 1.0), np.nan)
    ratios = []
    for series in record.of_kind("weights"):
        values = series.values["update_ratio"] * scale
        # a layer that did not move at all has no gradient (dead units): another rule explains it
        values = values[np.isfinite(values) & (values > 0)][-RECENT:]
        if values.size >= MIN_MEASUREMENTS:
            ratios.append(float(np.median(values)))
    if not ratios:
        return []
    ratio = float(np.median(ratios))
    shown = f"10^{math.log10(ratio):.1f}" if ratio > 0 else "0"
    said = (f"Each step changes a layer's weights by about {shown} of their size (the median over the "
            f"layers, at the run's largest learning rate); about 10^{math.log10(UPDATE_RATIO_TARGET):.0f} is "
            "healthy (cs231n). ")
    if ratio > LR_TOO_HIGH:
        return [Hint("learning_rate_high", f"the learning rate looks too high: each step changes the "
                     f"weights by {shown} of their size",
                     said + "Steps that large throw away much of what the previous steps learned and "
                     "may start to diverge.", fix=Fix("scale_learning_rate", value=1 / LR_STEP),
                     figure=ratio)]
    if ratio < LR_TOO_LOW:
        return [Hint("learning_rate_low", f"the learning rate looks too low: each step changes the "
                     f"weights by {shown} of their size",
                     said + "The gradient points the right way, but steps this small need thousands of "
                     "epochs to get anywhere.", fix=Fix("scale_learning_rate", value=LR_STEP), figure=ratio)]
    return []


def exploding(record: HealthRecord) -> list[Hint]:
    norms = record.global_norms[np.isfinite(record.global_norms)]
    if norms.size < EARLY + 1 or record.diverged:
        return []
    early, recent = float(np.median(norms[:EARLY])), float(np.max(norms[EARLY:][-RECENT:]))
    if early <= 0 or recent < EXPLODING_GROWTH * early:
        return []
    limit = float(f"{early:.2g}")
    return [Hint("exploding", f"the gradients are exploding: their norm grew from {early:.3g} to "
                 f"{recent:.3g}",
                 "Backprop multiplies the gradient by every layer's weights on the way down; once those "
                 "multiply it by more than 1 each, it grows layer after layer and step after step, and "
                 f"one update can undo the run. Clipping the global norm at {limit:g} (its early size) "
                 "keeps the direction and bounds the step.",
                 fix=Fix("clip_gradients", value=limit), figure=recent)]


def vanishing(record: HealthRecord) -> list[Hint]:
    weights = [s for s in record.of_kind("weights") if _count(s, "grad_norm") >= MIN_MEASUREMENTS]
    if len(weights) < 3:
        return []
    first, last = weights[0], weights[-1]
    top, bottom = last.recent("grad_norm", RECENT), first.recent("grad_norm", RECENT)
    # a zero gradient is dead units' (another rule), not a vanishing one
    if not (top > 0 and bottom > 0) or bottom >= VANISHING_RATIO * top:
        return []
    squashing = [s.node for s in record.of_kind("squashing")]
    sigmoids = sum(1 for s in record.of_kind("squashing") if s.type == "Sigmoid")
    ratio = bottom / top
    why = (f"The gradient reaching '{first.node}' is {ratio:.1e} of the one at '{last.node}'. Backprop "
           "multiplies the gradient by each layer's local derivative on its way down")
    if sigmoids:
        why += (f"; each sigmoid multiplies it by at most {SIGMOID_SLOPE_MAX:g}, so after the "
                f"{sigmoids} here at most {SIGMOID_SLOPE_MAX ** sigmoids:.2g} of it arrives")
    why += ". The first layers then barely learn while the last ones do all the work."
    if squashing:
        fix = Fix("replace_with_relu", tuple(squashing))
        why += " ReLU's derivative is 1 wherever it is active, so the gradient passes intact."
    else:
        fix = Fix("insert_batchnorm", tuple(s.node for s in weights[:-1]))
        why += " BatchNorm after each layer keeps the activations, and so the gradients, at scale 1."
    return [Hint("vanishing", f"vanishing gradients: '{first.node}' gets {ratio:.1e} of the gradient "
                 f"'{last.node}' gets", why, (first.node,), fix, ratio)]


def dead_relu(record: HealthRecord) -> list[Hint]:
    hints = []
    for series in record.of_kind("relu"):
        values = series.values["dead_fraction"][DEAD_WINDOW - 1:]  # once the window was full
        fraction = float(np.median(values[-RECENT:])) if values.size else 0.0
        if fraction < DEAD_FRACTION:
            continue
        feeding = tuple(name for name in series.inputs if _is_weights(record, name))
        hints.append(Hint(
            "dead_relu", f"{fraction:.0%} of the units of '{series.node}' are dead",
            f"{fraction:.0%} of the units of '{series.node}' output 0 for every sample of the last "
            f"{DEAD_WINDOW} measured batches. A ReLU passes the gradient only where its input is "
            "positive, so these units get a zero gradient, and so do the weights feeding them: they "
            "can never come back. A large negative bias, a too-large initialization or a too-high "
            "learning rate pushes them there; He initialization with a zero bias starts every unit "
            "active about half the time.",
            (series.node,), Fix("he_init", feeding) if feeding else None, fraction))
    return hints + _no_gradient(record, {node for hint in hints if hint.fix for node in hint.fix.nodes})


def _no_gradient(record: HealthRecord, explained: set[str]) -> list[Hint]:
    """Layers whose gradient is exactly 0 (the median of the recent measurements) while another
    layer's is not, before a ReLU after them: dead units pass no gradient back. The dead-unit rule
    above waits ``DEAD_WINDOW`` measurements to call a unit dead, and names only the layer feeding
    the dead ReLU; a zero gradient is certain at once, and says which layers stopped learning."""
    weights = [s for s in record.of_kind("weights") if _count(s, "grad_norm") >= MIN_MEASUREMENTS]
    norms = {s.node: s.recent("grad_norm", RECENT) for s in weights}
    if not any(norm > 0 for norm in norms.values()):
        return []  # nothing learns: not one layer's problem
    order = [s.node for s in record.layers]
    relus = [order.index(s.node) for s in record.of_kind("relu")]
    zero = tuple(node for node, norm in norms.items() if norm == 0 and node not in explained
                 and any(index > order.index(node) for index in relus))
    if not zero:
        return []
    feeding = tuple(node for node in zero
                    if any(node in s.inputs for s in record.of_kind("relu")))
    learning = next(node for node, norm in norms.items() if norm > 0)
    return [Hint(
        "dead_relu", f"no gradient reaches {_names(zero)}: the ReLU units after "
        f"{'them' if len(zero) > 1 else 'it'} are dead",
        f"The gradient of {_names(zero)} is exactly 0 (the median of the last {RECENT} measurements) "
        f"while '{learning}' gets one: these weights do not change at all. A ReLU passes the "
        "gradient only where its input is positive; when every unit after these layers outputs 0 for "
        "every sample of a batch, nothing passes back to them. A large negative bias, a too-large "
        "initialization or weights wrecked by a diverged run push them there; He initialization with "
        "a zero bias (and fresh weights) starts every unit active about half the time.",
        zero, Fix("he_init", feeding) if feeding else None, 0.0)]


def _names(nodes: tuple[str, ...]) -> str:
    return ", ".join(f"'{node}'" for node in nodes)


def saturated(record: HealthRecord) -> list[Hint]:
    hints = []
    for series in record.of_kind("squashing"):
        if _count(series, "saturated_fraction") < MIN_MEASUREMENTS:
            continue
        early = float(np.nanmedian(series.values["saturated_fraction"][:RECENT]))
        fraction = series.recent("saturated_fraction", RECENT)
        if early < SATURATED_FRACTION and fraction < SATURATED_LATE:
            continue
        fraction = max(early, fraction)
        hints.append(Hint(
            "saturated", f"{fraction:.0%} of the outputs of '{series.node}' ({series.type}) are saturated",
            f"{fraction:.0%} of the outputs of '{series.node}' sit in the flat ends of the {series.type} "
            f"(|tanh| > {TANH_SATURATED:g}, or a sigmoid as close to 0 or 1). There its derivative is "
            "nearly 0, and backprop multiplies the gradient by it: the weights before it stop learning. "
            "Its inputs are too large (a large initialization or unscaled inputs); a ReLU does not "
            "saturate for positive inputs.",
            (series.node,), Fix("replace_with_relu", (series.node,)), fraction))
    return hints


def _count(series: LayerSeries, name: str) -> int:
    return int(np.count_nonzero(np.isfinite(series.values[name])))


def _last_weights(record: HealthRecord) -> str | None:
    weights = record.of_kind("weights")
    return weights[-1].node if weights else None


def _is_weights(record: HealthRecord, node: str) -> bool:
    return any(series.node == node for series in record.of_kind("weights"))


RULES: tuple[Callable[[HealthRecord], list[Hint]], ...] = (
    diverging, exploding, initial_loss, learning_rate, vanishing, dead_relu, saturated,
    no_learning, overfitting, plateau,
)
