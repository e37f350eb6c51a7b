"""repr/str of tensors and the print options, compared character for character with torch."""
import numpy as np
import pytest
import torch

import ember

R = np.random.default_rng(7)
NAN, INF = float('nan'), float('inf')


def pair(x, dtype=None):
    """(ember, torch) tensors holding exactly the same values; torch builds first, so
    rounding to narrow dtypes (float16, bfloat16) happens once, and ember copies the result."""
    tdt = getattr(torch, dtype) if dtype else None
    t = torch.tensor(x, dtype=tdt)
    src = t.double() if t.dtype in (torch.float16, torch.bfloat16) else t
    e = ember.tensor(src.numpy(), dtype=getattr(ember, str(t.dtype).split('.')[1]))
    return e, t


def same_repr(e, t):
    assert repr(e) == repr(t), f"\nember:\n{e!r}\ntorch:\n{t!r}"
    assert str(e) == str(t)


@pytest.fixture(autouse=True)
def _restore_options():
    yield
    ember.set_printoptions(profile='default')
    torch.set_printoptions(profile='default')
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


FLOAT_VALUES = {
    'ints': [1., 2., 3.],
    'ints_neg': [-1., 0., 5.],
    'ints_big': [123456789., 1.],
    'ints_1e8': [1e8, 2.],
    'ints_ratio_1000': [1., 1000.],
    'ints_ratio_1001': [1., 1001.],
    'frac': [0.1, 2.5, -3.25],
    'frac_ratio_1000': [0.5, 500.],
    'frac_wide': [0.5, 1000.5],
    'tiny': [1e-5, 3e-6],
    'tiny_edge': [1e-4, 0.5],
    'tiny_below': [9.9e-5, 0.5],
    'huge': [1e9, 2e10],
    'mixed': [1e-5, 1e5],
    'exp3': [1e-120, 1.0],
    'exp3_neg': [-1e200, 1e-3, 2.0],
    'carry': [9.99996, 1.5],
    'carry_int': [9.99996, 1.0],
    'nan_inf': [NAN, INF, -INF, 1.5],
    'nan_inf_int': [NAN, INF, -INF, 2.0],
    'only_nonfinite': [NAN, INF],
    'only_nan': [NAN],
    'zeros': [0., -0.],
    'neg_zero_frac': [-0., 0.5],
    'neg_zero_sci': [-0., 1e-6, 1e6],
    'negatives': [-1.5, -2.25, -100.125],
    'one': [7.],
    'long_row': list(np.linspace(-3, 3, 37)),
    'long_row_sci': list(np.geomspace(1e-6, 1e6, 23)),
    'long_row_int': list(range(-40, 40, 3)),
}
FLOAT_DTYPES = ['float32', 'float64', 'float16', 'bfloat16']


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name', sorted(FLOAT_VALUES))
def test_float_values(name, dtype):
    # values past float16's range turn into inf in both libraries: still a valid comparison
    same_repr(*pair(np.array(FLOAT_VALUES[name]), dtype))


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('name', ['frac', 'tiny', 'mixed', 'nan_inf', 'zeros', 'ints', 'huge'])
def test_float_values_0d(name, dtype):
    for v in FLOAT_VALUES[name]:
        same_repr(*pair(np.array(v), dtype))


SHAPES = [(), (1,), (5,), (3, 4), (1, 1), (2, 3, 4), (2, 2, 2, 3), (1, 2, 1, 2, 1), (4, 1, 3)]


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
@pytest.mark.parametrize('scale', [1.0, 1e-6, 1e7, 1e9], ids=lambda s: f"scale{s:g}")
def test_float_shapes(shape, dtype, scale):
    same_repr(*pair(R.standard_normal(shape) * scale, dtype))


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('dtype', ['int64', 'int32', 'int16', 'int8', 'uint8'])
def test_int_shapes(shape, dtype):
    lo = 0 if dtype == 'uint8' else -100
    same_repr(*pair(R.integers(lo, 100, size=shape), dtype))


