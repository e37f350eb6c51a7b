"""Build information (= torch.version)."""
__all__ = ['__version__', 'cuda', 'git_version', 'debug', 'hip']

__version__ = '0.1.0'
cuda = None
hip = None
git_version = 'unknown'
debug = False
