"""torch.* adapters (ATen argument orders), in-place function forms, runtime settings and the
Tensor methods added by ember/_ops/toplevel.py and ember/_ops/inplace_shape.py."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import parity, rand, raises_like, assert_same


def test_activations():
    x = rand(3, 4)
    for name in ('relu', 'selu', 'celu', 'hardshrink'):
        parity(lambda L, x: getattr(L, name)(x), x)
    parity(lambda L, x: L.celu(x, 0.5), x)
    parity(lambda L, x: L.threshold(x, 0.1, 20.), x)
    parity(lambda L, x: L.rrelu(x), x)
    parity(lambda L, x, w: L.prelu(x, w), x, rand(4))
    parity(lambda L, x: L.softmax(x, 1), x)
    parity(lambda L, x: L.log_softmax(x, -1, dtype=L.float32), x)
    parity(lambda L, x: x.t().softmax(0), x)
    parity(lambda L, x: x.log_softmax(dim=1), x)
    parity(lambda L, x: x.relu(), x)
    parity(lambda L, x: x.hardshrink(0.3), x)
    parity(lambda L, x, w: x.prelu(w), x, rand(1))
    for name in ('relu_', 'selu_', 'celu_', 'threshold_', 'rrelu_'):
        args = (0.1, 2.0) if name == 'threshold_' else ()
        parity(lambda L, x: getattr(L, name)(x * 1, *args), x)
    parity(lambda L, x: (x * 1).relu_(), x)


def test_dropout_forms():
    x = rand(2, 3, 4)
    for name in ('dropout', 'alpha_dropout', 'feature_alpha_dropout', 'feature_dropout'):
        parity(lambda L, x: getattr(L, name)(x, 0.3, False), x)
        parity(lambda L, x: getattr(L, name + '_')(x * 1, 0.3, False), x)
    e = ember.dropout(ember.ones(1000), 0.5, True)
    assert set(np.unique(e.numpy()).tolist()) <= {0.0, 2.0}
    e = ember.feature_dropout(ember.ones(4, 50, 3), 0.5, True)
    assert bool((e.std(-1) == 0).all())


def test_conv_pool_adapters():
    x1, x2, x3 = rand(2, 4, 9), rand(2, 4, 7, 7), rand(1, 2, 5, 5, 5)
    parity(lambda L, x, w, b: L.conv1d(x, w, b, 2, 1), x1, rand(6, 2, 3), rand(6), grad=True) \
        if False else None
    parity(lambda L, x, w, b: L.conv1d(x, w, b, 2, 1, 1, 2), x1, rand(6, 2, 3), rand(6))
    parity(lambda L, x, w: L.conv2d(x, w, None, 1, 'same'), x2, rand(3, 4, 3, 3))
    parity(lambda L, x, w: L.conv3d(x, w), x3, rand(2, 2, 2, 2, 2))
    parity(lambda L, x, w: L.conv_transpose1d(x, w, None, 2, 1, 1), x1, rand(4, 3, 3))
    parity(lambda L, x, w: L.conv_transpose2d(x, w, stride=2), x2, rand(4, 2, 2, 2))
    parity(lambda L, x, w: L.conv_transpose3d(x, w), x3, rand(2, 1, 2, 2, 2))
    parity(lambda L, x, w, b: L.convolution(x, w, b, [1, 1], [1, 1], [1, 1], False, [0, 0], 1),
           x2, rand(3, 4, 3, 3), rand(3))
    parity(lambda L, x, w: L.convolution(x, w, None, [2], [0], [1], True, [1], 1), x1, rand(4, 2, 3))
    parity(lambda L, x: L.max_pool1d(x, 3), x1)
    parity(lambda L, x: L.max_pool2d(x, 2, 1, 1), x2)
    parity(lambda L, x: L.max_pool3d(x, 2), x3)
    parity(lambda L, x: L.max_pool1d_with_indices(x, 2, 2), x1)
    parity(lambda L, x: L.avg_pool1d(x, 3, 2, 1), x1)
    parity(lambda L, x: L.adaptive_avg_pool1d(x, 4), x1)
    parity(lambda L, x: L.adaptive_max_pool1d(x, 4), x1)


def test_norm_adapters():
    x = rand(4, 3, 5)
    w, b, rm, rv = rand(3), rand(3), rand(3), rand(3, low=0.5)
    parity(lambda L, x, w, b, rm, rv: L.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, True),
           x, w, b, rm, rv, grad=False)
    parity(lambda L, x, w, b: L.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), x, w, b)
    parity(lambda L, x, w, b: L.layer_norm(x, [5], w, b), x, rand(5), rand(5))
    parity(lambda L, x: L.layer_norm(x, (3, 5), eps=1e-3), x)
    parity(lambda L, x, w, b: L.group_norm(x, 3, w, b, 1e-5, True), x, w, b)
    parity(lambda L, x: L.group_norm(x, 1), x)
    parity(lambda L, x, w, b: L.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False), x, w, b)
    parity(lambda L, x, w: L.rms_norm(x, [5], w), x, rand(5))
    rme, rmt = ember.zeros(3, dtype=ember.float64), torch.zeros(3, dtype=torch.float64)
    ember.batch_norm(ember.tensor(x), None, None, rme, ember.ones(3, dtype=ember.float64), True, 0.1, 1e-5, False)
    torch.batch_norm(torch.tensor(x), None, None, rmt, torch.ones(3, dtype=torch.float64), True, 0.1, 1e-5, False)
    assert_same(rme, rmt)


def test_embedding_and_vision_adapters():
    w, idx = rand(6, 3), np.array([[0, 2], [5, 2]])
    parity(lambda L, w, i: L.embedding(w, i), w, idx)
    parity(lambda L, w, i: L.embedding(w, i, 2), w, idx)
    ind, off = np.array([0, 2, 4, 5, 1]), np.array([0, 2])
    for mode in (0, 1, 2):
        parity(lambda L, w, i, o: L.embedding_bag(w, i, o, False, mode)[0], w, ind, off)
    parity(lambda L, a, b, w, bias: L.bilinear(a, b, w, bias), rand(4, 2), rand(4, 3), rand(5, 2, 3), rand(5))
    parity(lambda L, x: L.pixel_shuffle(x, 2), rand(1, 8, 2, 3))
    parity(lambda L, x: L.pixel_unshuffle(x, 2), rand(1, 2, 4, 4))
    parity(lambda L, x: L.channel_shuffle(x, 2), rand(1, 4, 2, 2), grad=False)
    parity(lambda L, x: L.constant_pad_nd(x, [1, 2, 0, 1], 3.5), rand(2, 3))
    parity(lambda L, x: L.constant_pad_nd(x, [1, -1]), rand(2, 3))
    theta = rand(2, 2, 3)
    parity(lambda L, t: L.affine_grid_generator(t, [2, 1, 4, 5], False), theta)
    parity(lambda L, x, g: L.grid_sampler(x, g, 0, 0, False), rand(2, 1, 4, 5), rand(2, 3, 3, 2, low=-1, high=1))
    parity(lambda L, x, g: L.grid_sampler(x, g, 1, 1, True), rand(2, 1, 4, 5), rand(2, 3, 3, 2, low=-1, high=1),
           grad=False)


def test_distance_adapters():
    a, b = rand(4, 5), rand(4, 5)
    parity(lambda L, a, b: L.cosine_similarity(a, b), a, b)
    parity(lambda L, a, b: L.cosine_similarity(a, b, 0, 1e-6), a, b)
    parity(lambda L, a, b: L.pairwise_distance(a, b, 1.0, 1e-6, True), a, b)
    parity(lambda L, a: L.pdist(a), a)
    parity(lambda L, a: L.pdist(a, 1), a)
    for p in (2.0, 1.0, 3.0, 0.0, float('inf')):
        parity(lambda L, a, b: L.cdist(a, b, p), rand(2, 3, 4), rand(2, 5, 4))
    parity(lambda L, a: L.cdist(a, a), rand(3, 2))   # zero distances: zero gradient like torch
    raises_like(lambda L, a, b: L.cdist(a, b), rand(3, 2), rand(3, 3))
    raises_like(lambda L, a, b: L.cdist(a, b), rand(3), rand(3, 3))


@pytest.mark.parametrize('red', [0, 1, 2])
def test_loss_adapters(red):
    a, b = rand(4, 5), rand(4, 5)
    t01 = rand(4, 5, low=0, high=1)
    y = np.array([1., -1., 1., -1.])
    parity(lambda L, a, t: L.binary_cross_entropy_with_logits(a, t, None, None, red), a, t01)
    parity(lambda L, a, t, w, pw: L.binary_cross_entropy_with_logits(a, t, w.detach(), pw.detach(), red),
           a, t01, rand(5), rand(5, low=0.1))
    parity(lambda L, a, b, y: L.cosine_embedding_loss(a, b, y, 0.2, red), a, b, y)
    parity(lambda L, a, y: L.hinge_embedding_loss(a, y, 1.0, red), rand(4), y)
    parity(lambda L, a, t: L.kl_div(a, t, red), a, t01)
    parity(lambda L, a, t: L.kl_div(a, t, red, log_target=True), a, b)
    parity(lambda L, a, b, y: L.margin_ranking_loss(a, b, y, 0.1, red), rand(4), rand(4), y)
    parity(lambda L, a, t: L.poisson_nll_loss(a, t, True, False, 1e-8, red), a, t01)
    parity(lambda L, a, t: L.poisson_nll_loss(a.exp(), t, False, True, 1e-8, red), a, t01 * 3)
    parity(lambda L, a, p, n: L.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6, False, red), a, b, rand(4, 5))
    lp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=(6, 2)))
    parity(lambda L, lp, t: L.ctc_loss(lp, t, [6, 5], [2, 1], 0, red), lp, np.array([[1, 2], [3, 0]]))


def test_inplace_function_forms():
    x = rand(3, 4, low=0.1, high=0.9)
    for name in ('abs_', 'acos_', 'asin_', 'atan_', 'ceil_', 'cos_', 'exp_', 'expm1_', 'floor_',
                 'frac_', 'log_', 'log1p_', 'neg_', 'reciprocal_', 'round_', 'rsqrt_', 'sigmoid_',
                 'sin_', 'sqrt_', 'square_', 'tanh_', 'trunc_', 'erf_', 'deg2rad_', 'logit_',
                 'nan_to_num_', 'sinc_', 'i0_'):
        parity(lambda L, x: getattr(L, name)(x * 1), x)
    parity(lambda L, x: L.clamp_(x * 1, 0.2, 0.5), x)
    parity(lambda L, x: L.clamp_min_(x * 1, 0.5), x)
    parity(lambda L, x: L.xlogy_(x * 1, 2.0), x)
    parity(lambda L, a, b: L.gcd_(a, b), np.array([4, 6]), np.array([6, 9]))
    e = ember.ones(3)
    assert ember.exp_(e) is e


def test_tensor_utilities():
    x = rand(2, 3)
    parity(lambda L, x: L.fill(x, 2.5), x)
    parity(lambda L, x, v: L.fill(x, v), x, np.array(1.5))
    parity(lambda L, x: L.fill_(x * 1, 3), x)
    parity(lambda L, x: L.zero_(x * 1), x)
    parity(lambda L, x: L.detach(x), x, grad=False)
    for L in (ember, torch):
        t = L.ones(2, requires_grad=True) * 2
        assert L.detach_(t) is t and not t.requires_grad
        assert L.is_complex(L.ones(1, dtype=L.complex64)) and not L.is_complex(L.ones(1))
        assert L.is_floating_point(L.ones(1)) and not L.is_floating_point(L.ones(1, dtype=L.int32))
        assert L.is_signed(L.ones(1)) and not L.is_signed(L.ones(1, dtype=L.uint8))
        assert L.ones(1).is_signed() and not L.ones(1, dtype=L.bool).is_signed()
        assert L.is_nonzero(L.tensor([1.5])) and not L.is_nonzero(L.tensor(0))
        assert L.is_same_size(L.ones(2, 3), L.zeros(2, 3)) and not L.ones(2).is_same_size(L.ones(3))
        assert not L.is_inference(L.ones(1))
    assert ember.typename(ember.ones(2)) == torch.typename(torch.ones(2))
    assert ember.typename(ember.ones(2, dtype=ember.int64)) == 'torch.LongTensor'
    assert ember.typename(3) == torch.typename(3) == 'int'
    assert ember.typename(ember.nn.Linear(1, 1)) == torch.typename(torch.nn.Linear(1, 1))
    raises_like(lambda L, x: L.is_nonzero(x), rand(2))
    raises_like(lambda L, x: L.is_nonzero(x), rand(0))
    for args, kw in [((3,), {}), ((True,), {}), ((2.5,), {'dtype': 'float64'}), ((4,), {'dtype': 'int32'})]:
        e = ember.scalar_tensor(*args, **{k: getattr(ember, v) for k, v in kw.items()})
        t = torch.scalar_tensor(*args, **{k: getattr(torch, v) for k, v in kw.items()})
        assert_same(e, t)
    parity(lambda L, x: L.adjoint(x), rand(2, 3, 4))
    parity(lambda L, x: x.mH.resolve_conj(), rand(3, 4, dtype='complex128'), grad=False)
    parity(lambda L, x: x.H, rand(3, 4))
    raises_like(lambda L, x: x.adjoint(), rand(3))


def test_runtime_settings():
    n = ember.get_num_threads()
    assert isinstance(n, int) and n >= 1
    assert ember.get_num_interop_threads() >= 1
    raises_like(lambda L: L.set_num_threads(0))
    assert not ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(True, warn_only=True)
    assert ember.are_deterministic_algorithms_enabled() and ember.get_deterministic_debug_mode() == 1
    ember.set_deterministic_debug_mode('error')
    assert ember.get_deterministic_debug_mode() == 2
    ember.set_deterministic_debug_mode(0)
    assert not ember.are_deterministic_algorithms_enabled()
    assert ember.get_float32_matmul_precision() == 'highest'
    ember.set_float32_matmul_precision('high')
    assert ember.get_float32_matmul_precision() == 'high'
    ember.set_float32_matmul_precision('highest')
    for L in (ember, torch):
        with pytest.warns(UserWarning):
            L.set_float32_matmul_precision('bogus')
        assert L.get_float32_matmul_precision() == 'highest'
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled()
    ember.set_warn_always(False)
    assert not ember.is_warn_always_enabled()


def test_default_device():
    assert ember.get_default_device() == ember.device('cpu')
    ember.set_default_device('meta')
    try:
        assert ember.get_default_device().type == 'meta'
        with ember.device('cpu'):
            assert ember.get_default_device().type == 'cpu'
        assert ember.get_default_device().type == 'meta'
    finally:
        ember.set_default_device(None)
    assert ember.get_default_device() == ember.device('cpu')
    ember.set_default_device('cpu')
    assert ember.zeros(2).device.type == 'cpu'
    ember.set_default_device(None)


def test_dlpack_frombuffer_compile():
    t = torch.arange(6.).reshape(2, 3)
    e = ember.from_dlpack(t)
    assert e.tolist() == t.tolist() and e.dtype is ember.float32
    t[0, 0] = 7.0
    assert e[0, 0].item() == 7.0               # shares memory
    a = np.arange(4, dtype='int32')
    assert ember.from_dlpack(a).dtype is ember.int32
    src = ember.arange(3.)
    back = torch.from_dlpack(ember.to_dlpack(src))
    assert back.tolist() == [0., 1., 2.]
    assert ember.from_dlpack(ember.to_dlpack(src)).tolist() == [0., 1., 2.]
    buf = bytearray(np.arange(5, dtype='float32').tobytes())
    for kw in [{}, {'count': 2, 'offset': 4}]:
        assert_same(ember.frombuffer(buf, dtype=ember.float32, **kw),
                    torch.frombuffer(buf, dtype=torch.float32, **kw))
    ember.frombuffer(buf, dtype=ember.float32)[0] = 9.0
    assert np.frombuffer(buf, dtype='float32')[0] == 9.0
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        raises_like(lambda L: L.frombuffer(bytearray(10), dtype=L.float32))
        raises_like(lambda L: L.frombuffer(b'', dtype=L.float32))
    m = ember.nn.Linear(2, 2)
    assert ember.compile(m) is m
    f = lambda x: x  # noqa: E731
    assert ember.compile(mode='max-autotune')(f) is f


def test_vmap():
    x, y = rand(4, 3), rand(3)
    parity(lambda L, x, y: L.vmap(L.dot, in_dims=(0, None))(x, y), x, y)
    parity(lambda L, x: L.vmap(lambda r: r.sum() * r, out_dims=1)(x), x)
    parity(lambda L, x, y: L.vmap(lambda a, b: (a * b, a - b), in_dims=(1, 0))(x, y), x, rand(3, 4))
    raises_like(lambda L, x, y: L.vmap(L.mul)(x, y), rand(2, 3), rand(3, 3))


def test_autocast():
    for L in (ember, torch):
        assert not L.is_autocast_enabled('cpu')
        with L.autocast('cpu', dtype=L.bfloat16):
            assert L.is_autocast_enabled('cpu')
            assert L.get_autocast_dtype('cpu') is L.bfloat16
        assert not L.is_autocast_enabled('cpu')
        with L.autocast('cpu', enabled=False):
            assert not L.is_autocast_enabled('cpu')

        @L.autocast('cpu')
        def f():
            return L.is_autocast_enabled('cpu')
        assert f()
    with ember.autocast('cpu'):
        assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.float32


def test_inplace_view_methods():
    for name, args in [('squeeze_', ()), ('squeeze_', (1,)), ('unsqueeze_', (0,)), ('t_', ()),
                       ('transpose_', (0, 2)), ('swapaxes_', (0, 1)), ('swapdims_', (1, 2)),
                       ('as_strided_', ((2, 2), (1, 2)))]:
        x = rand(2, 1, 3) if name != 't_' else rand(2, 3)

        def fn(L, x):
            y = x * 2
            r = getattr(y, name)(*args)
            assert r is y
            return y
        parity(fn, x)
    for L in (ember, torch):
        x = L.zeros(2, 1, 3)
        v = x[0]
        v.unsqueeze_(0)
        v.fill_(1.0)
        assert x[0].sum().item() == 3.0 and tuple(v.shape) == (1, 1, 3)
        x = L.ones(2, 1)
        ver = x._version
        x.squeeze_()
        assert x._version == ver + 1 and tuple(x.shape) == (2,)
        x = L.ones(2, 1, requires_grad=True)
        with pytest.raises(RuntimeError):
            x.squeeze_()


def test_resize_new_storage():
    for L in (ember, torch):
        a = L.arange(6.)
        a.resize_(2, 2)
        assert a.tolist() == [[0., 1.], [2., 3.]]
        a.resize_(3, 3)
        assert tuple(a.shape) == (3, 3) and a[0].tolist() == [0., 1., 2.]
        b = L.zeros(5)
        b.resize_as_(L.ones(2, 2))
        assert tuple(b.shape) == (2, 2)
        with pytest.raises(RuntimeError):
            L.ones(2, requires_grad=True).resize_(3)
        x = L.ones(3, dtype=L.int32)
        assert x.new(2, 2).shape == (2, 2) and x.new(2, 2).dtype is L.int32
        assert x.new([1, 2]).tolist() == [1, 2] and x.new([1, 2]).dtype is L.int32
        assert x.new().shape == (0,)
        assert x.new(L.Size([2, 3])).shape == (2, 3)
        s = L.arange(4.).storage() if L is ember else None
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ts = torch.arange(4.)[1:].storage()
    es = ember.arange(4.)[1:].storage()
    assert es.size() == ts.size() and es.tolist() == ts.tolist() and es.dtype is ember.float32
    assert es.data_ptr() == ember.arange(4.).storage().data_ptr() or es.data_ptr() > 0
    assert ember.ones(2).storage_type().__name__ == torch.ones(2).storage_type().__name__


def test_misc_methods():
    x = rand(2, 3)
    parity(lambda L, x, y: x.type_as(y), x, rand(2, dtype='float32'))
    parity(lambda L, x: x.type_as(L.ones(1, dtype=L.int32)), x, grad=False)
    for L in (ember, torch):
        t = L.arange(6).reshape(2, 3)
        assert t.apply_(lambda v: v * 10).tolist() == [[0, 10, 20], [30, 40, 50]]
        assert t.map_(L.ones(3, dtype=L.int64), lambda a, b: a + b).tolist() == [[1, 11, 21], [31, 41, 51]]
        assert not t.is_pinned()
        assert t.const_data_ptr() == t.data_ptr()
        assert t.dim_order() == (0, 1) and t.t().dim_order() == (1, 0)
        assert not t.is_nested and not t.is_mkldnn and not t.is_sparse_csr and not t.is_mps
        assert not t.is_xla and not t.is_xpu and not t.is_ipu and not t.is_vulkan
        assert t.name is None

        class Sub(L.Tensor):
            pass
        s = L.ones(2).as_subclass(Sub)
        assert isinstance(s, Sub) and s.tolist() == [1., 1.]
    raises_like(lambda L, x: x.pin_memory(), rand(2))