@pytest.mark.parametrize('vals,dtype', [
    ([0, 1, -5, 100], 'int64'), ([2 ** 63 - 1, -2 ** 63], 'int64'), ([-128, 127], 'int8'),
    ([0, 255], 'uint8'), ([2 ** 31 - 1, 0], 'int32'), ([-32768, 5], 'int16'), ([7], 'int32'),
    ([0, 65535], 'uint16'), ([5, 4000000000], 'uint32'), ([0, 2 ** 64 - 1], 'uint64'),
])
def test_int_values(vals, dtype):
    if dtype in ('uint16', 'uint32', 'uint64'):
        t = torch.tensor(vals, dtype=getattr(torch, dtype))
        e = ember.tensor(np.array(vals, dtype=dtype), dtype=getattr(ember, dtype))
        same_repr(e, t)
    else:
        same_repr(*pair(np.array(vals), dtype))


@pytest.mark.parametrize('shape', SHAPES + [(40, 50)], ids=str)
def test_bool_shapes(shape):
    same_repr(*pair(R.random(shape) > 0.5, 'bool'))


@pytest.mark.parametrize('vals', [[True, True], [False], [True, False]], ids=str)
def test_bool_values(vals):
    same_repr(*pair(np.array(vals), 'bool'))


COMPLEX_VALUES = {
    'simple': [1 + 2j, -0.5 - 1j],
    'ints': [1 + 2j, 3 - 4j],
    'neg_zero_imag': [complex(1.0, -0.0), complex(-0.0, 0.0)],
    'sci': [1e-6 + 1e6j, 2 + 3j],
    'nonfinite': [complex(NAN, 1.0), complex(INF, -INF), 1.5 + 0.5j],
    'zeros': [0j],
    'mixed_parts': [0.1 + 1e9j, -3.5 + 2j],
}


@pytest.mark.parametrize('dtype', ['complex64', 'complex128'])
@pytest.mark.parametrize('name', sorted(COMPLEX_VALUES))
def test_complex_values(name, dtype):
    vals = np.array(COMPLEX_VALUES[name])
    same_repr(*pair(vals, dtype))
    same_repr(*pair(vals[0], dtype))


@pytest.mark.parametrize('shape', [(), (3,), (2, 3), (2, 2, 2), (30,), (40, 30)], ids=str)
@pytest.mark.parametrize('dtype', ['complex64', 'complex128'])
def test_complex_shapes(shape, dtype):
    x = R.standard_normal(shape) + 1j * R.standard_normal(shape) * 100
    same_repr(*pair(x, dtype))


EMPTY = [(0,), (0, 3), (3, 0), (2, 0, 3), (0, 0), (1, 0, 1, 2)]


@pytest.mark.parametrize('shape', EMPTY, ids=str)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32',
                                   'uint8', 'bool', 'complex64', 'complex128'])
def test_empty(shape, dtype):
    same_repr(*pair(np.zeros(shape), dtype))


@pytest.mark.parametrize('shape', [(1001,), (2000,), (40, 50), (3, 1000), (1001, 2), (10, 10, 11),
                                   (2, 3, 200), (7, 7, 7, 7), (200, 300, 20)], ids=str)
@pytest.mark.parametrize('kind', ['float32', 'int64', 'bool', 'ints_as_float', 'complex64'])
def test_summarized(shape, kind):
    if kind == 'ints_as_float':
        x, dt = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape), 'float32'
    elif kind == 'bool':
        x, dt = R.random(shape) > 0.5, 'bool'
    elif kind == 'int64':
        x, dt = R.integers(-1000, 1000, size=shape), 'int64'
    elif kind == 'complex64':
        x, dt = R.standard_normal(shape) + 1j * R.standard_normal(shape), 'complex64'
    else:
        x, dt = R.standard_normal(shape), 'float32'
    same_repr(*pair(x, dt))


def test_summary_uses_only_edges():
    """The formatter only sees the printed entries: a huge value in the hidden middle
    does not switch the visible ones to scientific notation."""
    x = np.ones(5000)
    x[2500] = 1e20
    x[:3] = [0.5, 0.25, 0.125]
    same_repr(*pair(x, 'float32'))
    assert '1.0000e+20' not in repr(ember.tensor(x))


