"""`summary(model, input_size)`: torchsummary's layer table (= `torchsummary.summary`).

Runs the model once on random input (batch of 2, so BatchNorm works) with a forward hook on
every submodule except containers, and prints per layer its type-index, output shape (batch as
-1 or the given batch_size) and parameter count (weight + bias, as torchsummary counts), then
totals and memory estimates in MB (float32: 4 bytes per value; activations counted twice for
forward + backward).
"""
import math

__all__ = ['summary', 'summary_string']

_RULE = '-' * 64
_DOUBLE = '=' * 64


def _shape_of(output, batch_size):
    if isinstance(output, (list, tuple)):
        return [[-1] + list(o.size())[1:] for o in output]
    shape = list(output.size())
    if shape:
        shape[0] = batch_size
    return shape


def _numel(shape):
    if shape and isinstance(shape[0], list):
        return sum(_numel(s) for s in shape)
    return math.prod(shape)


def summary_string(model, input_size, batch_size=-1, device=None, dtypes=None):
    """The summary table as a string, plus (total_params, trainable_params)."""
    import ember
    from .nn import Sequential, ModuleList
    if device is None:
        device = 'cuda' if ember.cuda.is_available() else 'cpu'
    if isinstance(input_size, tuple) and input_size and not isinstance(input_size[0], (tuple, list)):
        input_size = [input_size]
    input_size = [tuple(s) for s in input_size]
    if dtypes is None:
        dtypes = [ember.float32] * len(input_size)
    rows = []
    hooks = []

    def register(module):
        def hook(mod, inputs, output):
            name = f"{type(mod).__name__}-{len(rows) + 1}"
            params, trainable = 0, None
            weight = getattr(mod, 'weight', None)
            if weight is not None and hasattr(weight, 'size'):
                params += weight.numel()
                trainable = weight.requires_grad
            bias = getattr(mod, 'bias', None)
            if bias is not None and hasattr(bias, 'size'):
                params += bias.numel()
            rows.append((name, _shape_of(output, batch_size), params, trainable))
        if not isinstance(module, (Sequential, ModuleList)) and module is not model:
            hooks.append(module.register_forward_hook(hook))

    model.apply(register)
    xs = [ember.rand(2, *size, device=device).to(dt) for size, dt in zip(input_size, dtypes)]
    try:
        with ember.no_grad():
            model(*xs)
    finally:
        for h in hooks:
            h.remove()

    lines = [_RULE, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"), _DOUBLE]
    total_params = total_output = trainable_params = 0
    for name, shape, params, trainable in rows:
        lines.append("{:>20}  {:>25} {:>15}".format(name, str(shape), "{0:,}".format(params)))
        total_params += params
        total_output += _numel(shape)
        if trainable:
            trainable_params += params
    total_input_size = abs(math.prod(sum(input_size, ())) * batch_size * 4. / (1024 ** 2.))
    total_output_size = abs(2. * total_output * 4. / (1024 ** 2.))
    total_params_size = abs(total_params * 4. / (1024 ** 2.))
    total_size = total_params_size + total_output_size + total_input_size
    lines += [_DOUBLE,
              "Total params: {0:,}".format(total_params),
              "Trainable params: {0:,}".format(trainable_params),
              "Non-trainable params: {0:,}".format(total_params - trainable_params),
              _RULE,
              "Input size (MB): %0.2f" % total_input_size,
              "Forward/backward pass size (MB): %0.2f" % total_output_size,
              "Params size (MB): %0.2f" % total_params_size,
              "Estimated Total Size (MB): %0.2f" % total_size,
              _RULE]
    return '\n'.join(lines) + '\n', (total_params, trainable_params)


def summary(model, input_size, batch_size=-1, device=None, dtypes=None):
    """Print torchsummary's table for `model` on inputs of `input_size` (one tuple or a list)."""
    text, params = summary_string(model, input_size, batch_size, device, dtypes)
    print(text, end='')
    return params
