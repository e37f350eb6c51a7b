"""torch.amp.GradScaler: dynamic loss scaling for mixed-precision training.

The loss is multiplied by `scale` before backward so small fp16 gradients don't underflow;
before the optimizer step the gradients are divided back (unscale_) and checked for inf/NaN.
A step with non-finite gradients is skipped and the scale backs off; after `growth_interval`
clean steps the scale grows. On a device whose backend is missing (device='cuda' without
CUDA) the scaler warns and disables itself, as torch does: every method becomes a no-op
pass-through."""
import warnings
from enum import Enum

__all__ = ['GradScaler', 'OptState']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_state():
    return {'stage': OptState.READY, 'found_inf_per_device': {}}


_NO_SCALE = ("This may indicate your script did not use scaler.scale(loss or outputs) "
             "earlier in the iteration.")


class GradScaler:
    """Dynamic loss scaler; same constructor, methods and state_dict layout as torch's."""

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = str(device)
        self._enabled = bool(enabled)
        if self._enabled and self._device == 'cuda':
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available."
                              "  Disabling.")
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = float(init_scale)
        self._scale = None                       # float32 0-dim tensor, created lazily
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._init_growth_tracker = 0
        self._growth_tracker = None              # int32 0-dim tensor, created lazily
        self._per_optimizer_states = {}

    # ------------------------------------------------------------------ internals
    def _lazy_init_scale_growth_tracker(self, device):
        from .._ops.creation import full
        from .. import _dtype as D
        self._scale = full((), self._init_scale, dtype=D.float32, device=device)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=D.int32, device=device)

    def _check_scale_growth_tracker(self, funcname):
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + _NO_SCALE)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  "
                                 + _NO_SCALE)
        return self._scale, self._growth_tracker

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), _refresh_state())

    # ------------------------------------------------------------------ public API
    def scale(self, outputs):
        """outputs * scale, for a tensor or (nested) lists/tuples of tensors."""
        from .._tensor import Tensor
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(outputs.device)

        def apply(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val.device)
                return val * self._scale.to(val.device)
            if isinstance(val, (list, tuple)):
                out = [apply(v) for v in val]
                return type(val)(out) if isinstance(val, tuple) else out
            if hasattr(val, '__iter__') and not isinstance(val, (str, bytes)):
                return map(apply, val)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        """Multiply every grad by inv_scale in place; per device, a (1,) float32 tensor that
        is 1.0 when some grad held inf/NaN."""
        from .. import _dtype as D
        from .._ops.creation import zeros
        from ..autograd.grad_mode import no_grad
        found = {}
        with no_grad():
            for group in optimizer.param_groups:
                for p in group['params']:
                    g = getattr(p, 'grad', None)
                    if g is None:
                        continue
                    if not allow_fp16 and g.dtype is D.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    dev = g.device
                    if dev not in found:
                        found[dev] = zeros(1, dtype=D.float32, device=dev)
                    bad = (~g.isfinite()).any()
                    found[dev] = found[dev].maximum(bad.to(D.float32).reshape(1))
                    g.mul_(inv_scale.to(dev).to(g.dtype))
        return found

    def unscale_(self, optimizer):
        """Divide optimizer's grads by the scale in place (once per step) and record inf/NaN."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._state(optimizer)
        if state['stage'] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        from .. import _dtype as D
        inv_scale = self._scale.to(D.float64).reciprocal().to(D.float32)
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, inv_scale, False)
        state['stage'] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, state, *args, **kwargs):
        if not sum(float(v.item()) for v in state['found_inf_per_device'].values()):
            return optimizer.step(*args, **kwargs)
        return None

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and run optimizer.step() unless a grad was inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if 'closure' in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check_scale_growth_tracker("step")
        state = self._state(optimizer)
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state['stage'] is OptState.READY:
            self.unscale_(optimizer)
        if len(state['found_inf_per_device']) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, state, *args, **kwargs)
        state['stage'] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Back off the scale after an inf/NaN step, grow it after growth_interval clean
        steps (or set it to new_scale); resets the per-iteration optimizer state."""
        if not self._enabled:
            return
        from .._tensor import Tensor
        from .. import _dtype as D
        from ..autograd.grad_mode import no_grad
        _scale, _tracker = self._check_scale_growth_tracker("update")
        with no_grad():
            if new_scale is not None:
                if isinstance(new_scale, float):
                    _scale.fill_(new_scale)
                else:
                    if not (isinstance(new_scale, Tensor) and new_scale.numel() == 1
                            and not new_scale.requires_grad
                            and new_scale.device.type == _scale.device.type):
                        raise AssertionError(
                            "new_scale should be a float or a 1-element torch.cuda.FloatTensor "
                            "or torch.FloatTensor with requires_grad=False.")
                    _scale.copy_(new_scale.reshape(()))
            else:
                found = [f for st in self._per_optimizer_states.values()
                         for f in st['found_inf_per_device'].values()]
                if len(found) == 0:
                    raise AssertionError("No inf checks were recorded prior to update.")
                found_inf = sum(float(f.item()) for f in found)
                if found_inf:
                    _scale.mul_(self._backoff_factor)
                    _tracker.fill_(0)
                else:
                    count = int(_tracker.item()) + 1
                    if count == self._growth_interval:
                        grown = float(_scale.item()) * self._growth_factor
                        grown32 = float(self._scale.new_full((), grown).to(D.float32).item())
                        if grown32 != float('inf'):
                            _scale.fill_(grown32)
                        count = 0
                    _tracker.fill_(count)
        self._per_optimizer_states = {}

    def _get_scale_async(self):
        return self._scale

    def get_scale(self):
        """Current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return (self._init_growth_tracker if self._growth_tracker is None
                else int(self._growth_tracker.item()))

    def is_enabled(self):
        return self._enabled

    def _found_inf_per_device(self, optimizer):
        return self._state(optimizer)['found_inf_per_device']

    def state_dict(self):
        """{'scale', 'growth_factor', 'backoff_factor', 'growth_interval', '_growth_tracker'};
        empty when disabled."""
        if not self._enabled:
            return {}
        return {'scale': self.get_scale(), 'growth_factor': self._growth_factor,
                'backoff_factor': self._backoff_factor, 'growth_interval': self._growth_interval,
                '_growth_tracker': self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict['scale'])
        if self._scale is not None:
            self._scale.fill_(state_dict['scale'])
        self._growth_factor = float(state_dict['growth_factor'])
        self._backoff_factor = float(state_dict['backoff_factor'])
        self._growth_interval = int(state_dict['growth_interval'])
        self._init_growth_tracker = int(state_dict['_growth_tracker'])
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict['_growth_tracker'])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            state['_init_scale'] = self.get_scale()
            state['_init_growth_tracker'] = self._get_growth_tracker()
            state['_scale'] = None
            state['_growth_tracker'] = None
        state['_per_optimizer_states'] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
