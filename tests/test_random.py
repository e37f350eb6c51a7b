"""ember.random: Generator, seeding, RNG state and fork_rng (reproducibility)."""
import numpy as np
import pytest
import torch

import ember
from helpers import raises_like


def vals(t):
    return np.asarray(t.numpy()).copy()


def draw_all(gen=None):
    """One sample of every op, drawn through `gen` (or the default generator)."""
    kw = {} if gen is None else {'generator': gen}
    out = [ember.rand(5, **kw), ember.randn(5, **kw), ember.randint(0, 100, (5,), **kw),
           ember.randperm(10, **kw), ember.normal(0.0, 1.0, (5,), **kw),
           ember.normal(ember.zeros(5), ember.ones(5), **kw), ember.bernoulli(ember.full((5,), 0.5), **kw),
           ember.multinomial(ember.ones(6), 3, **kw), ember.multinomial(ember.ones(6), 8, True, **kw),
           ember.poisson(ember.full((5,), 3.0), **kw), ember.empty(5).uniform_(**kw),
           ember.empty(5).normal_(**kw), ember.empty(5).exponential_(**kw),
           ember.empty(5).random_(**kw), ember.empty(5).geometric_(0.3, **kw),
           ember.empty(5).log_normal_(**kw), ember.empty(5).cauchy_(**kw), ember.empty(5).bernoulli_(**kw)]
    if gen is None:
        out += [ember.rand_like(ember.ones(5)), ember.randn_like(ember.ones(5)),
                ember.randint_like(ember.ones(5), 10)]
    return [vals(t) for t in out]


def assert_all_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_manual_seed_reproduces_every_op():
    ember.manual_seed(123)
    a = draw_all()
    ember.manual_seed(123)
    b = draw_all()
    assert_all_equal(a, b)
    ember.manual_seed(124)
    c = draw_all()
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[1], c[1])


def test_generator_argument_is_independent_of_global():
    g = ember.Generator().manual_seed(7)
    a = draw_all(g)
    ember.manual_seed(0)
    before = vals(ember.rand(3))
    g.manual_seed(7)
    ember.manual_seed(0)
    b = draw_all(g)                       # drawing from g ...
    after = vals(ember.rand(3))           # ... leaves the global stream untouched
    assert_all_equal(a, b)
    np.testing.assert_array_equal(before, after)
    g2 = ember.Generator().manual_seed(7)
    np.testing.assert_array_equal(vals(ember.rand(4, generator=g2)), vals(ember.rand(4, generator=ember.Generator().manual_seed(7))))


def test_generator_api_matches_torch():
    for m in (ember, torch):
        g = m.Generator()
        assert g.device == m.device('cpu') and str(g.device) == 'cpu'
        assert g.initial_seed() == 67280421310721
        assert g.manual_seed(3) is g and g.initial_seed() == 3
        s = g.seed()
        assert isinstance(s, int) and g.initial_seed() == s
        st = g.get_state()
        assert isinstance(st, m.Tensor) and st.dtype == m.uint8 and st.dim() == 1
        assert g.set_state(st) is g
        assert m.manual_seed(-1).initial_seed() == 2 ** 64 - 1
        assert m.manual_seed(5) is m.default_generator
        assert m.initial_seed() == 5
        assert isinstance(m.seed(), int)
        g = m.Generator(device='cpu')
        assert g.device.type == 'cpu'
        assert m.random.initial_seed() == m.initial_seed()


def test_seed_errors_and_state_errors():
    raises_like(lambda m: m.manual_seed(2 ** 64))
    raises_like(lambda m: m.set_rng_state(m.zeros(3)), match='ByteTensor')
    raises_like(lambda m: m.set_rng_state(m.zeros(3, dtype=m.uint8)))
    raises_like(lambda m: m.Generator().set_state(m.zeros(3, dtype=m.uint8)))
    assert ember.manual_seed(1.0).initial_seed() == 1


def test_state_round_trip():
    ember.manual_seed(42)
    ember.rand(3)
    state = ember.get_rng_state()
    a = draw_all()
    ember.set_rng_state(state)
    b = draw_all()
    assert_all_equal(a, b)
    g = ember.Generator().manual_seed(9)
    st = g.get_state()
    x = vals(ember.randn(10, generator=g))
    g.set_state(st)
    np.testing.assert_array_equal(x, vals(ember.randn(10, generator=g)))
    h = ember.Generator()
    h.set_state(st)                       # a state moves between generators
    np.testing.assert_array_equal(x, vals(ember.randn(10, generator=h)))
    assert h.initial_seed() == 9


def test_get_state_is_a_copy():
    g = ember.Generator().manual_seed(1)
    st = g.get_state()
    before = vals(st)
    ember.rand(5, generator=g)
    np.testing.assert_array_equal(vals(st), before)
    assert not np.array_equal(vals(g.get_state()), before)


def test_fork_rng_restores():
    ember.manual_seed(3)
    expected = vals(ember.rand(4))
    ember.manual_seed(3)
    with ember.random.fork_rng():
        ember.manual_seed(100)
        inside = vals(ember.rand(4))
    np.testing.assert_array_equal(vals(ember.rand(4)), expected)
    assert not np.array_equal(inside, expected)
    ember.manual_seed(3)
    with ember.random.fork_rng(enabled=False):
        ember.rand(4)
    assert not np.array_equal(vals(ember.rand(4)), expected)
    ember.manual_seed(3)
    with pytest.raises(KeyError):
        with ember.random.fork_rng(devices=[]):
            ember.rand(10)
            raise KeyError('boom')
    np.testing.assert_array_equal(vals(ember.rand(4)), expected)


def test_generator_pickles():
    import pickle
    g = ember.Generator().manual_seed(11)
    ember.rand(3, generator=g)
    h = pickle.loads(pickle.dumps(g))
    np.testing.assert_array_equal(vals(ember.rand(5, generator=g)), vals(ember.rand(5, generator=h)))


def test_random_module_namespace():
    for name in ('manual_seed', 'seed', 'initial_seed', 'get_rng_state', 'set_rng_state', 'fork_rng'):
        assert callable(getattr(ember.random, name)), name
    for name in ('Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed',
                 'get_rng_state', 'set_rng_state'):
        assert hasattr(ember, name), name