def test_large_tensor_is_fast():
    import time
    e = ember.zeros(1000, 1000, 20)
    t0 = time.perf_counter()
    r = repr(e)
    assert time.perf_counter() - t0 < 0.5
    assert r == repr(torch.zeros(1000, 1000, 20))


def test_non_contiguous_views():
    x = R.standard_normal((4, 5))
    e, t = pair(x, 'float32')
    same_repr(e.t(), t.t())
    same_repr(e.narrow(1, 1, 3), t.narrow(1, 1, 3))
    same_repr(e.transpose(0, 1).select(0, 1), t.transpose(0, 1).select(0, 1))
    same_repr(e.unsqueeze(1).expand(4, 3, 5), t.unsqueeze(1).expand(4, 3, 5))
    big_e, big_t = pair(R.standard_normal((60, 70)), 'float64')
    same_repr(big_e.t(), big_t.t())
    same_repr(big_e.permute(1, 0).narrow(0, 5, 40), big_t.permute(1, 0).narrow(0, 5, 40))


# ------------------------------------------------------------------ autograd suffixes
def _grad_pair(vals, dtype='float32'):
    e, t = pair(np.array(vals), dtype)
    return e.requires_grad_(), t.requires_grad_()


@pytest.mark.parametrize('fn', [
    lambda m, x: x,
    lambda m, x: x + 1,
    lambda m, x: x * 2,
    lambda m, x: x - x,
    lambda m, x: m.exp(x),
    lambda m, x: m.log(x),
    lambda m, x: x.sum(),
    lambda m, x: x.mean(),
    lambda m, x: x.reshape(2, 2),
    lambda m, x: x.reshape(2, 2).transpose(0, 1),
    lambda m, x: x.detach(),
], ids=['leaf', 'add', 'mul', 'sub', 'exp', 'log', 'sum', 'mean', 'reshape', 'transpose', 'detach'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_autograd_suffixes(fn, dtype):
    e, t = _grad_pair([1.5, 2., 3.25, 4.], dtype)
    same_repr(fn(ember, e), fn(torch, t))


def test_no_grad_result_has_no_suffix():
    e, t = _grad_pair([1., 2.])
    with ember.no_grad():
        re = e * 2
    with torch.no_grad():
        rt = t * 2
    same_repr(re, rt)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
@pytest.mark.parametrize('n', [6, 7, 8, 9, 10, 12, 20])
def test_suffix_wrapping(n, dtype):
    """Suffixes move to a new line when the last line would pass linewidth."""
    e, t = _grad_pair(np.linspace(-1.2345, 987.5, n), dtype)
    same_repr(e, t)
    same_repr(e * 2, t * 2)


def test_nested_in_containers():
    e1, t1 = pair(np.array([1., 2.5]))
    e2, t2 = pair(np.arange(6).reshape(2, 3), 'int32')
    assert repr([e1, e2]) == repr([t1, t2])
    assert repr((e1, (e2,))) == repr((t1, (t2,)))
    assert repr({'a': e1, 'b': [e2]}) == repr({'a': t1, 'b': [t2]})
    assert str([e1]) == str([t1])


def test_format_and_fstring():
    e, t = pair(np.array([[1., 2.], [3., 4.]]))
    assert f"{e}" == f"{t}"
    assert f"{pair(np.array(2.5))[0]:.2f}" == f"{torch.tensor(2.5):.2f}"


# ------------------------------------------------------------------ default dtype
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'complex64', 'complex128',
                                   'int64', 'bool'])
@pytest.mark.parametrize('empty', [False, True])
def test_default_dtype_changes_suffix(dtype, empty):
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    x = np.zeros((0, 2)) if empty else np.array([1.5, 2.])
    same_repr(*pair(x, dtype))


