"""Download and archive helpers for ember.vision.datasets (standard library only)."""
import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.request
import zipfile

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url', 'extract_archive',
           'download_and_extract_archive']


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5()
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5):
    return md5 == calculate_md5(fpath)


def check_integrity(fpath, md5=None):
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3, timeout=30):
    """Fetch url into root/filename (skipped when a file with the right MD5 is there)."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return fpath
    tmp = fpath + '.part'
    req = urllib.request.Request(url, headers={'User-Agent': 'ember-vision'})
    with urllib.request.urlopen(req, timeout=timeout) as resp, open(tmp, 'wb') as f:
        shutil.copyfileobj(resp, f)
    os.replace(tmp, fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError(f"File {fpath} downloaded from {url} does not match MD5 {md5}")
    return fpath


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract .tar(.gz/.bz2/.xz), .tgz, .zip or a single .gz file; returns the target folder."""
    to_path = to_path or os.path.dirname(from_path)
    if from_path.endswith(('.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tar.xz')):
        with tarfile.open(from_path) as tar:
            try:
                tar.extractall(to_path, filter='data')
            except TypeError:  # Python without extraction filters
                tar.extractall(to_path)
    elif from_path.endswith('.zip'):
        with zipfile.ZipFile(from_path) as z:
            z.extractall(to_path)
    elif from_path.endswith('.gz'):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        with gzip.open(from_path, 'rb') as src, open(out, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    else:
        raise RuntimeError(f"Couldn't detect the archive type of {from_path}")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    fpath = download_url(url, download_root, filename, md5)
    return extract_archive(fpath, extract_root or download_root, remove_finished)
