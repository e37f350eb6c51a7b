"""Shared helpers for ember.vision.models: the `weights=` argument."""
import os


def _load_weights(model, weights, progress=True):
    """Load `weights` into `model`.

    `weights=None` keeps the random initialisation. A path (str / os.PathLike) to a state_dict
    saved with ember.save or torch.save loads it (keys are torchvision's). Named pretrained
    weights would need a download, which ember does not do.
    """
    if weights is None:
        return model
    if isinstance(weights, (str, os.PathLike)) and os.path.exists(weights):
        from ...serialization import load
        state = load(weights, map_location='cpu')
        if isinstance(state, dict) and 'state_dict' in state and not any(
                k.endswith('weight') for k in state):
            state = state['state_dict']
        model.load_state_dict(state)
        return model
    if isinstance(weights, dict):
        model.load_state_dict(weights)
        return model
    raise RuntimeError(f"ember.vision: pretrained weights {weights!r} are not available offline; pass "
                       f"weights=None, or a path to a saved torchvision state_dict")


def _num_classes_from(kwargs, default=1000):
    return kwargs.pop('num_classes', default)