# ------------------------------------------------------------------ print options
OPTION_CASES = [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=True),
    dict(sci_mode=False), dict(threshold=5), dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0), dict(edgeitems=0), dict(linewidth=40),
    dict(linewidth=10), dict(linewidth=200), dict(profile='short'), dict(profile='full'),
    dict(profile='short', precision=6), dict(precision=3, sci_mode=True, linewidth=50),
    dict(threshold=0), dict(threshold=10, edgeitems=10),
]
OPTION_DATA = {
    'frac': (np.array([0.123456789, -12.5, 3.0]), 'float32'),
    'sci': (np.array([1e-6, 12.5]), 'float64'),
    'ints_f': (np.array([1., 20., 300.]), 'float32'),
    'nonfinite': (np.array([NAN, 0.]), 'float32'),
    'mat': (R.standard_normal((8, 9)), 'float32'),
    'cube': (R.standard_normal((12, 3, 12)) * 50, 'float32'),
    'vec': (np.arange(40), 'int64'),
    'cplx': (R.standard_normal(12) + 1j * R.standard_normal(12), 'complex64'),
    'scalar': (np.array(3.14159), 'float32'),
    'long_vec': (np.arange(3000.) / 7, 'float32'),
    'bool': (R.random((6, 7)) > 0.5, 'bool'),
}


@pytest.mark.parametrize('opts', OPTION_CASES, ids=lambda d: ','.join(f"{k}={v}" for k, v in d.items()))
@pytest.mark.parametrize('data', sorted(OPTION_DATA))
def test_printoptions(opts, data):
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    x, dt = OPTION_DATA[data]
    same_repr(*pair(x, dt))


@pytest.mark.parametrize('opts', OPTION_CASES, ids=lambda d: ','.join(f"{k}={v}" for k, v in d.items()))
def test_get_printoptions(opts):
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_roundtrip_and_context():
    from ember._printing import printoptions
    ember.set_printoptions(precision=2)
    saved = ember.get_printoptions()
    ember.set_printoptions(profile='default')
    ember.set_printoptions(**saved)
    assert ember.get_printoptions()['precision'] == 2
    with printoptions(precision=6):
        assert repr(ember.tensor([1.5, 0.1])) == 'tensor([1.500000, 0.100000])'
    assert ember.get_printoptions() == saved
    # sci_mode is reset by any call, as in torch
    ember.set_printoptions(sci_mode=True)
    ember.set_printoptions(precision=3)
    assert ember.get_printoptions()['sci_mode'] is None


# ------------------------------------------------------------------ type names, devices
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32',
                                   'int16', 'int8', 'uint8', 'bool', 'complex64', 'complex128'])
def test_type_name(dtype):
    e, t = pair(np.zeros(2), dtype)
    assert e.type() == t.type()


def test_subclass_prefix():
    if not hasattr(ember.Tensor, 'as_subclass'):
        pytest.skip('as_subclass not available')

    class MyTensor(ember.Tensor):
        pass

    class MyTorchTensor(torch.Tensor):
        pass

    MyTensor.__name__ = MyTorchTensor.__name__ = 'MyT'
    e, t = pair(np.array([1., 2.]))
    same_repr(e.as_subclass(MyTensor), t.as_subclass(MyTorchTensor))


def test_parameter_repr():
    nn = pytest.importorskip('ember.nn')
    if not hasattr(nn, 'Parameter'):
        pytest.skip('nn.Parameter not available')
    e, t = pair(np.array([[1., 2.], [3., 4.5]]))
    assert repr(nn.Parameter(e)) == repr(torch.nn.Parameter(t))
    assert repr(nn.Parameter(e, requires_grad=False)) == repr(torch.nn.Parameter(t, requires_grad=False))


@pytest.mark.skipif(not (hasattr(ember, 'cuda') and ember.cuda.is_available()), reason='no GPU')
def test_cuda_device_suffix():
    e = ember.tensor([1., 2.5], device='cuda')
    assert repr(e) == "tensor([1.0000, 2.5000], device='cuda:0')"
    assert e.type() == 'torch.cuda.FloatTensor'
    big = ember.arange(5000, device='cuda').float()
    assert repr(big) == repr(torch.arange(5000).float())[:-1] + ", device='cuda:0')"
    assert repr(ember.zeros(0, 2, device='cuda', dtype=ember.int32)) == \
        "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int32)"
