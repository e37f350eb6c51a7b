"""nn modules, re-exported by ember.nn."""
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .activation import *  # noqa: F401,F403
