"""Calling a model with a mask, the same way in every masked clause (SPEC.md, "Masks").

An implementation that declares ``MASKS = "right-padded"`` takes only masks whose every row has
its real steps first; it MUST refuse any other with a ``ValueError`` and change nothing (neither
the state nor the weights). Every mask an implementation declares it takes MUST be accepted: a
refusal of one is a violation of the clause, not a crash (PyTorch's packed sequences refuse a row
of length 0, say).
"""
import numpy as np

from stateful_lstm.validation import right_padded

from .assertions import assert_identical, assert_states_identical, fail
from .contract import masks as mask_kind
from .strategies import MASK_PATTERNS

RIGHT_PADDED_PATTERNS = ("real", "right-padded", "masked")     # right-padded however drawn

REFUSED = object()       # what ``masked_call`` returns for a mask refused as it must be


def patterns_taken(impl, patterns=MASK_PATTERNS):
    """Of ``patterns`` (``strategies.MASK_PATTERNS``), those whose masks ``impl`` takes: all of
    them for ``MASKS = "any"``; for "right-padded", those that are right-padded whatever is
    drawn. A test of what a taken mask does draws from these, so that its catch does not wait
    for a rare draw of a mask the implementation takes (eight rows of any pattern are all
    right-padded about once in 60 draws); the refusals are tried by the tests that draw every
    pattern."""
    return patterns if mask_kind(impl) == "any" else tuple(
        p for p in patterns if p in RIGHT_PADDED_PATTERNS)


def edge_mask(impl, batch, steps):
    """A mask (batch, steps >= 2) with the masked steps where implementations slip, in every
    example rather than in a rare draw: row 0's first step masked and the rest real where
    ``impl`` takes any mask (a step before the row's first real step of the call), else row 0's
    last step padded; row 1 (if any) right-padded; the other rows real."""
    mask = np.ones((batch, steps), bool)
    if mask_kind(impl) == "any":
        mask[0, 0] = False
    else:
        mask[0, -1] = False
    mask[1:2, -1] = False
    return mask


def takes(impl, mask):
    """Whether ``impl`` takes ``mask`` (a bool (batch, T) array, or None)."""
    return mask is None or mask_kind(impl) == "any" or right_padded(mask)


def masked_call(impl, model, method, *args, mask, what, **kwargs):
    """``model.<method>(*args, mask=mask, **kwargs)``; ``REFUSED`` if ``impl`` does not take the
    mask and refused it as it must (ValueError, state and weights exactly as they were)."""
    __tracebackhide__ = True
    call = getattr(model, method)
    if takes(impl, mask):
        try:
            return call(*args, mask=mask, **kwargs)
        except Exception as error:   # noqa: BLE001 (any refusal of a valid mask is a violation)
            fail(f"{what}: {method} refused a mask it must take ({describe_mask(mask)}): "
                 f"{type(error).__name__}: {error}")
    states = model.get_states() if model.stateful else None
    weights = model.get_weights()
    try:
        call(*args, mask=mask, **kwargs)
    except ValueError:
        pass
    except Exception as error:       # noqa: BLE001 (the contract names the exception type)
        fail(f"{what}: {method} with a mask that is not right-padded ({describe_mask(mask)}) "
             f"raised {type(error).__name__}, but should raise ValueError: {error}")
    else:
        fail(f"{what}: {method} took a mask that is not right-padded ({describe_mask(mask)}), "
             f"but this implementation declares MASKS = 'right-padded': it should raise "
             f"ValueError")
    if states is not None:
        assert_states_identical(model.get_states(), states,
                                f"{what}: state after {method} refused a mask")
    for index, (got, before) in enumerate(zip(model.get_weights(), weights)):
        assert_identical(got, before, f"{what}: weight {index} after {method} refused a mask")
    return REFUSED


def describe_mask(mask):
    """The mask as rows of 0 and 1, for messages."""
    return "mask rows " + " ".join("".join("1" if m else "0" for m in row) for row in mask)


def compact(rows, masks):
    """Each row's real steps: for row i, the concatenation over the calls of ``rows[k][i]``
    where ``masks[k][i]`` is True (``rows[k]`` (batch, T_k, ...), ``masks[k]`` (batch, T_k))."""
    batch = len(masks[0])
    return [np.concatenate([r[i][m[i]] for r, m in zip(rows, masks)]) for i in range(batch)]

